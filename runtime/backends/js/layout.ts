import { allocHost, lanes } from '../../dtype';
import { registerKernel } from '../../kernels';
import { contiguousStrides, sizeOf } from '../../shape';
import type { View } from '../../storage';
import { gatherContiguous, positions, stridedPositions } from './strided';

/** Kernels that move values without arithmetic: copy, cast, gather, index-add, concat, scatter into a view. */
const ctorOf = (dtype: string) => (dtype === 'float64' ? Float64Array : Float32Array);

registerKernel({
  kernelName: 'copy',
  backendName: 'js',
  kernelFunc: ([x], _attrs, out) => gatherContiguous(x, lanes(x.dtype), ctorOf(out.dtype)),
});

registerKernel({
  kernelName: 'cast',
  backendName: 'js',
  kernelFunc: ([x], _attrs, out) => {
    const n = sizeOf(out.shape);
    const res = allocHost(out.dtype, n);
    const src = x.storage.host;
    const p = positions(x);
    const inL = lanes(x.dtype);
    const outL = lanes(out.dtype);
    for (let i = 0; i < n; i++) {
      const q = (p ? p[i] : x.offset + i) * inL;
      res[i * outL] = out.dtype === 'bool' ? (src[q] !== 0 || (inL === 2 && src[q + 1] !== 0) ? 1 : 0) : src[q];
      if (outL === 2) res[i * outL + 1] = inL === 2 ? src[q + 1] : 0;
    }
    return res;
  },
});

/** index_select: out[..., j, ...] = x[..., index[j], ...] along `axis`. */
registerKernel({
  kernelName: 'gather',
  backendName: 'js',
  kernelFunc: ([x], attrs, out) => {
    const axis = attrs.axis as number;
    const index = attrs.index as Int32Array;
    const L = lanes(x.dtype);
    const res = allocHost(out.dtype, sizeOf(out.shape));
    const pos = stridedPositions(
      out.shape,
      out.shape.map((_, d) => (d === axis ? 0 : x.strides[d])),
      x.offset,
    );
    const ostr = contiguousStrides(out.shape);
    const src = x.storage.host;
    for (let i = 0; i < pos.length; i++) {
      const j = Math.floor(i / ostr[axis]) % out.shape[axis];
      const q = (pos[i] + index[j] * x.strides[axis]) * L;
      for (let l = 0; l < L; l++) res[i * L + l] = src[q + l];
    }
    return res;
  },
});

/** out = zeros(shape) with src added at out[..., index[j], ...] along axis (repeated indices accumulate). */
registerKernel({
  kernelName: 'indexAdd',
  backendName: 'js',
  kernelFunc: ([src], attrs, out) => {
    const axis = attrs.axis as number;
    const index = attrs.index as Int32Array;
    const L = lanes(out.dtype);
    const res = allocHost(out.dtype, sizeOf(out.shape));
    const s = gatherContiguous(src, L, ctorOf(out.dtype));
    const sstr = contiguousStrides(src.shape);
    const ostr = contiguousStrides(out.shape);
    for (let i = 0; i < s.length / L; i++) {
      let o = 0;
      let rem = i;
      for (let d = 0; d < src.shape.length; d++) {
        const c = Math.floor(rem / sstr[d]);
        rem -= c * sstr[d];
        o += (d === axis ? index[c] : c) * ostr[d];
      }
      for (let l = 0; l < L; l++) res[o * L + l] += s[i * L + l];
    }
    return res;
  },
});

registerKernel({
  kernelName: 'concat',
  backendName: 'js',
  kernelFunc: (inputs, attrs, out) => {
    const axis = attrs.axis as number;
    const L = lanes(out.dtype);
    const res = allocHost(out.dtype, sizeOf(out.shape));
    const ostr = contiguousStrides(out.shape);
    let start = 0;
    for (const v of inputs) {
      const dst = stridedPositions(v.shape, ostr, start * ostr[axis]);
      const vals = gatherContiguous(v, L, ctorOf(out.dtype));
      for (let i = 0; i < dst.length; i++) for (let l = 0; l < L; l++) res[dst[i] * L + l] = vals[i * L + l];
      start += v.shape[axis];
    }
    return res;
  },
});

/** out = zeros(shape) with src written at the strided window (offset, strides) — the adjoint of a slice view. */
registerKernel({
  kernelName: 'scatterView',
  backendName: 'js',
  kernelFunc: ([src], attrs, out) => {
    const L = lanes(out.dtype);
    const res = allocHost(out.dtype, sizeOf(out.shape));
    const dst = stridedPositions(src.shape, attrs.strides as number[], attrs.offset as number);
    const vals = gatherContiguous(src, L, ctorOf(out.dtype));
    for (let i = 0; i < dst.length; i++) for (let l = 0; l < L; l++) res[dst[i] * L + l] += vals[i * L + l];
    return res;
  },
});

/** Writes src (already expanded to dst's shape) into dst's own storage, in place: the tail of `x += e`. */
export function writeInto(dst: View, src: View): void {
  const L = lanes(dst.dtype);
  const vals = gatherContiguous(src, L, ctorOf(dst.dtype));
  const p = positions(dst);
  const host = dst.storage.host;
  if (!p) host.set(vals, dst.offset * L);
  else for (let i = 0; i < p.length; i++) for (let l = 0; l < L; l++) host[p[i] * L + l] = vals[i * L + l];
}
