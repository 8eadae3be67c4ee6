import type { KernelAttrs, KernelOutput } from '../../kernels';
import { isContiguous, sizeOf } from '../../shape';
import type { View } from '../../storage';
import { fnsOfArity } from '../../ops/registry';
import { BINARY_EXPR, UNARY_EXPR } from './exprs';
import { guardAdmits } from './guard';
import { operandLength } from './layout';
import { isGpuMode, type Mode } from './plans';
import { simdOperands } from '../js/wasm/eager';

/**
 * Which calls a gpu.js backend takes. A gpu.js call has a fixed cost (argument checks, copying inputs into
 * wasm memory, the output copy) that plain loops over small arrays never pay, so below a per-family size
 * the js kernel runs instead. The sizes come from `npx tsx bench/kernels.ts` on the 2-core EPYC
 * development machine (numbers in ./README.md); "size" is output cells for elementwise kernels and copy,
 * input elements for reduce, and multiply-adds for matmul. Infinity means gpu.js never won there.
 *
 * NABLA_SMALL_TENSOR_LIMIT=n (read at the first kernel call) or setSmallTensorLimit(n) replaces every
 * threshold with n; 0 sends every call gpu.js can run to gpu.js, which is how the tests exercise it.
 */
export type Family =
  | 'unary'
  | 'unaryMath'
  | 'binary'
  | 'binaryMath'
  | 'strided'
  | 'where'
  | 'clamp'
  | 'copy'
  | 'reduce'
  | 'matmul'
  | 'scatterView';

// the median of three `--passes 3` runs' crossovers (README.md has the table); reduce counts input
// elements, matmul multiply-adds, the rest output elements
export const THRESHOLDS: Record<Mode, Record<Family, number>> = {
  // matmul: never. The js kernel's float32 matmul is WebAssembly SIMD (runtime/backends/js/wasm/gemm.ts), 25–35
  // GFLOP/s here against gpu.js's 0.6–1 (bench/RESULTS.md), at every size bench/kernels.ts measures
  cpu: {
    unary: Infinity,
    unaryMath: Infinity,
    binary: Infinity,
    binaryMath: 64,
    strided: 262144,
    where: 1048576,
    clamp: 1048576,
    copy: 1024,
    reduce: 16384,
    matmul: Infinity,
    // not measured: the js kernel writes the few source values into zeros, which no kernel call beats on a CPU
    scatterView: Infinity,
  },
  webasm: {
    unary: Infinity,
    unaryMath: Infinity,
    binary: Infinity,
    binaryMath: 256,
    strided: Infinity,
    where: 4096,
    clamp: 4096,
    copy: Infinity,
    reduce: Infinity,
    matmul: Infinity,
    scatterView: Infinity,
  },
  // gpuThresholds below: a GPU call pays a dispatch and a readback whatever its size
  webgl2: gpuThresholds(),
  webgpu: gpuThresholds(),
};

/**
 * Not measured on a GPU (the development machines have none; SwiftShader, the CPU stand-in Chromium offers
 * there, loses to js at every size): a cost model instead. A GPU call costs a dispatch, the uploads and a
 * readback that waits for the GPU, about 0.3 ms on a discrete GPU (ARCHITECTURE.md: ~37 µs per Dawn submit
 * and ~55 µs per readback on an H100; readPixels stalls WebGL's pipeline longer), while the js kernels run
 * arithmetic at ~1–4 ns and a Math fn at ~10–25 ns per element, and a naive matmul at ~0.5 G
 * multiply-adds/s. The crossovers below follow from those; README.md has the SwiftShader timings.
 */
function gpuThresholds(): Record<Family, number> {
  const arithmetic = 262144;
  const math = 32768;
  return {
    unary: arithmetic,
    unaryMath: math,
    binary: arithmetic,
    binaryMath: math,
    strided: 65536,
    where: arithmetic,
    clamp: arithmetic,
    copy: 65536,
    reduce: arithmetic,
    matmul: 131072,
    // an index's backward on a value the GPU holds runs there (`held`), so its source is not read back
    scatterView: arithmetic,
  };
}

/**
 * fns whose gpu.js form calls a JS Math function per element. webasm reaches those through a wasm import
 * (a boundary crossing per element), while the cpu mode inlines them into a loop of their own; the js
 * kernel shares one loop among all fns. So these cross over at other sizes than arithmetic does: runKernel
 * passes the fn to takes() in attrs (backend.ts `runner`); a caller without attrs gets `unary`/`binary`.
 */
const MATH_FNS = new Set(
  fnsOfArity(1)
    .concat(fnsOfArity(2))
    .filter((e) => e.mathFn)
    .map((e) => e.name),
);

/**
 * Elementwise kernels whose js form walks a non-contiguous input through a positions array (transposed or
 * broadcast inputs) cross over at `strided` unless their own threshold is lower; Math fns keep theirs, as
 * the per-element Math call outweighs the indexing.
 */
const ELEMENTWISE = new Set(['unary', 'binary', 'where', 'clamp']);

/** webasm and the GPU modes index in f32 (`Math.floor(i / d)` and the products after it), exact below 2^24. */
const F32_EXACT = 1 << 24;

let override: number | null | undefined;

function envLimit(): number | null {
  const raw = typeof process !== 'undefined' ? process.env.NABLA_SMALL_TENSOR_LIMIT : undefined;
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`NABLA_SMALL_TENSOR_LIMIT=${raw} is not a size: use a whole number such as 0 or 4096`);
  return n;
}

/** The limit that replaces the measured thresholds, or null when they apply. */
export function smallTensorLimit(): number | null {
  if (override === undefined) override = envLimit();
  return override;
}

/** Sets the limit for every family (null: back to the measured thresholds); returns the previous one. */
export function setSmallTensorLimit(n: number | null): number | null {
  const previous = smallTensorLimit();
  override = n;
  return previous;
}

const ACCEPTED = new Set(['float32', 'bool']);

/** The work a call does, in the unit its family's threshold uses. */
function work(kernel: Family, inputs: readonly View[], cells: number): number {
  if (kernel === 'reduce') return sizeOf(inputs[0].shape);
  if (kernel === 'matmul') {
    const a = inputs[0];
    return cells * a.shape[a.shape.length - 1];
  }
  return cells;
}

export function takes(
  mode: Mode,
  kernel: string,
  inputs: readonly View[],
  out: KernelOutput,
  attrs?: KernelAttrs,
): boolean {
  const thresholds = THRESHOLDS[mode] as Record<string, number>;
  if (!(kernel in thresholds)) return false;
  // on the host, the js kernel's own WebAssembly SIMD path (../js/wasm/eager.ts) beats a gpu.js call
  if (!isGpuMode(mode) && smallTensorLimit() === null && simdOperands(kernel, inputs, out, attrs)) return false;
  // a fn the registry gives no gpu.js form (`gpu: false`) runs on js
  if (
    attrs &&
    ((kernel === 'unary' && !((attrs.fn as string) in UNARY_EXPR)) ||
      (kernel === 'binary' && !((attrs.fn as string) in BINARY_EXPR)))
  )
    return false;
  const family = attrs && MATH_FNS.has(attrs.fn as string) ? `${kernel}Math` : kernel;
  // gpu.js computes in float32: float64 stays on the js reference path, complex has no gpu.js kernels
  if (!ACCEPTED.has(out.dtype) || inputs.some((v) => !ACCEPTED.has(v.dtype))) return false;
  const cells = sizeOf(out.shape);
  if (cells === 0 || inputs.some((v) => sizeOf(v.shape) === 0)) return false;
  const limit = smallTensorLimit();
  const size = work(kernel as Family, inputs, cells);
  // an input the GPU holds is read in place there: whatever the size, that beats copying it back for js
  const held = isGpuMode(mode) && inputs.some((v) => v.storage.device?.backend === mode);
  if (!held && limit !== null && size < limit) return false;
  if (!held && limit === null) {
    let at = thresholds[family];
    if (ELEMENTWISE.has(family) && inputs.some((v) => !isContiguous(v.shape, v.strides)))
      at = Math.min(at, thresholds.strided);
    if (size < at) return false;
    // a contiguous copy is one memcpy in the js kernel; no kernel call beats it
    if (kernel === 'copy' && isContiguous(inputs[0].shape, inputs[0].strides)) return false;
  }
  if (mode !== 'cpu') {
    if (cells >= F32_EXACT) return false;
    if (inputs.some((v) => operandLength(v) >= F32_EXACT)) return false;
  }
  // last, as it scans the inputs: NaN, infinities and undefined domains stay on js (guard.ts)
  if (isGpuMode(mode)) return guardAdmits(mode, kernel, inputs, attrs);
  return true;
}
