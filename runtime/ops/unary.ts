import { isComplex, realOf } from '../dtype';
import { cut, record } from '../engine';
import { typeError } from '../errors';
import type { OpDef } from '../graph';
import type { Tensor } from '../tensor';
import { add, div, eq, ge, gt, le, logicalAnd, mul, sub } from './binary';
import { where } from './where';
import { conj } from './complex';
import { compute } from './util';

/**
 * Elementwise unary ops, one entry each: the kernel fn, the backward rule in runtime ops, the formula.
 * Rules that reuse the answer (exp, tanh, sigmoid, sqrt) save `out`, as JAX's JVPs reuse `ans`: cheaper
 * than recomputing, and since `out` is saved after its node exists, second derivatives see it (tfjs#3252).
 */
interface UnaryDef extends OpDef {
  complexOk?: boolean;
}

const def = (name: string, gradName: string, formula: string, backward: OpDef['backward'], extra: Partial<UnaryDef> = {}): UnaryDef => ({
  name,
  gradName,
  formulas: [formula],
  backward,
  ...extra,
});

const zeroRule: OpDef['backward'] = (g) => [mul(g, 0)];

export const UNARY: Record<string, UnaryDef> = {
  neg: def('neg', 'NegBackward0', '-{g}', (g) => [neg(g)], { complexOk: true }),
  exp: def('exp', 'ExpBackward0', '{g} * {out}', (g, { out }) => [mul(g, conj(out))], { saveOut: true, complexOk: true }),
  log: def('log', 'LogBackward0', '{g} / {x0}', (g, { inputs: [x] }) => [div(g, conj(x))], { complexOk: true }),
  sqrt: def('sqrt', 'SqrtBackward0', '{g} / (2 * {out})', (g, { out }) => [div(g, mul(out, 2))], { saveOut: true }),
  sin: def('sin', 'SinBackward0', '{g} * cos({x0})', (g, { inputs: [x] }) => [mul(g, cos(x))]),
  cos: def('cos', 'CosBackward0', '-{g} * sin({x0})', (g, { inputs: [x] }) => [neg(mul(g, sin(x)))]),
  tan: def('tan', 'TanBackward0', '{g} * (1 + {out}^2)', (g, { out }) => [mul(g, add(mul(out, out), 1))], { saveOut: true }),
  tanh: def('tanh', 'TanhBackward0', '{g} * (1 - {out}^2)', (g, { out }) => [mul(g, sub(1, mul(out, out)))], { saveOut: true }),
  sigmoid: def('sigmoid', 'SigmoidBackward0', '{g} * {out} * (1 - {out})', (g, { out }) => [mul(g, mul(out, sub(1, out)))], { saveOut: true }),
  relu: def('relu', 'ReluBackward0', '{g} * ({x0} > 0)', (g, { inputs: [x] }) => [mul(g, gt(x, 0))]),
  softplus: def('softplus', 'SoftplusBackward0', '{g} * sigmoid({x0})', (g, { inputs: [x] }) => [mul(g, sigmoid(x))]),
  abs: def('abs', 'AbsBackward0', '{g} * sign({x0})', (g, { inputs: [x] }) => [absBackward(g, x)], { complexOk: true }),
  sign: def('sign', 'SignBackward0', '0 (sign is flat almost everywhere)', zeroRule, { zeroGrad: true }),
  round: def('round', 'RoundBackward0', '0 (round is flat almost everywhere)', zeroRule, { zeroGrad: true }),
  floor: def('floor', 'FloorBackward0', '0 (floor is flat almost everywhere)', zeroRule, { zeroGrad: true }),
};

/** d|x| = sign(x) for reals; z/|z| for complex (0 where z = 0, as PyTorch's sgn). */
function absBackward(g: Tensor, x: Tensor): Tensor {
  if (!isComplex(x.dtype)) return mul(g, sign(x));
  const r = abs(x);
  return mul(g, div(x, where(eq(r, 0), 1, r)));
}

function unary(name: string, x: Tensor): Tensor {
  const d = UNARY[name];
  if (isComplex(x.dtype) && !d.complexOk) {
    throw typeError(name, `${name} is not defined for complex tensors here; apply it to real(z), imag(z) or abs(z)`);
  }
  const dtype = name === 'abs' ? realOf(x.dtype) : x.dtype === 'bool' ? 'float32' : x.dtype;
  const out = compute('unary', [x], { fn: name }, x.shape, dtype, name);
  return record(d, [x], {}, out);
}

export const neg = (x: Tensor) => unary('neg', x);
export const exp = (x: Tensor) => unary('exp', x);
export const log = (x: Tensor) => unary('log', x);
export const sqrt = (x: Tensor) => unary('sqrt', x);
export const sin = (x: Tensor) => unary('sin', x);
export const cos = (x: Tensor) => unary('cos', x);
export const tan = (x: Tensor) => unary('tan', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const relu = (x: Tensor) => unary('relu', x);
export const softplus = (x: Tensor) => unary('softplus', x);
export const abs = (x: Tensor) => unary('abs', x);
export const sign = (x: Tensor) => unary('sign', x);
export const round = (x: Tensor) => unary('round', x);
export const floor = (x: Tensor) => unary('floor', x);
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
