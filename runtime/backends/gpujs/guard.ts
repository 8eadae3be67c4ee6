import type { KernelAttrs } from '../../kernels';
import type { View } from '../../storage';
import { fnsOfArity } from '../../ops/registry';
import { coalesce } from './layout';

/**
 * What the GPU modes (webgl2, webgpu) can compute as the js kernels do. GLSL ES 3.00 (§4.5.1, §8) and WGSL
 * (§15.7) leave NaN and infinities undefined (a driver may assume they never occur and fold `x !== x` to
 * false), GPUs flush subnormals to zero, and builtins are undefined outside their domain (log of a negative,
 * pow of a negative base, division by zero), where a driver may return any finite value. So a call is
 * declined (js runs it) when:
 * - an input holds NaN, ±Infinity or a subnormal;
 * - a fn's input lies outside the domain where the GPU builtin is defined (DOMAIN below);
 * and a result holding NaN or ±Infinity (an overflow: exp(100), a sum past 3.4e38, tanh on some drivers)
 * is recomputed by the js kernel (kernels.ts). Within those bounds GPU arithmetic is IEEE float32 with
 * division and transcendentals accurate to a few ulp (not correctly rounded), hence float32 tolerance.
 *
 * The scans cost a pass over the inputs on the host (about 1 ns per element), small beside a GPU dispatch
 * and readback (0.1 ms and up) and only run on calls past the size thresholds.
 */

/** The smallest normal float32; below it (and above 0) GPUs flush to zero. */
const MIN_NORMAL = 2 ** -126;

/** Every element of `v` (not its whole storage window: gaps may hold anything) passes `ok`. */
export function every(v: View, ok: (x: number) => boolean): boolean {
  // values only on the GPU (a result it kept) are not copied back to be screened: they came out of the
  // device's own arithmetic, and the kernel reads them in place (README.md, "Resident tensors")
  if (!v.storage.onHost) return true;
  const host = v.storage.host;
  const { dims, strides } = coalesce(v.shape, [v.strides]);
  const st = strides[0];
  const r = dims.length;
  if (r === 0) return ok(host[v.offset]);
  const inner = dims[r - 1];
  const step = st[r - 1];
  const idx = new Array<number>(r - 1).fill(0);
  let base = v.offset;
  for (;;) {
    for (let k = 0, at = base; k < inner; k++, at += step) if (!ok(host[at])) return false;
    let d = r - 2;
    for (; d >= 0; d--) {
      base += st[d];
      if (++idx[d] < dims[d]) break;
      base -= st[d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return true;
  }
}

/** Finite and normal (or zero): what a GPU reads as the js kernel does. */
export const plain = (x: number) => x === 0 || (Math.abs(x) >= MIN_NORMAL && Math.abs(x) < Infinity);

/**
 * Per fn, whether the GPU builtin is defined on these (already plain) inputs: the registry's `gpuDomain`
 * (runtime/ops/registry/elementwise.ts). Conditions are per operand (a broadcast pairs elements in ways a
 * pairwise scan would have to replay), so they are sufficient, not necessary.
 */
const DOMAIN: Record<string, (inputs: readonly View[]) => boolean> = Object.fromEntries(
  fnsOfArity(1)
    .concat(fnsOfArity(2))
    .flatMap((e) => (e.gpuDomain ? [[e.name, (inputs: readonly View[]) => e.gpuDomain!(inputs, every)]] : [])),
);

/** Per GPU mode: calls the guard declined, and results recomputed on js because they held NaN or ±Infinity. */
export const guardStats = new Map<string, { declined: number; recomputed: number }>();

export function guardStatsOf(mode: string) {
  let s = guardStats.get(mode);
  if (!s) guardStats.set(mode, (s = { declined: 0, recomputed: 0 }));
  return s;
}

/**
 * The inputs array takes() last vetted. runKernel hands the same array to takes() and then to the kernel,
 * so the kernel skips a second scan when it sees it; a kernel called directly (past takes) scans itself.
 */
let vetted: readonly View[] | null = null;

/** takes() for the GPU modes: true when the guard lets the call through (and remembers it did). */
export function guardAdmits(mode: string, kernel: string, inputs: readonly View[], attrs?: KernelAttrs): boolean {
  if (gpuDeclines(kernel, inputs, attrs)) {
    guardStatsOf(mode).declined++;
    return false;
  }
  vetted = inputs;
  return true;
}

/** For the kernel: whether this call was vetted by takes() already or passes the guard now. */
export function admitted(kernel: string, inputs: readonly View[], attrs?: KernelAttrs): boolean {
  if (inputs === vetted) {
    vetted = null;
    return true;
  }
  return gpuDeclines(kernel, inputs, attrs) === null;
}

/** Why a GPU mode should not run this call, or null when it can. */
export function gpuDeclines(kernel: string, inputs: readonly View[], attrs?: KernelAttrs): string | null {
  for (const v of inputs) if (!every(v, plain)) return 'an input holds NaN, ±Infinity or a subnormal';
  const fn = attrs?.fn as string | undefined;
  if ((kernel === 'unary' || kernel === 'binary') && fn && DOMAIN[fn] && !DOMAIN[fn](inputs))
    return `${fn} is undefined on a GPU for some of these inputs`;
  return null;
}

/** Whether a GPU result needs the js kernel: NaN or ±Infinity in it (an overflow, or a driver's NaN). */
export function needsRecompute(result: ArrayLike<number>): boolean {
  for (let i = 0; i < result.length; i++) {
    const x = result[i];
    if (x - x !== 0) return true;
  }
  return false;
}
