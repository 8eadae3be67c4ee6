import { isComplex, promote, type DType } from '../dtype';
import { cut, record } from '../engine';
import { shapeError, typeError } from '../errors';
import type { OpDef } from '../graph';
import { broadcastShapes, fmtShape } from '../shape';
import type { Tensor } from '../tensor';
import { cast, conj } from './complex';
import { log, neg } from './unary';
import { sumTo } from './reduce';
import { where } from './where';
import { asTensor, compute, rawExpand, type TensorLike } from './util';

/**
 * Elementwise binary ops with NumPy broadcasting. Each entry: kernel fn, backward rule in runtime ops, and the
 * formula per input that explain prints. Rules use conj() so complex gradients follow PyTorch's convention
 * (conjugate Wirtinger); conj is the identity on real tensors.
 */
const binaryOp = (name: string, gradName: string, formulas: string[], backward: OpDef['backward']): OpDef => ({
  name,
  gradName,
  formulas,
  backward,
});

/** needs[i] (graph.ts): whether this pass uses input i's gradient; the rules skip the ones it does not. */
const need = (needs: readonly boolean[] | undefined, i: number) => !needs || needs[i];

const Add = binaryOp('add', 'AddBackward0', ['{g}', '{g}'], (g, c) => [
  need(c.needs, 0) ? sumTo(g, c.inputMeta[0].shape) : null,
  need(c.needs, 1) ? sumTo(g, c.inputMeta[1].shape) : null,
]);
const Sub = binaryOp('sub', 'SubBackward0', ['{g}', '-{g}'], (g, c) => [
  need(c.needs, 0) ? sumTo(g, c.inputMeta[0].shape) : null,
  need(c.needs, 1) ? sumTo(neg(g), c.inputMeta[1].shape) : null,
]);
const Mul = binaryOp('mul', 'MulBackward0', ['{g} * {x1}', '{g} * {x0}'], (g, { inputs: [a, b], inputMeta, needs }) => [
  need(needs, 0) ? sumTo(mul(g, conj(b)), inputMeta[0].shape) : null,
  need(needs, 1) ? sumTo(mul(g, conj(a)), inputMeta[1].shape) : null,
]);
const Div = binaryOp('div', 'DivBackward0', ['{g} / {x1}', '-{g} * {x0} / {x1}^2'], (g, { inputs: [a, b], inputMeta, needs }) => [
  need(needs, 0) ? sumTo(div(g, conj(b)), inputMeta[0].shape) : null,
  need(needs, 1) ? sumTo(neg(mul(g, conj(div(div(a, b), b)))), inputMeta[1].shape) : null,
]);
const Pow = binaryOp(
  'pow',
  'PowBackward1',
  ['{g} * {x1} * {x0}^({x1} - 1)', '{g} * {out} * log({x0})'],
  (g, { inputs: [a, b], inputMeta }) => [
    sumTo(mul(g, mul(b, pow(a, sub(b, 1)))), inputMeta[0].shape),
    // PyTorch masks the exponent's gradient where the base is 0 (log 0 would give NaN there)
    sumTo(mul(g, where(eq(a, 0), 0, mul(pow(a, b), log(a)))), inputMeta[1].shape),
  ],
);
const Maximum = binaryOp('maximum', 'MaximumBackward0', ['{g} * ({x0} >= {x1})', '{g} * ({x1} > {x0})'], (g, { inputs: [a, b], inputMeta }) => {
  // ties split the gradient evenly, as PyTorch does
  const wa = add(gt(a, b), mul(eq(a, b), 0.5));
  return [sumTo(mul(g, wa), inputMeta[0].shape), sumTo(mul(g, sub(1, wa)), inputMeta[1].shape)];
});
const Minimum = binaryOp('minimum', 'MinimumBackward0', ['{g} * ({x0} <= {x1})', '{g} * ({x1} < {x0})'], (g, { inputs: [a, b], inputMeta }) => {
  const wa = add(lt(a, b), mul(eq(a, b), 0.5));
  return [sumTo(mul(g, wa), inputMeta[0].shape), sumTo(mul(g, sub(1, wa)), inputMeta[1].shape)];
});

/** Promotes dtypes, broadcasts shapes and runs the kernel; numbers take the tensor's dtype. */
function prepare(op: string, x: TensorLike, y: TensorLike): [Tensor, Tensor, number[], DType] {
  const dt: DType =
    typeof x === 'number' && typeof y !== 'number' ? (y as Tensor).dtype : typeof y === 'number' && typeof x !== 'number' ? (x as Tensor).dtype : 'float32';
  let a = asTensor(x, dt);
  let b = asTensor(y, dt);
  let dtype = promote(a.dtype, b.dtype);
  if (dtype === 'bool') dtype = 'float32';
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) {
    throw shapeError(op, `shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not broadcast (trailing dimensions must be equal or 1); reshape or transpose one of them`);
  }
  return [a, b, shape, dtype];
}

function arith(def: OpDef, x: TensorLike, y: TensorLike): Tensor {
  const [a, b, shape, dtype] = prepare(def.name, x, y);
  const out = compute('binary', [rawExpand(a, shape), rawExpand(b, shape)], { fn: def.name }, shape, dtype, def.name);
  return record(def, [a, b], {}, out);
}

export const add = (a: TensorLike, b: TensorLike) => arith(Add, a, b);
export const sub = (a: TensorLike, b: TensorLike) => arith(Sub, a, b);
export const mul = (a: TensorLike, b: TensorLike) => arith(Mul, a, b);
export const div = (a: TensorLike, b: TensorLike) => arith(Div, a, b);
export const maximum = (a: TensorLike, b: TensorLike) => arith(Maximum, a, b);
export const minimum = (a: TensorLike, b: TensorLike) => arith(Minimum, a, b);

/** a ** b. A number exponent takes the cheaper scalar rule (powScalar); complex bases need a number exponent. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof b === 'number' && typeof a !== 'number') return powScalar(a, b);
  if ([a, b].some((t) => typeof t !== 'number' && isComplex(t.dtype))) throw typeError('pow', 'a complex base needs a plain number exponent, e.g. z^2');
  return arith(Pow, a, b);
}

const PowScalar: OpDef = {
  name: 'pow',
  gradName: 'PowBackward0',
  formulas: ['{g} * {p} * {x0}^({p} - 1)'],
  backward: (g, { inputs: [a], attrs: { p } }) => [p === 0 ? mul(g, 0) : mul(g, conj(mul(powScalar(a, p - 1), p)))],
};

export function powScalar(a: Tensor, p: number): Tensor {
  let out: Tensor;
  if (p === 2) out = compute('binary', [a, a], { fn: 'mul' }, a.shape, a.dtype, 'pow');
  else if (isComplex(a.dtype)) {
    if (!Number.isInteger(p) || p < 1) throw typeError('pow', 'a complex base supports positive integer exponents only, e.g. z^2');
    out = a;
    for (let i = 1; i < p; i++) out = compute('binary', [out, a], { fn: 'mul' }, a.shape, a.dtype, 'pow');
    if (p === 1) out = compute('copy', [a], {}, a.shape, a.dtype, 'pow');
  } else out = compute('binary', [a, rawExpand(asTensor(p, a.dtype), a.shape)], { fn: 'pow' }, a.shape, a.dtype, 'pow');
  return record(PowScalar, [a], { p }, out);
}

/** atan2 has no recorded rule: it serves angle(), whose own rule is exact. */
export function atan2Raw(y: Tensor, x: Tensor): Tensor {
  const [a, b, shape, dtype] = prepare('atan2', y, x);
  return compute('binary', [rawExpand(a, shape), rawExpand(b, shape)], { fn: 'atan2' }, shape, dtype, 'atan2');
}

/** Comparisons give bool tensors and are not differentiable (PyTorch's rule); the cut is remembered. */
function compare(fn: string, x: TensorLike, y: TensorLike): Tensor {
  const [a, b, shape] = prepare(fn, x, y);
  if (isComplex(a.dtype) && fn !== 'eq' && fn !== 'ne') throw typeError(fn, 'complex numbers cannot be ordered; compare abs(z) or real(z)');
  const out = compute('binary', [rawExpand(a, shape), rawExpand(b, shape)], { fn }, shape, 'bool', fn);
  return cut(out, `the comparison ${fn}`, [a, b]);
}

export const eq = (a: TensorLike, b: TensorLike) => compare('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike) => compare('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike) => compare('lt', a, b);
export const le = (a: TensorLike, b: TensorLike) => compare('le', a, b);
export const gt = (a: TensorLike, b: TensorLike) => compare('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike) => compare('ge', a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike) => compare('and', a, b);
export const logicalOr = (a: TensorLike, b: TensorLike) => compare('or', a, b);

export const BINARY_OPS = { Add, Sub, Mul, Div, Pow, PowScalar, Maximum, Minimum };
