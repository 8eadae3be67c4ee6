export * from './binary';
export * from './unary';
export * from './complex';
export * from './reduce';
export * from './shape';
export * from './matmul';
export * from './where';
export * from './creation';
export { asTensor, scalar, type TensorLike } from './util';
