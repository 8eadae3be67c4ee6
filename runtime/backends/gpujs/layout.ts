import { contiguousStrides, sizeOf } from '../../shape';
import type { DeviceData, View } from '../../storage';
import { gatherContiguous } from '../js/strided';
import { deviceCopyFor } from './resident';

/**
 * How a kernel reads its strided inputs. gpu.js kernels take flat arrays and compute one output cell per
 * thread, so each input is passed as the window of its storage that the view reaches, and the kernel
 * source turns the flat thread index into that window's index with the shape and strides baked in as
 * literals (so they are part of the kernel cache key). The alternative, copying non-contiguous inputs
 * to contiguous ones with the js `copy` kernel first, was 2–3× slower on a transposed 512×512 multiply
 * (bench/kernels.ts prints both), so inputs are copied only when their window is much larger than the
 * view (a column of a big matrix), where passing the window would move far more data than the kernel reads.
 */

/**
 * An input as the kernel sees it: a flat window of storage (or the whole of a device copy the mode holds),
 * and where element 0 and each dim step lie in it.
 */
export interface Operand {
  data: Float32Array | DeviceData;
  base: number;
  strides: readonly number[];
}

/**
 * Where a device value starts in the GPU buffer a kernel is handed: 0, or a part's offset (webgpu's AgentBuffer
 * parts: an optimizer's update keeps a param and its state in one buffer).
 */
export const deviceBase = (d: DeviceData): number => (d as { base?: number }).base ?? 0;

/** Copy an input first when its window holds more than this many elements per element read. */
const WINDOW_WASTE = 4;

/** The smallest slice of `v`'s storage that holds every element of the view, and element 0's place in it. */
export function windowOf(shape: readonly number[], strides: readonly number[], offset: number) {
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const reach = (shape[d] - 1) * strides[d];
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return { start: lo, span: hi - lo + 1, base: offset - lo };
}

const sparse = (span: number, n: number) => span > WINDOW_WASTE * n + 64;

/** How many elements the kernel is handed for view `v` (its window, or its size when it is copied first). */
export function operandLength(v: View): number {
  const span = windowOf(v.shape, v.strides, v.offset).span;
  const n = sizeOf(v.shape);
  return sparse(span, n) ? n : span;
}

/**
 * The operand for view `v`: its storage's device copy when `mode` holds one (read in place: no copy either
 * way), else a subarray of its host values, or a contiguous copy when the window is sparse.
 */
export function operand(v: View, mode?: string): Operand {
  const device =
    v.storage.device ??
    (mode ? deviceCopyFor(v.storage, mode, (v as { requiresGrad?: boolean }).requiresGrad === true) : null);
  if (device && device.backend === mode)
    return { data: device, base: deviceBase(device) + v.offset, strides: v.strides };
  const w = windowOf(v.shape, v.strides, v.offset);
  const n = sizeOf(v.shape);
  if (sparse(w.span, n)) {
    // a sparse window: gather the view into a contiguous copy instead of shipping the whole window
    return { data: gatherContiguous(v, 1, Float32Array) as Float32Array, base: 0, strides: contiguousStrides(v.shape) };
  }
  const host = v.storage.host as Float32Array;
  // subarray allocates (~0.5 µs): skip it when the view reaches the whole storage, the common case
  const data = w.start === 0 && w.span === host.length ? host : host.subarray(w.start, w.start + w.span);
  return { data, base: w.base, strides: v.strides };
}

/**
 * Merges adjacent dims that every operand walks as one (stride[d] = stride[d+1] × shape[d+1]) and drops
 * size-1 dims, so most calls index with one or two dims however many the tensors have: a contiguous input
 * collapses to `base + i`. Returns the merged shape and each operand's merged strides.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]) {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  const m = strides.length;
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = dims.length - 1;
    let merge = last >= 0;
    for (let k = 0; merge && k < m; k++) merge = out[k][last] === strides[k][d] * size;
    if (merge) {
      dims[last] *= size;
      for (let k = 0; k < m; k++) out[k][last] = strides[k][d];
    } else {
      dims.push(size);
      for (let k = 0; k < m; k++) out[k].push(strides[k][d]);
    }
  }
  return { dims, strides: out };
}

/**
 * Kernel source lines that split the flat index `i` into coordinates c0..c(r-1) over `dims` (outermost
 * first). Division is `Math.floor(q / d)`: exact in the cpu mode (doubles) and, in webasm, where it is f32
 * and correctly rounded, exact while q < 2^24 (the policy keeps f32 modes below that).
 *
 * GPU division is not correctly rounded (WGSL allows 2.5 ulp, GLSL ES 3.00 leaves it to the driver), so
 * `floor(21 / 7)` may come out 2. With `exact` each quotient is corrected by its remainder, which is
 * computed exactly (products and differences of integers below 2^24 are exact in f32): one step fixes any
 * quotient that is off by one, the most an error of a few ulp can do.
 */
export function coordLines(dims: readonly number[], prefix: string, index = 'i', exact = false): string[] {
  const r = dims.length;
  if (r === 0) return [];
  if (r === 1) return [`const ${prefix}0 = ${index};`];
  const lines: string[] = [];
  let q = index;
  for (let d = r - 1; d > 0; d--) {
    if (exact) {
      lines.push(`let ${prefix}q${d} = Math.floor(${q} / ${dims[d]});`);
      lines.push(`const ${prefix}r${d} = ${q} - ${prefix}q${d} * ${dims[d]};`);
      lines.push(`if (${prefix}r${d} < 0) {`, `${prefix}q${d} = ${prefix}q${d} - 1;`, `}`);
      lines.push(`if (${prefix}r${d} >= ${dims[d]}) {`, `${prefix}q${d} = ${prefix}q${d} + 1;`, `}`);
    } else lines.push(`const ${prefix}q${d} = Math.floor(${q} / ${dims[d]});`);
    lines.push(`const ${prefix}${d} = ${q} - ${prefix}q${d} * ${dims[d]};`);
    q = `${prefix}q${d}`;
  }
  lines.push(`const ${prefix}0 = ${q};`);
  return lines;
}

/** `base + c0*s0 + ...` with zero strides and unit factors folded away. */
export function indexExpr(base: number, strides: readonly number[], prefix: string): string {
  const terms: string[] = base ? [String(base)] : [];
  strides.forEach((s, d) => {
    if (s === 0) return;
    terms.push(s === 1 ? `${prefix}${d}` : `${prefix}${d} * ${s}`);
  });
  return terms.length ? terms.join(' + ') : '0';
}

/** Whether strides walk dims in row-major order with no gaps (then the flat index is the position). */
export function isRowMajor(dims: readonly number[], strides: readonly number[]): boolean {
  let s = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    if (strides[d] !== s) return false;
    s *= dims[d];
  }
  return true;
}
