import { isContiguous, sizeOf } from '../../shape';
import type { View } from '../../storage';

/**
 * Element positions of a strided view in row-major order (in elements, not lanes), or null when the view is
 * contiguous from `offset`, so callers can take the plain loop.
 */
export function positions(v: View): Int32Array | null {
  if (isContiguous(v.shape, v.strides)) return null;
  return stridedPositions(v.shape, v.strides, v.offset);
}

export function stridedPositions(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  if (rank === 0) {
    out[0] = offset;
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let p = offset;
  const last = rank - 1;
  const sl = strides[last];
  const dl = shape[last];
  for (let i = 0; i < n;) {
    for (let j = 0; j < dl; j++, i++) out[i] = p + j * sl;
    // carry the odometer past the innermost dimension
    let d = last - 1;
    while (d >= 0) {
      idx[d]++;
      if (idx[d] < shape[d]) break;
      idx[d] = 0;
      d--;
    }
    p = offset;
    for (let k = 0; k < last; k++) p += idx[k] * strides[k];
  }
  return out;
}

/** Reads a view into a fresh contiguous array (lanes = 2 for complex). */
export function gatherContiguous(v: View, lanes: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor) {
  const n = sizeOf(v.shape);
  const src = v.storage.host;
  const pos = positions(v);
  if (!pos) {
    const start = v.offset * lanes;
    return new Ctor(src.subarray(start, start + n * lanes));
  }
  const out = new Ctor(n * lanes);
  if (lanes === 1) for (let i = 0; i < n; i++) out[i] = src[pos[i]];
  else
    for (let i = 0; i < n; i++) {
      out[2 * i] = src[2 * pos[i]];
      out[2 * i + 1] = src[2 * pos[i] + 1];
    }
  return out;
}
