import { allocHost, isComplex, lanes, promote, type DType } from '../../dtype';
import { shapeError, typeError } from '../../errors';
import { broadcastShapes, contiguousStrides, fmtShape, normAxis, sizeOf } from '../../shape';
import { Tensor } from '../../tensor';
import { add } from '../binary';
import { cast } from '../complex';
import { sum } from '../reduce';
import { concat, expand, gather, index, indexAdd, reshape, type IndexItem } from '../shape';
import { where } from '../where';
import { registerFamily } from '../registry';
import { checkResultSize, p, registryEntry, type FamilyRow } from './entry';

/**
 * Indexing and shape ops, PyTorch's names and defaults (`axis` is Nabla's spelling of torch's `dim`). Every
 * op here is composite: it moves values with gather / index_add (whose rules are each other, so every order
 * of derivative works) and concat, with integer index maps computed on the host from shapes and indices.
 * Integer results (sort's indices) are float32 tensors of whole numbers, with no gradient.
 */

/** Integer indices: a tensor, a number, or a (nested) list of whole numbers. */
export type IndexLike = Tensor | number | readonly unknown[];

/** Integer indices from a tensor or a (nested) list, with their shape; non-integers are refused. */
export function indexValues(v: IndexLike, op: string, what = 'index'): { shape: number[]; data: number[] } {
  if (typeof v === 'number') v = [v];
  let shape: number[];
  let data: number[];
  if (v instanceof Tensor) {
    if (isComplex(v.dtype)) throw typeError(op, `the ${what} must hold whole numbers, got a complex tensor`);
    shape = [...v.shape];
    data = Array.from(v.toHost());
  } else {
    shape = [];
    for (let l: unknown = v; Array.isArray(l); l = l[0]) shape.push(l.length);
    data = (v as unknown[]).flat(Infinity) as number[];
    if (data.length !== sizeOf(shape))
      throw shapeError(op, `the ${what} list is ragged; give every row the same length`);
  }
  data.forEach((d) => {
    if (typeof d !== 'number' || !Number.isInteger(d))
      throw typeError(op, `the ${what} must hold whole numbers, got ${String(d)}`);
  });
  return { shape, data };
}

/** Position in a row-major tensor of `shape` of the multi-index of flat element i of `within`. */
function coords(i: number, within: readonly number[]): number[] {
  const c = new Array(within.length);
  for (let d = within.length - 1; d >= 0; d--) {
    c[d] = i % within[d];
    i = Math.floor(i / within[d]);
  }
  return c;
}

const checkIndex = (op: string, i: number, n: number, axis: number, shape: readonly number[]) => {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n)
    throw shapeError(
      op,
      `index ${i} is out of range for axis ${axis} of size ${n} (the tensor has shape ${fmtShape(shape)}); indices must lie in [${-n}, ${n - 1}]`,
    );
  return j;
};

/** Flat positions in x (row-major) of torch.gather(x, axis, idx): idx's coordinates with idx's value on `axis`. */
function alongAxisPositions(
  op: string,
  xShape: readonly number[],
  axis: number,
  idxShape: readonly number[],
  data: readonly number[],
): Int32Array {
  const xs = contiguousStrides(xShape);
  return Int32Array.from(data, (v, i) => {
    const c = coords(i, idxShape);
    c[axis] = checkIndex(op, v, xShape[axis], axis, xShape);
    return c.reduce((o, cd, d) => o + cd * xs[d], 0);
  });
}

/** Values of x at flat positions, as a tensor of `shape` (differentiable: gather, whose rule is index_add). */
const takeFlat = (x: Tensor, pos: Int32Array, shape: readonly number[]) =>
  reshape(gather(reshape(x, [x.size]), 0, pos), shape);

const indexTensor = (data: ArrayLike<number>, shape: readonly number[]) =>
  Tensor.fromHost(Float32Array.from(data), shape, 'float32', 'indices');

// ---- gathers ------------------------------------------------------------------------------------------

export function gatherAlong(x: Tensor, axis: number, idx: IndexLike): Tensor {
  const a = normAxis(axis, x.rank, 'gather');
  const { shape, data } = indexValues(idx, 'gather');
  if (shape.length !== x.rank)
    throw shapeError(
      'gather',
      `the index has rank ${shape.length} but the input ${fmtShape(x.shape)} has rank ${x.rank}; they must match (unsqueeze the index)`,
    );
  shape.forEach((d, k) => {
    if (k !== a && d > x.shape[k])
      throw shapeError(
        'gather',
        `index shape ${fmtShape(shape)} is larger than the input ${fmtShape(x.shape)} on axis ${k}; only axis ${a} may be larger`,
      );
  });
  return takeFlat(x, alongAxisPositions('gather', x.shape, a, shape, data), shape);
}

export function indexSelect(x: Tensor, axis: number, idx: IndexLike): Tensor {
  const a = normAxis(axis, x.rank, 'index_select');
  const { shape, data } = indexValues(idx, 'index_select');
  if (shape.length > 1) throw shapeError('index_select', `the index must be a vector, got shape ${fmtShape(shape)}`);
  return gather(
    x,
    a,
    Int32Array.from(data, (v) => checkIndex('index_select', v, x.shape[a], a, x.shape)),
  );
}

/** NumPy's take_along_axis / torch.take_along_dim: like gather, with x and the indices broadcast off the axis. */
export function takeAlongAxis(x: Tensor, idx: IndexLike, axis: number | null): Tensor {
  const { shape, data } = indexValues(idx, 'take_along_axis');
  if (axis === null)
    return takeFlat(
      x,
      Int32Array.from(data, (v) => checkIndex('take_along_axis', v, x.size, 0, [x.size])),
      shape,
    );
  const a = normAxis(axis, x.rank, 'take_along_axis');
  if (shape.length !== x.rank)
    throw shapeError(
      'take_along_axis',
      `the indices have rank ${shape.length} but the input ${fmtShape(x.shape)} has rank ${x.rank}; they must match`,
    );
  const xb = x.shape.map((d, k) => (k === a ? 1 : d));
  const ib = shape.map((d, k) => (k === a ? 1 : d));
  const b = broadcastShapes(xb, ib);
  if (!b)
    throw shapeError(
      'take_along_axis',
      `the input ${fmtShape(x.shape)} and indices ${fmtShape(shape)} do not broadcast outside axis ${a}`,
    );
  const xe = expand(
    x,
    b.map((d, k) => (k === a ? x.shape[a] : d)),
  );
  const ishape = b.map((d, k) => (k === a ? shape[a] : d));
  checkResultSize('take_along_axis', ishape);
  const istr = contiguousStrides(shape);
  const idata = Array.from({ length: sizeOf(ishape) }, (_, i) => {
    const c = coords(i, ishape);
    return data[c.reduce((o, cd, d) => o + (shape[d] === 1 ? 0 : cd) * istr[d], 0)];
  });
  return takeFlat(xe, alongAxisPositions('take_along_axis', xe.shape, a, ishape, idata), ishape);
}

/** torch.scatter_add: x with src[p] added at x[..., index[p], ...] along axis (duplicates accumulate). */
export function scatterAdd(x: Tensor, axis: number, idx: IndexLike, src: Tensor): Tensor {
  const a = normAxis(axis, x.rank, 'scatter_add');
  const { shape, data } = indexValues(idx, 'scatter_add');
  if (shape.length !== x.rank || src.rank !== x.rank) {
    throw shapeError(
      'scatter_add',
      `input ${fmtShape(x.shape)}, index ${fmtShape(shape)} and src ${fmtShape(src.shape)} must have the same rank`,
    );
  }
  shape.forEach((d, k) => {
    if (d > src.shape[k] || (k !== a && d > x.shape[k])) {
      throw shapeError(
        'scatter_add',
        `index shape ${fmtShape(shape)} must be no larger than src ${fmtShape(src.shape)}, and than the input ${fmtShape(x.shape)} off axis ${a}`,
      );
    }
  });
  const dtype = promote(x.dtype, src.dtype);
  const part = index(
    cast(src, dtype),
    shape.map((d) => ({ start: 0, stop: d })),
  );
  const pos = alongAxisPositions('scatter_add', x.shape, a, shape, data);
  return add(cast(x, dtype), reshape(indexAdd(reshape(part, [part.size]), 0, pos, [x.size]), x.shape));
}

// ---- sorting --------------------------------------------------------------------------------------------

/** Stable argsort of every line along `axis`; NaN sorts as the largest value (PyTorch's order). */
function argsortLines(x: Tensor, axis: number, descending: boolean): number[] {
  if (isComplex(x.dtype)) throw typeError('sort', 'complex numbers cannot be ordered; sort abs(z) or real(z)');
  const h = x.toHost();
  const n = x.shape[axis];
  const stride = contiguousStrides(x.shape)[axis];
  const out = new Array<number>(x.size);
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  for (let base = 0; base < x.size; base++) {
    if (Math.floor(base / stride) % n !== 0) continue;
    const order = [...Array(n).keys()];
    const v = order.map((k) => h[base + k * stride]);
    order.sort((i, j) => {
      const [a, b] = [v[i], v[j]];
      if (Number.isNaN(a) || Number.isNaN(b))
        return Number.isNaN(a) === Number.isNaN(b) ? 0 : (Number.isNaN(a) ? 1 : -1) * (descending ? -1 : 1);
      return descending ? key(b) - key(a) : key(a) - key(b);
    });
    order.forEach((k, r) => (out[base + r * stride] = k));
  }
  return out;
}

/** Always stable, which PyTorch's stable=false also allows (it leaves the order of ties unspecified). */
export function sort(x: Tensor, axis = -1, descending = false, _stable = false): Tensor[] {
  if (x.rank === 0) return [x, indexTensor([0], [])];
  const a = normAxis(axis, x.rank, 'sort');
  const order = argsortLines(x, a, descending);
  return [takeFlat(x, alongAxisPositions('sort', x.shape, a, x.shape, order), x.shape), indexTensor(order, x.shape)];
}

export function topk(x: Tensor, k: number, axis = -1, largest = true, sorted = true): Tensor[] {
  const t = x.rank === 0 ? reshape(x, [1]) : x;
  const a = normAxis(axis, t.rank, 'topk');
  if (!Number.isInteger(k) || k < 0 || k > t.shape[a])
    throw shapeError(
      'topk',
      `k = ${k} must be a whole number between 0 and ${t.shape[a]}, the size of axis ${a} of ${fmtShape(x.shape)}`,
    );
  void sorted; // the k values always come sorted, which PyTorch's sorted=false also allows
  const [vals, idx] = sort(t, a, largest);
  const items: IndexItem[] = t.shape.map((_, d) => (d === a ? { start: 0, stop: k } : { start: null }));
  const v = index(vals, items);
  const i = index(idx, items);
  return x.rank === 0 ? [reshape(v, []), reshape(i, [])] : [v, i];
}

// ---- rearranging ----------------------------------------------------------------------------------------

const axesList = (v: number | readonly number[], rank: number, op: string) => {
  const list = (typeof v === 'number' ? [v] : [...v]).map((a) => normAxis(a, rank, op));
  if (new Set(list).size !== list.length)
    throw shapeError(op, `axis listed twice in [${[...(typeof v === 'number' ? [v] : v)].join(', ')}]`);
  return list;
};

/** Gathers along one axis with an index map j -> map(j) for j < len. */
const remap = (x: Tensor, axis: number, len: number, map: (j: number) => number) =>
  gather(
    x,
    axis,
    Int32Array.from({ length: len }, (_, j) => map(j)),
  );

export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  let out = x;
  for (const a of axesList(dims, x.rank, 'flip')) out = remap(out, a, x.shape[a], (j) => x.shape[a] - 1 - j);
  return out;
}

export function roll(
  x: Tensor,
  shifts: number | readonly number[],
  dims: number | readonly number[] | null = null,
): Tensor {
  const s = typeof shifts === 'number' ? [shifts] : [...shifts];
  if (dims === null) {
    if (s.length !== 1)
      throw shapeError('roll', `without axes, roll takes one shift, got ${s.length}; give dims= to roll several axes`);
    return reshape(roll(reshape(x, [x.size]), s[0], 0), x.shape);
  }
  const axes = typeof dims === 'number' ? [dims] : [...dims];
  if (axes.length !== s.length)
    throw shapeError('roll', `${s.length} shifts for ${axes.length} axes; give one shift per axis`);
  let out = x;
  axes.forEach((ax, k) => {
    const a = normAxis(ax, x.rank, 'roll');
    const n = x.shape[a];
    if (n > 0) out = remap(out, a, n, (j) => (((j - s[k]) % n) + n) % n);
  });
  return out;
}

export function tile(x: Tensor, reps: number | readonly number[]): Tensor {
  const r = typeof reps === 'number' ? [reps] : [...reps];
  if (r.some((k) => !Number.isInteger(k) || k < 0))
    throw shapeError('tile', `repetitions must be whole numbers >= 0, got [${r.join(', ')}]`);
  const rank = Math.max(r.length, x.rank);
  const full = [...Array(rank - r.length).fill(1), ...r];
  checkResultSize(
    'tile',
    [...Array(rank - x.rank).fill(1), ...x.shape].map((d, a) => d * full[a]),
  );
  let out = reshape(x, [...Array(rank - x.rank).fill(1), ...x.shape]);
  full.forEach((k, a) => {
    const n = out.shape[a];
    if (k !== 1) out = remap(out, a, n * k, (j) => j % n);
  });
  return out;
}

export function repeatInterleave(x: Tensor, repeats: IndexLike, axis: number | null = null): Tensor {
  const t = axis === null ? reshape(x, [x.size]) : x;
  const a = normAxis(axis ?? 0, t.rank, 'repeat_interleave');
  const n = t.shape[a];
  const { shape, data } = indexValues(repeats, 'repeat_interleave', 'repeats');
  const reps = shape.length === 0 || data.length === 1 ? Array(n).fill(data[0]) : data;
  if (reps.length !== n)
    throw shapeError(
      'repeat_interleave',
      `${reps.length} repeats for axis ${a} of size ${n}; give one number, or one per element`,
    );
  if (reps.some((k) => k < 0)) throw shapeError('repeat_interleave', 'repeats must be >= 0');
  checkResultSize(
    'repeat_interleave',
    t.shape.map((d, k) => (k === a ? reps.reduce((s, r) => s + r, 0) : d)),
  );
  const map: number[] = [];
  reps.forEach((k, j) => map.push(...Array(k).fill(j)));
  return gather(t, a, Int32Array.from(map));
}

/** A tensor of `shape` filled with value (on the real parts for complex). */
function filled(shape: readonly number[], dtype: DType, value: number): Tensor {
  const h = allocHost(dtype, sizeOf(shape));
  for (let i = 0; i < h.length; i += lanes(dtype)) h[i] = value;
  return Tensor.fromHost(h, shape, dtype, 'pad');
}

const PAD_MODES = ['constant', 'reflect', 'replicate', 'circular'];

/** torch.nn.functional.pad: `pad` lists (before, after) pairs from the last axis backwards. */
export function pad(x: Tensor, widths: number | readonly number[], mode = 'constant', value = 0): Tensor {
  const w = typeof widths === 'number' ? [widths, widths] : [...widths];
  if (w.length % 2 || w.length / 2 > x.rank)
    throw shapeError(
      'pad',
      `pad takes (before, after) pairs, at most one per axis of ${fmtShape(x.shape)}, from the last axis backwards; got [${w.join(', ')}]`,
    );
  if (w.some((k) => !Number.isInteger(k)))
    throw shapeError('pad', `pad widths must be whole numbers, got [${w.join(', ')}]`);
  if (!PAD_MODES.includes(mode)) throw typeError('pad', `mode '${mode}' is not one of ${PAD_MODES.join(', ')}`);
  checkResultSize(
    'pad',
    x.shape.map((d, a) => {
      const k = x.rank - 1 - a;
      return k < w.length / 2 ? Math.max(0, d + w[2 * k] + w[2 * k + 1]) : d;
    }),
  );
  let out = x;
  for (let k = 0; k < w.length / 2; k++) {
    const a = x.rank - 1 - k;
    const [lo, hi] = [w[2 * k], w[2 * k + 1]];
    const n = out.shape[a];
    if (n + lo + hi < 0)
      throw shapeError('pad', `negative padding [${lo}, ${hi}] removes more than the ${n} entries of axis ${a}`);
    if (mode === 'constant') {
      // negative widths crop, as in PyTorch
      const keep: IndexItem[] = out.shape.map((_, d) =>
        d === a ? { start: Math.max(-lo, 0), stop: n - Math.max(-hi, 0) } : { start: null },
      );
      out = index(out, keep);
      const block = (m: number) =>
        filled(
          out.shape.map((d, i) => (i === a ? m : d)),
          out.dtype,
          value,
        );
      const parts = [...(lo > 0 ? [block(lo)] : []), out, ...(hi > 0 ? [block(hi)] : [])];
      if (parts.length > 1) out = concat(parts, a);
      continue;
    }
    if (value !== 0) throw typeError('pad', `value= applies to mode 'constant' only, not '${mode}'`);
    if (lo < 0 || hi < 0) throw shapeError('pad', `mode '${mode}' takes widths >= 0, got [${lo}, ${hi}]`);
    const limit = mode === 'reflect' ? n - 1 : mode === 'circular' ? n : Infinity;
    if (n === 0 || lo > limit || hi > limit)
      throw shapeError(
        'pad',
        `mode '${mode}' needs each width at most ${mode === 'reflect' ? 'the size - 1' : 'the size'} of axis ${a} (${n}); got [${lo}, ${hi}]`,
      );
    const src = (i: number) =>
      mode === 'reflect'
        ? i < 0
          ? -i
          : i >= n
            ? 2 * (n - 1) - i
            : i
        : mode === 'replicate'
          ? Math.min(Math.max(i, 0), n - 1)
          : ((i % n) + n) % n;
    out = remap(out, a, n + lo + hi, (j) => src(j - lo));
  }
  return out;
}

// ---- triangles and diagonals ----------------------------------------------------------------------------

function triangle(op: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  if (x.rank < 2) throw shapeError(op, `needs a matrix (or a batch of them), got shape ${fmtShape(x.shape)}`);
  const [m, n] = x.shape.slice(-2);
  const mask = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) mask[i * n + j] = (lower ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
  // where, not a product with the mask: an inf above the diagonal must give 0, as in PyTorch
  return where(Tensor.fromHost(mask, [m, n], 'bool', op), x, 0);
}

export const tril = (x: Tensor, diagonal = 0) => triangle('tril', x, diagonal, true);
export const triu = (x: Tensor, diagonal = 0) => triangle('triu', x, diagonal, false);

/** torch.diag: a vector becomes a matrix with it on diagonal `diagonal`; a matrix gives that diagonal. */
export function diag(x: Tensor, diagonal = 0): Tensor {
  const k = diagonal;
  if (x.rank === 1) {
    const n = x.shape[0];
    const N = n + Math.abs(k);
    checkResultSize('diag', [N, N]);
    const pos = Int32Array.from({ length: n }, (_, i) => (k >= 0 ? i * N + i + k : (i - k) * N + i));
    return reshape(indexAdd(x, 0, pos, [N * N]), [N, N]);
  }
  if (x.rank !== 2)
    throw shapeError(
      'diag',
      `needs a vector or a matrix, got shape ${fmtShape(x.shape)}; for batches use einsum('...ii->...i', x)`,
    );
  const [m, n] = x.shape;
  const len = Math.max(0, k >= 0 ? Math.min(m, n - k) : Math.min(m + k, n));
  const pos = Int32Array.from({ length: len }, (_, i) => (k >= 0 ? i * n + i + k : (i - k) * n + i));
  return takeFlat(x, pos, [len]);
}

export function trace(x: Tensor): Tensor {
  if (x.rank !== 2) throw shapeError('trace', `needs a matrix, got shape ${fmtShape(x.shape)}`);
  return sum(diag(x));
}

// ---- the family table -----------------------------------------------------------------------------------

const X = p('x', 'tensor');

const ROWS: FamilyRow[] = [
  {
    name: 'gather',
    params: [X, p('axis', 'int'), p('index', 'index')],
    doc: 'out[i][j] = x[i][index[i][j]] along axis (torch.gather); index has the rank of x.',
    grad: 'scatter_add(zeros_like({x0}), axis, index, {g})',
    method: true,
    forward: gatherAlong,
  },
  {
    name: 'index_select',
    params: [X, p('axis', 'int'), p('index', 'index')],
    doc: 'The slices of x at the given positions of one axis (a vector of indices; repeats allowed).',
    grad: 'index_add(zeros_like({x0}), axis, index, {g})',
    method: true,
    forward: indexSelect,
  },
  {
    name: 'take_along_axis',
    params: [X, p('indices', 'index'), p('axis', 'int?', null)],
    doc: "Like gather, with x and the indices broadcast off the axis (NumPy's take_along_axis, torch.take_along_dim); axis=none indexes the flattened x.",
    grad: 'route({g}, take_along_axis(positions({x0}), indices, axis), {x0})',
    method: false,
    forward: takeAlongAxis,
  },
  {
    name: 'scatter_add',
    params: [X, p('axis', 'int'), p('index', 'index'), p('src', 'tensor')],
    doc: 'x with src[p] added at x[..., index[p], ...] along axis; repeated indices accumulate.',
    grad: 'dx = {g};  dsrc = fit(gather({g}, axis, index), src)',
    method: true,
    forward: scatterAdd,
  },
  {
    name: 'sort',
    params: [X, p('axis', 'int', -1), p('descending', 'bool', false), p('stable', 'bool', false)],
    doc: 'Returns (values, indices) sorted along axis (always stable; NaN last). The values are differentiable; indices are whole numbers.',
    grad: 'scatter_add(zeros_like({x0}), axis, {out1}, {g})',
    method: true,
    forward: sort,
  },
  {
    name: 'topk',
    params: [X, p('k', 'int'), p('axis', 'int', -1), p('largest', 'bool', true), p('sorted', 'bool', true)],
    doc: 'Returns (values, indices) of the k largest (or smallest) entries along axis, in order.',
    grad: 'scatter_add(zeros_like({x0}), axis, {out1}, {g})',
    method: true,
    forward: topk,
  },
  {
    name: 'flip',
    params: [X, p('dims', 'ints')],
    doc: 'Reverses the order along the given axes.',
    grad: 'flip({g}, dims)',
    method: true,
    forward: flip,
  },
  {
    name: 'roll',
    params: [X, p('shifts', 'ints'), p('dims', 'ints?', null)],
    doc: 'Shifts entries cyclically along axes (all flattened when dims is none).',
    grad: 'roll({g}, -shifts, dims)',
    method: true,
    forward: roll,
  },
  {
    name: 'tile',
    params: [X, p('reps', 'ints')],
    doc: 'Repeats the whole tensor reps times along each axis (reps shorter than the rank apply to the last axes).',
    grad: 'untile({g}, reps)',
    method: true,
    forward: tile,
  },
  {
    name: 'repeat_interleave',
    params: [X, p('repeats', 'index'), p('axis', 'int?', null)],
    doc: 'Repeats each entry along axis (flattened when none): one count, or one per entry.',
    grad: 'route({g}, repeat_interleave(positions({x0}), repeats, axis), {x0})',
    method: true,
    forward: repeatInterleave,
  },
  {
    name: 'pad',
    params: [X, p('pad', 'ints'), p('mode', 'string', 'constant'), p('value', 'number', 0)],
    doc: 'Pads with (before, after) widths from the last axis backwards (torch.nn.functional.pad); mode constant (negative widths crop), reflect, replicate or circular.',
    grad: 'route({g}, pad(positions({x0}), pad, mode), {x0})',
    method: false,
    forward: pad,
  },
  {
    name: 'tril',
    params: [X, p('diagonal', 'int', 0)],
    doc: 'The lower triangle of the last two axes (entries with j - i <= diagonal); zeros elsewhere.',
    grad: 'tril({g}, diagonal)',
    method: true,
    forward: tril,
  },
  {
    name: 'triu',
    params: [X, p('diagonal', 'int', 0)],
    doc: 'The upper triangle of the last two axes (entries with j - i >= diagonal); zeros elsewhere.',
    grad: 'triu({g}, diagonal)',
    method: true,
    forward: triu,
  },
  {
    name: 'diag',
    params: [X, p('diagonal', 'int', 0)],
    doc: 'A vector becomes a square matrix with it on the given diagonal; a matrix gives that diagonal as a vector.',
    grad: 'fit(diag({g}, diagonal), {x0})',
    method: true,
    forward: diag,
  },
  {
    name: 'trace',
    params: [X],
    doc: 'The sum of the main diagonal of a matrix.',
    grad: '{g} * eye_like({x0})',
    method: true,
    forward: trace,
  },
];

export const INDEXING = ROWS.map((row) => registryEntry('indexing', row));
registerFamily('indexing', INDEXING);
