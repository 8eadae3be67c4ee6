import { isComplex, realOf } from '../dtype';
import { record } from '../engine';
import { typeError } from '../errors';
import type { OpDef } from '../graph';
import { normAxes, sameShape, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { div, eq, mul, pow } from './binary';
import { abs } from './unary';
import { where } from './where';
import { expand, reshape } from './shape';
import { compute, rawExpand, scalar } from './util';

/**
 * Reductions. Only sum, max and min are kernels; mean and norm are composites or small rules over them.
 * Every rule first restores the reduced dimensions (keepdim shape), then expands to the input's shape.
 */
export interface ReduceOptions {
  axis?: number | readonly number[] | null;
  keepdim?: boolean;
}

const keptShape = (shape: readonly number[], axes: readonly number[]) =>
  shape.map((d, i) => (axes.includes(i) ? 1 : d));

/** Brings a reduced gradient back to the input's shape. */
function unreduce(g: Tensor, inShape: readonly number[], axes: readonly number[]): Tensor {
  return expand(reshape(g, keptShape(inShape, axes)), inShape);
}

const Sum: OpDef = {
  name: 'sum',
  gradName: 'SumBackward0',
  formulas: ['expand({g})'],
  backward: (g, { inputMeta: [m], attrs: { axes } }) => [unreduce(g, m.shape, axes)],
};

/** max/min: the gradient goes to the elements equal to the result, split evenly among ties (PyTorch's amax). */
const extremum = (name: 'max' | 'min'): OpDef => ({
  name,
  gradName: name === 'max' ? 'AmaxBackward0' : 'AminBackward0',
  formulas: [`{g} * ({x0} == ${name}) / count`],
  saveOut: true,
  backward: (g, { inputs: [x], out, attrs: { axes } }) => {
    const hit = eq(x, unreduce(out, x.shape, axes));
    const count = unreduce(reduceRaw('sum', hit, axes), x.shape, axes);
    return [div(mul(unreduce(g, x.shape, axes), hit), count)];
  },
});
const Max = extremum('max');
const Min = extremum('min');

function reduceRaw(fn: 'sum' | 'max' | 'min', x: Tensor, axes: number[]): Tensor {
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const dtype = x.dtype === 'bool' ? 'float32' : x.dtype;
  return compute('reduce', [x], { fn, axes }, shape, dtype, fn);
}

function reduce(def: OpDef, x: Tensor, opts: ReduceOptions): Tensor {
  const axes = normAxes(opts.axis, x.rank, def.name);
  if (def !== Sum && isComplex(x.dtype))
    throw typeError(def.name, `${def.name} is not defined for complex tensors; reduce abs(z) or real(z)`);
  if (def !== Sum && axes.some((a) => x.shape[a] === 0))
    throw typeError(def.name, `cannot take the ${def.name} of an empty dimension`);
  let out = record(def, [x], { axes }, reduceRaw(def.name as 'sum', x, axes));
  if (opts.keepdim) out = reshape(out, keptShape(x.shape, axes));
  return out;
}

export const sum = (x: Tensor, opts: ReduceOptions = {}) => reduce(Sum, x, opts);
export const max = (x: Tensor, opts: ReduceOptions = {}) => reduce(Max, x, opts);
export const min = (x: Tensor, opts: ReduceOptions = {}) => reduce(Min, x, opts);

const Mean: OpDef = {
  name: 'mean',
  gradName: 'MeanBackward0',
  formulas: ['expand({g}) / n'],
  backward: (g, { inputMeta: [m], attrs: { axes, n } }) => [div(unreduce(g, m.shape, axes), n)],
};

export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = normAxes(opts.axis, x.rank, 'mean');
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  const s = reduceRaw('sum', x, axes);
  let out = record(
    Mean,
    [x],
    { axes, n },
    compute('binary', [s, rawExpand(scalar(n, s.dtype), s.shape)], { fn: 'div' }, s.shape, s.dtype, 'mean'),
  );
  if (opts.keepdim) out = reshape(out, keptShape(x.shape, axes));
  return out;
}

/**
 * The 2-norm. Its own rule (x / norm) rather than the sqrt(sum(x^2)) composite, so the gradient at 0 is 0,
 * as PyTorch's, not NaN.
 */
const Norm: OpDef = {
  name: 'norm',
  gradName: 'NormBackward1',
  formulas: ['{g} * {x0} / {out}'],
  saveOut: true,
  backward: (g, { inputs: [x], out, attrs: { axes } }) => {
    const n = unreduce(out, x.shape, axes);
    return [mul(unreduce(g, x.shape, axes), div(x, where(eq(n, 0), 1, n)))];
  },
};

function norm2(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const axes = normAxes(opts.axis, x.rank, 'norm');
  const a = isComplex(x.dtype) ? abs(x) : x;
  const squares = compute('binary', [a, a], { fn: 'mul' }, a.shape, realOf(a.dtype), 'norm');
  const s = reduceRaw('sum', squares, axes);
  let out = record(Norm, [a], { axes }, compute('unary', [s], { fn: 'sqrt' }, s.shape, s.dtype, 'norm'));
  if (opts.keepdim) out = reshape(out, keptShape(x.shape, axes));
  return out;
}

export interface NormOptions extends ReduceOptions {
  /** 2 (default), 1, any positive number, Infinity or -Infinity. */
  p?: number;
}

/** The p-norm: p = 2 by the rule above; the others compose abs, sum, max, min and pow. */
export function norm(x: Tensor, opts: NormOptions = {}): Tensor {
  const p = opts.p ?? 2;
  if (p === 2) return norm2(x, opts);
  if (!(p > 0) && p !== -Infinity) throw typeError('norm', `p must be positive, inf or -inf, got ${p}`);
  const a = abs(x);
  if (p === Infinity) return max(a, opts);
  if (p === -Infinity) return min(a, opts);
  if (p === 1) return sum(a, opts);
  return pow(sum(pow(a, p), opts), 1 / p);
}

/** Sums a broadcast gradient back to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? sum(g, { axis: axes }) : g;
  return sizeOf(s.shape) === sizeOf(shape) && !sameShape(s.shape, shape) ? reshape(s, shape) : s;
}
