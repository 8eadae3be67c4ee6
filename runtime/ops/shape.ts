import { promote } from '../dtype';
import { cut, record } from '../engine';
import { shapeError, typeError } from '../errors';
import type { OpDef } from '../graph';
import { contiguousStrides, fmtShape, normAxis, sameShape, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { cast } from './casts';
import { ruleOps } from './rule-ops';
import { compute, rawContiguous, rawView } from './util';

/**
 * Shape ops. reshape/permute/expand/slices are views (no copy); their rules are the inverse view, or for
 * expand the sum back; slices and gathers pair with scatters whose own rules are the slice or gather again,
 * so every order of derivative works.
 */
const Reshape: OpDef = {
  name: 'reshape',
  gradName: 'ViewBackward0',
  formulas: ['reshape({g})'],
  backward: (g, { inputMeta: [m] }) => [reshape(g, m.shape)],
};
const Permute: OpDef = {
  name: 'permute',
  gradName: 'PermuteBackward0',
  formulas: ['permute({g})'],
  backward: (g, { attrs: { perm } }) => [permute(g, inversePerm(perm))],
};
const Expand: OpDef = {
  name: 'expand',
  gradName: 'ExpandBackward0',
  formulas: ['sum({g})'],
  backward: (g, { inputMeta: [m] }) => [ruleOps().sumTo(g, m.shape)],
};
const Clone: OpDef = { name: 'clone', gradName: 'CloneBackward0', formulas: ['{g}'], backward: (g) => [g] };

const inversePerm = (p: number[]) => p.map((_, i) => p.indexOf(i));

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(x, shape);
  if (sameShape(x.shape, target)) return x;
  const base = x.isContiguous ? x : rawContiguous(x);
  return record(Reshape, [x], {}, rawView(base, target, contiguousStrides(target), base.offset, 'reshape'));
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  const s = [...shape];
  const free = s.indexOf(-1);
  if (free >= 0) {
    const known = s.reduce((p, d, i) => (i === free ? p : p * d), 1);
    s[free] = known === 0 ? 0 : x.size / known;
  }
  if (s.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(s) !== x.size) {
    throw shapeError(
      'reshape',
      `cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}; the number of elements must stay the same`,
    );
  }
  return s;
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normAxis(a, x.rank, 'permute'));
  if (p.length !== x.rank || new Set(p).size !== p.length) {
    throw shapeError('permute', `expected a permutation of ${x.rank} axes, got [${perm.join(', ')}]`);
  }
  if (p.every((a, i) => a === i)) return x;
  return record(
    Permute,
    [x],
    { perm: p },
    rawView(
      x,
      p.map((a) => x.shape[a]),
      p.map((a) => x.strides[a]),
      x.offset,
      'permute',
    ),
  );
}

/** Swaps two axes (default: the last two, so a matrix is transposed). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  if (x.rank < 2) return x;
  const perm = [...Array(x.rank).keys()];
  const [i, j] = [normAxis(a, x.rank, 'transpose'), normAxis(b, x.rank, 'transpose')];
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

export function squeeze(x: Tensor, axis: number | null = null): Tensor {
  if (axis === null)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normAxis(axis, x.rank, 'squeeze');
  if (x.shape[a] !== 1) return x;
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank + 1, 'unsqueeze');
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}

export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}

/** Broadcasts to `shape` without copying; -1 keeps a dimension. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.rank;
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - lead] : d));
  if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== target[i + lead])) {
    throw shapeError(
      'expand',
      `cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}; only dimensions of size 1 can grow`,
    );
  }
  if (sameShape(x.shape, target)) return x;
  const strides = target.map((d, i) => (i < lead || (x.shape[i - lead] === 1 && d !== 1) ? 0 : x.strides[i - lead]));
  return record(Expand, [x], {}, rawView(x, target, strides, x.offset, 'expand'));
}

export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous) return x;
  return record(Clone, [x], {}, compute('copy', [x], {}, x.shape, x.dtype, 'contiguous'));
}

export function clone(x: Tensor): Tensor {
  return record(Clone, [x], {}, compute('copy', [x], {}, x.shape, x.dtype, 'clone'));
}

/** Same values, no history: the value leaves the graph here, and the tensor remembers it did. */
export function detach(x: Tensor): Tensor {
  const out = rawView(x, x.shape, x.strides, x.offset, 'detach');
  return cut(out, 'detach', [x]);
}

// ---- slicing ---------------------------------------------------------------------------------------

/** One index item: a number (drops the dim), a slice, `null` (adds a dim of 1), or an integer tensor. */
export type IndexItem =
  number | { start?: number | null; stop?: number | null; step?: number | null } | null | Tensor | number[];

/**
 * A basic-indexing window, independent of strides: per source dim a start, and per result dim the source
 * dim it walks (-1 for an inserted axis) with its step. Applied to a tensor's strides it makes a view; applied
 * to a contiguous layout it tells scatterView where the gradient goes.
 */
interface Window {
  shape: number[];
  dims: number[];
  steps: number[];
  starts: number[];
}

const layout = (w: Window, shape: readonly number[], strides: readonly number[], offset: number) => ({
  offset: offset + w.starts.reduce((o, st, d) => o + st * strides[d], 0),
  strides: w.dims.map((d, k) => (d < 0 ? 0 : w.steps[k] * strides[d])),
});

const Slice: OpDef = {
  name: 'index',
  gradName: 'SliceBackward0',
  formulas: ['scatter({g}) into zeros'],
  backward: (g, { inputMeta: [m], attrs: { window } }) => [sliceScatter(g, m.shape, window)],
};
const SliceScatter: OpDef = {
  name: 'slice_scatter',
  gradName: 'SliceScatterBackward0',
  formulas: ['{g}[window]'],
  backward: (g, { attrs: { window } }) => [windowOf(contiguous(g), window)],
};

function windowOf(x: Tensor, w: Window): Tensor {
  const { offset, strides } = layout(w, x.shape, x.strides, x.offset);
  return record(Slice, [x], { window: w }, rawView(x, w.shape, strides, offset, 'index'));
}

function sliceScatter(g: Tensor, shape: readonly number[], w: Window): Tensor {
  const { offset, strides } = layout(w, shape, contiguousStrides(shape), 0);
  const out = compute('scatterView', [g], { offset, strides }, shape, g.dtype, 'slice_scatter');
  return record(SliceScatter, [g], { window: w }, out);
}

/**
 * x[items]: numbers, slices and null make a view (recorded as one Slice node); an integer tensor or list
 * selects along its axis with a gather. Negative indices count from the end, as in NumPy.
 */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  const w: Window = { shape: [], dims: [], steps: [], starts: x.shape.map(() => 0) };
  const gathers: { axis: number; idx: Int32Array }[] = [];
  const used = items.filter((it) => it !== null).length;
  if (used > x.rank) throw shapeError('index', `too many indices (${used}) for a tensor of rank ${x.rank}`);
  const keep = (dim: number, len: number, step: number) => {
    w.shape.push(len);
    w.dims.push(dim);
    w.steps.push(step);
  };
  let dim = 0;
  for (const it of items) {
    if (it === null) {
      keep(-1, 1, 0);
      continue;
    }
    const n = x.shape[dim];
    if (typeof it === 'number') {
      const i = it < 0 ? it + n : it;
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw shapeError('index', `index ${it} is out of range for dimension ${dim} of size ${n}`);
      w.starts[dim] = i;
    } else if (it instanceof Tensor || Array.isArray(it)) {
      gathers.push({ axis: w.shape.length, idx: toIndexArray(it, n, dim) });
      keep(dim, n, 1);
    } else {
      const step = it.step ?? 1;
      if (!Number.isInteger(step) || step <= 0) throw shapeError('index', 'slice steps must be positive integers');
      const clampEnd = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      const start = it.start == null ? 0 : clampEnd(it.start);
      const stop = it.stop == null ? n : clampEnd(it.stop);
      w.starts[dim] = start;
      keep(dim, Math.max(0, Math.ceil((stop - start) / step)), step);
    }
    dim++;
  }
  for (; dim < x.rank; dim++) keep(dim, x.shape[dim], 1);
  if (gathers.length > 1)
    throw shapeError('index', 'only one integer-tensor index per indexing is supported; index twice instead');
  const identity =
    sameShape(w.shape, x.shape) &&
    w.dims.every((d, k) => d === k && w.steps[k] === 1) &&
    w.starts.every((s0) => s0 === 0);
  let out = identity ? x : windowOf(x, w);
  for (const g of gathers) out = gather(out, g.axis, g.idx);
  return out;
}

function toIndexArray(it: Tensor | number[], n: number, dim: number): Int32Array {
  const vals = it instanceof Tensor ? Array.from(it.toHost()) : (it.flat(Infinity as 1) as number[]);
  return Int32Array.from(vals, (v) => {
    const i = v < 0 ? v + n : v;
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw shapeError('index', `index ${v} is out of range for dimension ${dim} of size ${n}`);
    return i;
  });
}

const Gather: OpDef = {
  name: 'gather',
  gradName: 'IndexSelectBackward0',
  formulas: ['index_add(zeros, {g})'],
  backward: (g, { inputMeta: [m], attrs: { axis, index } }) => [indexAdd(g, axis, index, m.shape)],
};
const IndexAdd: OpDef = {
  name: 'index_add',
  gradName: 'IndexAddBackward0',
  formulas: ['gather({g})'],
  backward: (g, { attrs: { axis, index } }) => [gather(g, axis, index)],
};

export function gather(x: Tensor, axis: number, idx: Int32Array): Tensor {
  const shape = [...x.shape];
  shape[axis] = idx.length;
  return record(
    Gather,
    [x],
    { axis, index: idx },
    compute('gather', [x], { axis, index: idx }, shape, x.dtype, 'gather'),
  );
}

export function indexAdd(src: Tensor, axis: number, idx: Int32Array, shape: readonly number[]): Tensor {
  return record(
    IndexAdd,
    [src],
    { axis, index: idx },
    compute('indexAdd', [src], { axis, index: idx }, shape, src.dtype, 'index_add'),
  );
}

// ---- joining -----------------------------------------------------------------------------------------

const Concat: OpDef = {
  name: 'concat',
  gradName: 'CatBackward0',
  formulas: ['split({g})'],
  backward: (g, { inputMeta, attrs: { axis } }) => {
    let start = 0;
    return inputMeta.map((m) => {
      const items: IndexItem[] = g.shape.map((_, d) =>
        d === axis ? { start, stop: start + m.shape[axis] } : { start: null },
      );
      start += m.shape[axis];
      return index(g, items);
    });
  },
};

export function concat(list: readonly Tensor[], axis = 0): Tensor {
  if (list.length === 0) throw typeError('concat', 'needs at least one tensor');
  const first = list[0];
  const a = normAxis(axis, first.rank, 'concat');
  const dtype = list.map((t) => t.dtype).reduce(promote);
  const ts = list.map((t) => cast(t, dtype));
  ts.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw shapeError(
        'concat',
        `tensor ${i + 1} has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} outside axis ${a}`,
      );
    }
  });
  const shape = [...first.shape];
  shape[a] = ts.reduce((s, t) => s + t.shape[a], 0);
  return record(Concat, ts, { axis: a }, compute('concat', ts, { axis: a }, shape, dtype, 'concat'));
}

export function stack(list: readonly Tensor[], axis = 0): Tensor {
  if (list.length === 0) throw typeError('stack', 'needs at least one tensor');
  const a = normAxis(axis, list[0].rank + 1, 'stack');
  list.forEach((t, i) => {
    if (!sameShape(t.shape, list[0].shape))
      throw shapeError(
        'stack',
        `tensor ${i + 1} has shape ${fmtShape(t.shape)}, but the first has ${fmtShape(list[0].shape)}; stack needs equal shapes`,
      );
  });
  return concat(
    list.map((t) => unsqueeze(t, a)),
    a,
  );
}
