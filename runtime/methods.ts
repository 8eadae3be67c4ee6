import { backward, grad, registerHook, retainGrad, type BackwardOptions, type HookHandle } from './autograd';
import * as ops from './ops';
import type { IndexItem } from './ops/shape';
import type { ReduceOptions } from './ops/reduce';
import { ELEMENTWISE } from './ops/registry';
import { Tensor } from './tensor';

/**
 * Method forms of the ops (tfjs's chaining API): every op whose first argument is a tensor is also a method.
 * Kept in one place so tensor.ts stays free of op imports (no import cycle). Every registry elementwise op
 * is a method at run time (the loop below); the declarations here type the common ones for TypeScript.
 */
declare module './tensor' {
  interface Tensor {
    add(o: ops.TensorLike): Tensor;
    sub(o: ops.TensorLike): Tensor;
    mul(o: ops.TensorLike): Tensor;
    div(o: ops.TensorLike): Tensor;
    pow(o: ops.TensorLike): Tensor;
    matmul(o: Tensor): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tan(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    softplus(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    round(): Tensor;
    floor(): Tensor;
    square(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    sum(opts?: ReduceOptions): Tensor;
    mean(opts?: ReduceOptions): Tensor;
    max(opts?: ReduceOptions): Tensor;
    min(opts?: ReduceOptions): Tensor;
    norm(opts?: ReduceOptions): Tensor;
    reshape(...shape: number[]): Tensor;
    transpose(a?: number, b?: number): Tensor;
    permute(...perm: number[]): Tensor;
    squeeze(axis?: number | null): Tensor;
    unsqueeze(axis: number): Tensor;
    expand(...shape: number[]): Tensor;
    flatten(): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    index(...items: IndexItem[]): Tensor;
    conj(): Tensor;
    real(): Tensor;
    imag(): Tensor;
    angle(): Tensor;
    backward(gradient?: Tensor | null, opts?: Omit<BackwardOptions, 'gradTensors'>): void;
    retainGrad(): void;
    registerHook(fn: (g: Tensor) => Tensor | null | undefined | void): HookHandle;
    /** x' and x.H: the conjugate transpose of the last two axes. */
    readonly H: Tensor;
    /** x.T: all axes reversed (a matrix transposed). */
    readonly T: Tensor;
  }
}

const P = Tensor.prototype as any;
const binary = ['pow', 'matmul'] as const;
for (const name of binary)
  P[name] = function (this: Tensor, o: any) {
    return (ops as any)[name](this, o);
  };
const unary = ['square', 'conj', 'real', 'imag', 'angle', 'flatten', 'contiguous', 'clone', 'detach'] as const;
for (const name of unary)
  P[name] = function (this: Tensor) {
    return (ops as any)[name](this);
  };
// every registry elementwise op: x.tanh(), x.leaky_relu({ negative_slope: 0.2 }), x.atan2(y)
for (const e of ELEMENTWISE) {
  if (e.name in P) continue;
  P[e.name] = function (this: Tensor, ...args: unknown[]) {
    return (ops as any)[e.name](this, ...args);
  };
}
for (const name of ['sum', 'mean', 'max', 'min', 'norm'] as const)
  P[name] = function (this: Tensor, o?: ReduceOptions) {
    return ops[name](this, o);
  };
const shapeArgs = (args: any[]): number[] => (args.length === 1 && Array.isArray(args[0]) ? args[0] : args);
P.reshape = function (this: Tensor, ...s: any[]) {
  return ops.reshape(this, shapeArgs(s));
};
P.permute = function (this: Tensor, ...s: any[]) {
  return ops.permute(this, shapeArgs(s));
};
P.expand = function (this: Tensor, ...s: any[]) {
  return ops.expand(this, shapeArgs(s));
};
P.transpose = function (this: Tensor, a?: number, b?: number) {
  return ops.transpose(this, a, b);
};
P.squeeze = function (this: Tensor, a?: number | null) {
  return ops.squeeze(this, a ?? null);
};
P.unsqueeze = function (this: Tensor, a: number) {
  return ops.unsqueeze(this, a);
};
P.clamp = function (this: Tensor, lo?: number | null, hi?: number | null) {
  return ops.clamp(this, lo ?? null, hi ?? null);
};
P.index = function (this: Tensor, ...items: IndexItem[]) {
  return ops.index(this, items);
};
P.backward = function (this: Tensor, g?: Tensor | null, opts: Omit<BackwardOptions, 'gradTensors'> = {}) {
  backward(this, { ...opts, gradTensors: g ?? null });
};
P.retainGrad = function (this: Tensor) {
  retainGrad(this);
};
P.registerHook = function (this: Tensor, fn: (g: Tensor) => Tensor | null | undefined | void) {
  return registerHook(this, fn);
};
Object.defineProperty(P, 'H', {
  get(this: Tensor) {
    return ops.adjoint(this);
  },
});
Object.defineProperty(P, 'T', {
  get(this: Tensor) {
    return this.rank < 2 ? this : ops.permute(this, [...Array(this.rank).keys()].reverse());
  },
});

export { grad };
