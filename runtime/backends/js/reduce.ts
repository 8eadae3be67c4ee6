import { allocHost, isComplex, lanes, type HostArray } from '../../dtype';
import { registerKernel, type KernelOutput } from '../../kernels';
import { takeFloat32 } from '../../pool';
import { isContiguous, sizeOf } from '../../shape';
import type { View } from '../../storage';
import { stridedPositions } from './strided';
import { runColumnSum } from './wasm/eager';
import { wasmGemm, wasmGemmApplies } from './wasm/gemm';

/**
 * sum / max / min over `axes` (sorted, non-empty or all). The output holds the kept dimensions only; the op
 * layer reshapes for keepdim. Walks the view as (kept dims) × (reduced dims) using the view's own strides.
 */
registerKernel({
  kernelName: 'reduce',
  backendName: 'js',
  kernelFunc: ([x], attrs, out, into) => {
    const fn = attrs.fn as 'sum' | 'max' | 'min';
    const axes = attrs.axes as number[];
    if (fn === 'sum' && !isComplex(x.dtype) && isContiguous(x.shape, x.strides)) {
      const fast = contiguousSum(x, axes, out, into);
      if (fast) return fast;
    }
    const keptDims = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const outer = stridedPositions(
      keptDims.map((d) => x.shape[d]),
      keptDims.map((d) => x.strides[d]),
      x.offset,
    );
    const inner = stridedPositions(
      axes.map((d) => x.shape[d]),
      axes.map((d) => x.strides[d]),
      0,
    );
    const src = x.storage.host;
    const n = outer.length;
    const m = inner.length;
    const res = allocHost(out.dtype, n);
    if (isComplex(x.dtype)) {
      if (fn !== 'sum') throw new TypeError(`${fn} is not defined for complex tensors`);
      for (let i = 0; i < n; i++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < m; j++) {
          const q = 2 * (outer[i] + inner[j]);
          re += src[q];
          im += src[q + 1];
        }
        res[2 * i] = re;
        res[2 * i + 1] = im;
      }
      return res;
    }
    for (let i = 0; i < n; i++) {
      const o = outer[i];
      let acc = fn === 'sum' ? 0 : fn === 'max' ? -Infinity : Infinity;
      if (fn === 'sum') for (let j = 0; j < m; j++) acc += src[o + inner[j]];
      else if (fn === 'max')
        for (let j = 0; j < m; j++) {
          const v = src[o + inner[j]];
          if (v > acc || v !== v) acc = v;
        }
      else
        for (let j = 0; j < m; j++) {
          const v = src[o + inner[j]];
          if (v < acc || v !== v) acc = v;
        }
      res[i] = acc;
    }
    return res;
  },
});

/**
 * Sums of a contiguous real view whose reduced dims form one leading or one trailing block (after dropping
 * dims of 1): the whole tensor, row sums, or column sums (the bias gradient of a batch). Column sums stream
 * rows into float64 accumulators instead of walking columns with a stride. Each output still adds its
 * inputs in ascending order in a double, so results equal the general path's. Null for other patterns.
 */
function contiguousSum(x: View, axes: readonly number[], out: KernelOutput, into?: HostArray): HostArray | null {
  let lead = 1; // product of the reduced block when it leads, or of the kept block when it leads
  let trail = 1;
  let pattern = '';
  for (let d = 0; d < x.shape.length; d++) {
    if (x.shape[d] === 1) continue;
    const kind = axes.includes(d) ? 'r' : 'k';
    if (pattern.length === 0 || pattern[pattern.length - 1] !== kind) pattern += kind;
    if (pattern.length === 1) lead *= x.shape[d];
    else trail *= x.shape[d];
  }
  if (pattern.length > 2) return null;
  const n = sizeOf(out.shape);
  const res =
    into && into.length === n && (out.dtype === 'float64') === into instanceof Float64Array
      ? into
      : allocHost(out.dtype, n);
  const src = x.storage.host;
  const o = x.offset;
  if (pattern === '' || pattern === 'k') {
    // nothing of size > 1 is reduced: a copy
    for (let i = 0; i < n; i++) res[i] = src[o + i];
  } else if (pattern === 'r') {
    let acc = 0;
    for (let i = 0; i < lead; i++) acc += src[o + i];
    res[0] = acc;
  } else if (pattern === 'kr') {
    for (let i = 0; i < lead; i++) {
      let acc = 0;
      const row = o + i * trail;
      for (let j = 0; j < trail; j++) acc += src[row + j];
      res[i] = acc;
    }
  } else if (!sameFloatType(src, res) || !runColumnSum(src, o, lead, trail, res)) {
    const acc = new Float64Array(trail);
    for (let i = 0; i < lead; i++) {
      const row = o + i * trail;
      for (let j = 0; j < trail; j++) acc[j] += src[row + j];
    }
    for (let j = 0; j < trail; j++) res[j] = acc[j];
  }
  return res;
}

/** Both float32 or both float64 (the column sums' SIMD path takes these). */
function sameFloatType(a: HostArray, b: HostArray): a is Float32Array | Float64Array {
  return (
    (a instanceof Float32Array && b instanceof Float32Array) || (a instanceof Float64Array && b instanceof Float64Array)
  );
}

/**
 * Batched matmul of (..., M, K) @ (..., K, N) views whose batch dims are already expanded to the output's.
 * float32 and float64 products of some size go to the WebAssembly SIMD kernel (./wasm/gemm.ts), which adds
 * each output's products in ascending k as the loops below do; small products and complex ones run the loops.
 */
registerKernel({
  kernelName: 'matmul',
  backendName: 'js',
  kernelFunc: ([a, b], _attrs, out, into) => {
    const r = out.shape.length;
    const M = out.shape[r - 2];
    const N = out.shape[r - 1];
    const K = a.shape[r - 1];
    const batch = sizeOf(out.shape.slice(0, r - 2));
    const n = batch * M * N;
    const wasm = wasmGemmApplies(out.dtype, M, N, K) && a.dtype === out.dtype && b.dtype === out.dtype;
    // the wasm kernel writes every element; the loops below add into zeros
    const res =
      into && into.length === n * lanes(out.dtype) && (out.dtype === 'float64') === into instanceof Float64Array
        ? into
        : wasm && out.dtype === 'float32'
          ? takeFloat32(n)
          : allocHost(out.dtype, n);
    const batchShape = out.shape.slice(0, r - 2);
    const pa = stridedPositions(batchShape, a.strides.slice(0, r - 2), a.offset);
    const pb = stridedPositions(batchShape, b.strides.slice(0, r - 2), b.offset);
    const [sam, sak] = [a.strides[r - 2], a.strides[r - 1]];
    const [sbk, sbn] = [b.strides[r - 2], b.strides[r - 1]];
    const A = a.storage.host;
    const B = b.storage.host;
    if (wasm) {
      for (let t = 0; t < batch; t++)
        wasmGemm(
          { data: A as Float32Array | Float64Array, off: pa[t], si: sam, sj: sak },
          { data: B as Float32Array | Float64Array, off: pb[t], si: sbk, sj: sbn },
          M,
          N,
          K,
          res as Float32Array | Float64Array,
          t * M * N,
        );
      return res;
    }
    if (res === into) res.fill(0);
    if (isComplex(out.dtype)) {
      for (let t = 0; t < batch; t++)
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let re = 0;
            let im = 0;
            for (let k = 0; k < K; k++) {
              const qa = 2 * (pa[t] + i * sam + k * sak);
              const qb = 2 * (pb[t] + k * sbk + j * sbn);
              re += A[qa] * B[qb] - A[qa + 1] * B[qb + 1];
              im += A[qa] * B[qb + 1] + A[qa + 1] * B[qb];
            }
            const o = 2 * ((t * M + i) * N + j);
            res[o] = re;
            res[o + 1] = im;
          }
      return res;
    }
    // i-k-j order keeps the inner loop streaming over a row of B and of the result
    for (let t = 0; t < batch; t++) {
      const base = t * M * N;
      for (let i = 0; i < M; i++) {
        const row = base + i * N;
        for (let k = 0; k < K; k++) {
          const av = A[pa[t] + i * sam + k * sak];
          if (av === 0) continue;
          const bk = pb[t] + k * sbk;
          for (let j = 0; j < N; j++) res[row + j] += av * B[bk + j * sbn];
        }
      }
    }
    return res;
  },
});
