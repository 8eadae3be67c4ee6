export * from './binary';
export * from './unary';
export * from './complex';
export * from './reduce';
export * from './reductions';
export * from './shape';
export * from './matmul';
export * from './where';
export * from './creation';
export { asTensor, scalar, type TensorLike } from './util';
export * from './families';

// the registry's rules receive this namespace as `o` (the registry itself imports no ops)
import { bindRuleOps } from './elementwise-ops';
import * as namespace from './index';
bindRuleOps(namespace);
