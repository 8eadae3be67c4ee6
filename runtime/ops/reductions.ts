import { isComplex } from '../dtype';
import { typeError } from '../errors';
import { noGrad } from '../mode';
import { normAxes, normAxis } from '../shape';
import type { Tensor } from '../tensor';
import { exp, isfinite, log } from './unary';
import { add, div, eq, gt, mul, ne, sub } from './binary';
import { tensor } from './creation';
import { matmul } from './matmul';
import { max, mean, min, norm, sum, type ReduceOptions } from './reduce';
import { concat, contiguous, detach, index, permute, reshape, stack, transpose } from './shape';
import { where } from './where';
import { registerFamily, type OpEntry, type ParamDecl } from './registry';

/**
 * The reductions beyond sum/mean/max/min (reduce.ts), each a composition of differentiable ops, so their
 * gradients, second derivatives and every backend come from the ops they are made of. Declared once, as
 * the 'reduction' family of the op registry (the table at the bottom); the builtins derive from it.
 */
export interface AxisOptions extends ReduceOptions {}

const keptShape = (shape: readonly number[], axes: readonly number[]) =>
  shape.map((d, i) => (axes.includes(i) ? 1 : d));
const finish = (out: Tensor, x: Tensor, axes: number[], keepdim?: boolean) =>
  keepdim ? reshape(out, keptShape(x.shape, axes)) : out;
const realOnly = (x: Tensor, name: string) => {
  if (isComplex(x.dtype)) throw typeError(name, `${name} is not defined for complex tensors; reduce abs(z) or real(z)`);
};

/** The reduced axes moved last and flattened: [kept..., K] as a [K, M] stack of rows (row k: the k-th reduced element). */
function rowsOf(x: Tensor, axes: number[]): { rows: Tensor; keptDims: number[] } {
  const rest = [...Array(x.rank).keys()].filter((a) => !axes.includes(a));
  const keptDims = rest.map((a) => x.shape[a]);
  const K = axes.reduce((p, a) => p * x.shape[a], 1);
  const M = keptDims.reduce((p, d) => p * d, 1);
  const moved = x.rank ? permute(x, [...rest, ...axes]) : x;
  return { rows: transpose(reshape(contiguous(moved), [M, K]), 0, 1), keptDims };
}

/** Product: the rows multiplied pairwise in a tree (log2 K ops), so a zero gives exact gradients. */
export function prod(x: Tensor, opts: ReduceOptions = {}): Tensor {
  realOnly(x, 'prod');
  const axes = normAxes(opts.axis, x.rank, 'prod');
  let { rows, keptDims } = rowsOf(x, axes);
  if (rows.shape[0] === 0) return finish(reshape(add(sum(rows, { axis: 0 }), 1), keptDims), x, axes, opts.keepdim);
  while (rows.shape[0] > 1) {
    const half = Math.floor(rows.shape[0] / 2);
    const pairs = mul(index(rows, [{ start: 0, stop: half }]), index(rows, [{ start: half, stop: 2 * half }]));
    rows = rows.shape[0] % 2 ? concat([pairs, index(rows, [{ start: 2 * half, stop: null }])], 0) : pairs;
  }
  return finish(reshape(rows, keptDims), x, axes, opts.keepdim);
}

export interface VarOptions extends ReduceOptions {
  /** Divide by N - correction (PyTorch's default 1: the unbiased estimate). */
  correction?: number;
}

export function variance(x: Tensor, opts: VarOptions = {}): Tensor {
  realOnly(x, 'var');
  const axes = normAxes(opts.axis, x.rank, 'var');
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  const d = sub(x, mean(x, { axis: axes, keepdim: true }));
  const s = sum(mul(d, d), { axis: axes, keepdim: opts.keepdim });
  return div(s, Math.max(n - (opts.correction ?? 1), 0));
}

/**
 * sqrt(var) written as the 2-norm of the deviations over sqrt(N - correction): the norm's rule gives 0 where
 * every element is equal (as PyTorch's std), where sqrt's would give 0/0.
 */
export function std(x: Tensor, opts: VarOptions = {}): Tensor {
  realOnly(x, 'std');
  const axes = normAxes(opts.axis, x.rank, 'std');
  const n = axes.reduce((p, a) => p * x.shape[a], 1);
  const d = sub(x, mean(x, { axis: axes, keepdim: true }));
  return div(norm(d, { axis: axes, keepdim: opts.keepdim }), Math.sqrt(Math.max(n - (opts.correction ?? 1), 0)));
}

/** log(sum(exp(x))) with the maximum taken out first (held constant), so logits of 1000 do not overflow. */
export function logsumexp(x: Tensor, opts: ReduceOptions = {}): Tensor {
  realOnly(x, 'logsumexp');
  const axes = normAxes(opts.axis, x.rank, 'logsumexp');
  let m = detach(max(x, { axis: axes, keepdim: true }));
  // all -inf (or +inf) along an axis: shift by 0, so the result is -inf (or inf), not NaN
  m = where(isfinite(m), m, 0);
  m.name = 'max'; // what explain's formula calls it
  const out = add(log(sum(exp(sub(x, m)), { axis: axes, keepdim: true })), m);
  return opts.keepdim
    ? out
    : reshape(
        out,
        x.shape.filter((_, i) => !axes.includes(i)),
      );
}

/** Cumulative sum along an axis: one matmul with a triangle of ones (every backend runs matmul). */
export function cumsum(x: Tensor, axis: number): Tensor {
  realOnly(x, 'cumsum');
  if (x.rank === 0) return add(x, 0);
  const ax = normAxis(axis, x.rank, 'cumsum');
  const n = x.shape[ax];
  const tri = new Array<number[]>(n);
  for (let i = 0; i < n; i++) tri[i] = Array.from({ length: n }, (_, j) => (i <= j ? 1 : 0));
  const last = transpose(x, ax, -1);
  return transpose(matmul(last, tensor(tri, { dtype: x.dtype })), ax, -1);
}

/** Cumulative product along an axis, one multiplication per step (exact gradients at zeros). */
export function cumprod(x: Tensor, axis: number): Tensor {
  realOnly(x, 'cumprod');
  if (x.rank === 0) return add(x, 0);
  const ax = normAxis(axis, x.rank, 'cumprod');
  const first = transpose(x, ax, 0);
  if (first.shape[0] === 0) return add(x, 0);
  const outs = [index(first, [0])];
  for (let k = 1; k < first.shape[0]; k++) outs.push(mul(outs[k - 1], index(first, [k])));
  return transpose(stack(outs, 0), ax, 0);
}

/** The first index of the max (or min) along an axis, or of the flattened tensor; float32 numbers (exact below 2^24). */
function argExtremum(name: 'argmax' | 'argmin', x: Tensor, opts: { axis?: number | null; keepdim?: boolean }): Tensor {
  realOnly(x, name);
  return noGrad(() => {
    const flat = opts.axis === null || opts.axis === undefined;
    const src = flat ? reshape(x, [x.size]) : x;
    const ax = flat ? 0 : normAxis(opts.axis as number, x.rank, name);
    const n = src.shape[ax];
    if (n === 0) throw typeError(name, `cannot take the ${name} of an empty dimension`);
    const best = (name === 'argmax' ? max : min)(src, { axis: ax, keepdim: true });
    // NaN counts as the extreme (as PyTorch): it is where the max is NaN
    const hit = where(ne(best, best), ne(src, src), eq(src, best));
    const pos = reshape(
      tensor(
        Array.from({ length: n }, (_, i) => i),
        { dtype: 'float32' },
      ),
      src.shape.map((d, i) => (i === ax ? n : 1)),
    );
    const first = min(where(hit, pos, n), { axis: ax, keepdim: true });
    if (flat)
      return opts.keepdim
        ? reshape(
            first,
            x.shape.map(() => 1),
          )
        : reshape(first, []);
    return opts.keepdim
      ? first
      : reshape(
          first,
          src.shape.filter((_, i) => i !== ax),
        );
  });
}

export const argmax = (x: Tensor, opts: { axis?: number | null; keepdim?: boolean } = {}) =>
  argExtremum('argmax', x, opts);
export const argmin = (x: Tensor, opts: { axis?: number | null; keepdim?: boolean } = {}) =>
  argExtremum('argmin', x, opts);

/** Whether any (all) elements are nonzero, along axes: a bool tensor, not differentiable. */
export function any(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return noGrad(() => gt(sum(ne(x, 0), opts), 0));
}
export function all(x: Tensor, opts: ReduceOptions = {}): Tensor {
  return noGrad(() => eq(sum(eq(x, 0), opts), 0));
}

// ---- the registry family -----------------------------------------------------------------------------

const AXIS: ParamDecl = { name: 'axis', default: null };
const KEEPDIM: ParamDecl = { name: 'keepdim', default: false };
type Kw = { axis?: number | number[] | null; keepdim?: boolean; correction?: number; p?: number };
const entry = (
  name: string,
  doc: string,
  params: ParamDecl[],
  forward: (x: Tensor, kw: Kw) => Tensor,
  formula?: string,
): OpEntry & { forward: typeof forward } => ({
  name,
  family: 'reduction',
  doc,
  inputs: ['x'],
  params,
  formulas: formula ? [formula] : undefined,
  surface: 'builtin',
  forward,
});
const oneAxis = (name: string, kw: Kw) => {
  if (Array.isArray(kw.axis)) throw typeError(name, 'axis must be one number here');
  return kw.axis as number | null;
};
const requiredAxis = (name: string, kw: Kw) => {
  const a = oneAxis(name, kw);
  if (a === null || a === undefined)
    throw typeError(name, `give the axis to accumulate along, e.g. ${name}(x, axis=0)`);
  return a;
};

export const REDUCTIONS = [
  entry(
    'prod',
    'Product of the elements (all, or along axis=); exact gradients where an element is 0.',
    [AXIS, KEEPDIM],
    (x, kw) => prod(x, kw),
    'expand({g}) * prod_others({x0})',
  ),
  entry(
    'var',
    'Variance (all, or along axis=), dividing by N - correction (correction=1: unbiased, as PyTorch).',
    [AXIS, { name: 'correction', default: 1 }, KEEPDIM],
    (x, kw) => variance(x, kw),
    '2 * expand({g}) * ({x0} - mean({x0})) / (N - correction)',
  ),
  entry(
    'std',
    'Standard deviation: sqrt(var(x, axis, correction)).',
    [AXIS, { name: 'correction', default: 1 }, KEEPDIM],
    (x, kw) => std(x, kw),
    'where(expand({out}) == 0, 0, expand({g}) * ({x0} - mean({x0})) / ((N - correction) * expand({out})))',
  ),
  entry(
    'logsumexp',
    'log(sum(exp(x))) along axis=, computed stably (the maximum is taken out first).',
    [AXIS, KEEPDIM],
    (x, kw) => logsumexp(x, kw),
    'expand({g}) * exp({x0} - expand({out}))',
  ),
  entry(
    'norm',
    "The p-norm (p=2 by default; 1, any p > 0, inf, -inf), of all elements or along axis=. At 0 the 2-norm's gradient is 0, as PyTorch's.",
    [{ name: 'p', default: 2 }, AXIS, KEEPDIM],
    (x, kw) => norm(x, kw),
    'expand({g}) * sign({x0}) * where(abs(p) == inf, hit / sum(hit, axis), where(expand({out}) == 0, 0, (abs({x0}) / expand({out}))^(p - 1))), hit = abs({x0}) == expand({out})',
  ),
  entry(
    'cumsum',
    'Running sum along axis.',
    [{ name: 'axis', default: null }],
    (x, kw) => cumsum(x, requiredAxis('cumsum', kw)),
    'revcumsum({g}, axis)',
  ),
  entry(
    'cumprod',
    'Running product along axis.',
    [{ name: 'axis', default: null }],
    (x, kw) => cumprod(x, requiredAxis('cumprod', kw)),
    'where({x0} != 0, revcumsum({g} * {out}, axis) / {x0}, revcumsum({g} * cumprod(first_zero_to_one({x0}, axis), axis), axis))',
  ),
  entry(
    'argmax',
    'Index of the (first) largest element, of the flattened tensor or along axis=. Not differentiable.',
    [AXIS, KEEPDIM],
    (x, kw) => argmax(x, { axis: oneAxis('argmax', kw), keepdim: kw.keepdim }),
  ),
  entry(
    'argmin',
    'Index of the (first) smallest element, of the flattened tensor or along axis=. Not differentiable.',
    [AXIS, KEEPDIM],
    (x, kw) => argmin(x, { axis: oneAxis('argmin', kw), keepdim: kw.keepdim }),
  ),
  entry('any', 'Whether any element is nonzero (all, or along axis=): a bool tensor.', [AXIS, KEEPDIM], (x, kw) =>
    any(x, kw),
  ),
  entry('all', 'Whether every element is nonzero (all, or along axis=): a bool tensor.', [AXIS, KEEPDIM], (x, kw) =>
    all(x, kw),
  ),
];
registerFamily('reduction', REDUCTIONS);
