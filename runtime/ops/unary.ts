import { isComplex } from '../dtype';
import { cut, record } from '../engine';
import { typeError } from '../errors';
import type { OpDef } from '../graph';
import type { Tensor } from '../tensor';
import { div, eq, ge, le, logicalAnd, mul } from './binary';
import { UNARY, unaryFn } from './elementwise-ops';
import { where } from './where';
import { compute } from './util';

/**
 * Elementwise unary ops: declared in the op registry (./registry/elementwise.ts); this file names them for
 * TypeScript (test/runtime/registry.test.ts checks the list below matches the table) and keeps clamp and
 * isfinite, which are no registry entries (clamp's bounds are optional, isfinite is a mask).
 */
export { UNARY };

/** d|x| = sign(x) for reals; z/|z| for complex (0 where z = 0, as PyTorch's sgn): abs's rule. */
export function absGrad(g: Tensor, x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return mul(g, sign(x));
  const r = abs(x);
  return mul(g, div(x, where(eq(r, 0), 1, r)));
}

type Unary = (x: Tensor) => Tensor;
type WithParams = (x: Tensor, params?: Record<string, number | string>) => Tensor;
const U: Record<string, Unary> = Object.fromEntries(Object.keys(UNARY).map((n) => [n, unaryFn(n)]));
export const {
  neg,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  rsqrt,
  reciprocal,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  tanh,
  asinh,
  acosh,
  atanh,
  erf,
  sigmoid,
  relu,
  silu,
  softplus,
  abs,
  sign,
  round,
  floor,
  ceil,
  trunc,
} = U;
export const { leaky_relu, elu, gelu } = U as Record<string, WithParams>;
export const square = (x: Tensor) => mul(x, x);

const Clamp: OpDef = {
  name: 'clamp',
  gradName: 'ClampBackward1',
  formulas: ['{g} * ({min} <= {x0} <= {max})'],
  backward: (g, { inputs: [x], attrs: { min, max } }) => {
    const lo = min === null ? null : ge(x, min);
    const hi = max === null ? null : le(x, max);
    const inside = lo && hi ? logicalAnd(lo, hi) : (lo ?? hi)!;
    return [mul(g, inside)];
  },
};

export function clamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  if (min === null && max === null) throw typeError('clamp', 'give at least one of min= and max=');
  if (isComplex(x.dtype)) throw typeError('clamp', 'complex numbers cannot be clamped; clamp abs(z) or real(z)');
  return record(Clamp, [x], { min, max }, compute('clamp', [x], { min, max }, x.shape, x.dtype, 'clamp'));
}

/** isfinite: a bool mask, not differentiable. */
export function isfinite(x: Tensor): Tensor {
  return cut(compute('unary', [x], { fn: 'isfinite' }, x.shape, 'bool', 'isfinite'), 'isfinite', [x]);
}

export const UNARY_OPS = { ...UNARY, Clamp };
