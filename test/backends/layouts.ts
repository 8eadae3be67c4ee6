import type { DType } from '../../runtime/dtype';
import { contiguousStrides, sizeOf } from '../../runtime/shape';
import { Storage, type View } from '../../runtime/storage';

/**
 * Strided views for the backend tests: the same logical values laid out contiguously, transposed
 * (storage in reversed dim order), broadcast (dim 0 read with stride 0), offset (a window of a padded
 * storage: gaps between rows and a nonzero offset) and sparse (every 9th element: the gpu.js backends copy
 * such inputs first instead of passing their window).
 */
export type Layout = 'contiguous' | 'transposed' | 'broadcast' | 'offset' | 'sparse';
export const LAYOUTS: Layout[] = ['contiguous', 'transposed', 'broadcast', 'offset', 'sparse'];

/** Deterministic values: half on a 0.5 grid in [-3, 3] (ties for round, equal pairs for eq), half continuous. */
export function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, (_, i) => (i % 2 ? Math.round(rand() * 12 - 6) / 2 : rand() * 6 - 3));
}

export const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -2.5, 1.5];

/** A view of `shape` in `layout` whose logical row-major contents are `vals` (broadcast: vals of dim 0 = 0). */
export function view(shape: number[], layout: Layout, vals: number[], dtype: DType = 'float32'): View {
  const r = shape.length;
  const n = sizeOf(shape);
  const host = (len: number) => (dtype === 'float64' ? new Float64Array(len) : new Float32Array(len));
  const logical = contiguousStrides(shape);
  const at = (i: number) => logical.map((s, d) => Math.floor(i / s) % shape[d]);
  if (layout === 'transposed' && r >= 2) {
    const rev = [...shape].reverse();
    const rs = contiguousStrides(rev);
    const data = host(n);
    for (let i = 0; i < n; i++) data[at(i).reduce((p, c, d) => p + c * rs[r - 1 - d], 0)] = vals[i];
    return mk(
      data,
      shape,
      shape.map((_, d) => rs[r - 1 - d]),
      0,
      dtype,
    );
  }
  if (layout === 'broadcast' && r >= 1) {
    const strides = [0, ...contiguousStrides(shape.slice(1))];
    const data = host(Math.max(sizeOf(shape.slice(1)), 1));
    for (let i = 0; i < n; i++) data[at(i).reduce((p, c, d) => p + c * strides[d], 0)] = vals[i % data.length];
    return mk(data, shape, strides, 0, dtype);
  }
  if ((layout === 'offset' || layout === 'sparse') && r >= 1) {
    const padded = layout === 'offset' ? [...shape.slice(0, -1), shape[r - 1] + 2] : shape;
    const strides = contiguousStrides(padded).map((s) => (layout === 'sparse' ? 9 * s : s));
    const data = host(sizeOf(padded) * (layout === 'sparse' ? 9 : 1) + 3).fill(NaN); // NaN: a misread shows
    for (let i = 0; i < n; i++) data[3 + at(i).reduce((p, c, d) => p + c * strides[d], 0)] = vals[i];
    return mk(data, shape, strides, 3, dtype);
  }
  const data = host(n);
  data.set(vals.slice(0, n));
  return mk(data, shape, logical, 0, dtype);
}

function mk(data: Float32Array | Float64Array, shape: number[], strides: number[], offset: number, dtype: DType): View {
  return { storage: new Storage(data, dtype), shape, strides, offset, dtype };
}

/** The logical values a view holds (for broadcast views these differ from what was passed in). */
export function read(v: View): number[] {
  const n = sizeOf(v.shape);
  const logical = contiguousStrides(v.shape);
  return Array.from(
    { length: n },
    (_, i) =>
      v.storage.host[v.offset + logical.reduce((p, s, d) => p + (Math.floor(i / s) % v.shape[d]) * v.strides[d], 0)],
  );
}

/** Float32 agreement: equal (Infinity too), both NaN, or within atol + rtol·|want|; the first miss, or null. */
export function firstMiss(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): string | null {
  if (got.length !== want.length) return `length ${got.length}, the js kernel gives ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (g === w || (g !== g && w !== w)) continue;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) return `element ${i} is ${g}, the js kernel gives ${w}`;
  }
  return null;
}

/** Every (layout, layout) pair with contiguous on one side, plus a few mixed ones. */
export function pairs(): [Layout, Layout][] {
  const mixed: [Layout, Layout][] = [
    ['transposed', 'broadcast'],
    ['offset', 'sparse'],
    ['broadcast', 'broadcast'],
  ];
  return LAYOUTS.flatMap((l) => [['contiguous', l] as [Layout, Layout], [l, 'contiguous'] as [Layout, Layout]]).concat(
    mixed,
  );
}

/** Every nonempty set of axes of a rank (the empty set for rank 0), for reductions. */
export function subsets(rank: number): number[][] {
  const all: number[][] = [];
  for (let m = 1; m < 1 << rank; m++) all.push([...Array(rank).keys()].filter((d) => m & (1 << d)));
  return rank === 0 ? [[]] : all;
}

/** A matmul operand: 'transposed' swaps the last two dims in storage; 'broadcast' reads batch dim 0 with stride 0. */
export function matmulOperand(shape: number[], layout: Layout, seed: number): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = view(
    shape,
    layout === 'transposed' || (layout === 'broadcast' && shape.length < 3) ? 'contiguous' : layout,
    values(n, seed),
  );
  if (layout !== 'transposed') return v;
  const r = shape.length;
  const t = view([...shape.slice(0, r - 2), shape[r - 1], shape[r - 2]], 'contiguous', values(n, seed));
  const strides = [...t.strides];
  [strides[r - 2], strides[r - 1]] = [strides[r - 1], strides[r - 2]];
  return { ...t, shape, strides };
}
