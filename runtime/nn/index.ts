/** Models: callable functions with `.params` (see model.ts). */
export { linear, makeLinear, type Linear, type LinearOptions } from './linear';
export { mlp, type MLP, type MLPOptions, type Activation } from './mlp';
export type { Model } from './model';
export * from './functional';
