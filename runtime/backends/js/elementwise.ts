import { allocHost, isComplex, type HostArray } from '../../dtype';
import { registerKernel, type KernelAttrs, type KernelOutput } from '../../kernels';
import { takeFloat32 } from '../../pool';
import { sizeOf } from '../../shape';
import type { View } from '../../storage';
import { extrasOf, fnsOfArity, scalarForm } from '../../ops/registry';
import { binaryExpr, CLAMP_JS, unaryExpr, WHERE_JS } from './fns';
import { elementwise } from './loops';
import { positions } from './strided';
import * as libm from './libm';
import { runEager, simdOperands } from './wasm/eager';

/**
 * Elementwise kernels over strided (and broadcast, stride-0) views. The op layer expands every input to the
 * output shape, so a kernel only walks positions. Real dtypes run generated loops (./loops.ts) over the
 * expressions of ./fns.ts; the scalar tables below are the same functions one value at a time (constant
 * folding in explain uses them, and a test checks they agree with the loops).
 */
type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

/** Each fn's expression as a scalar function (its params at their defaults): explain's constant folding. */
const scalarTable = <F>(arity: 1 | 2) =>
  Object.fromEntries(fnsOfArity(arity).map((e) => [e.name, scalarForm(e)])) as Record<string, F>;
export const REAL_UNARY: Record<string, Unary> = scalarTable<Unary>(1);
export const REAL_BINARY: Record<string, Binary> = scalarTable<Binary>(2);

// complex64: (re, im) pairs; position p holds storage[2p], storage[2p+1]
type C = [number, number];
const complexTable = (arity: 1 | 2) =>
  Object.fromEntries(fnsOfArity(arity).flatMap((e) => (e.complex ? [[e.name, e.complex]] : [])));
/** The registry's complex kernels, plus the complex-only functions of ops/complex.ts. */
const COMPLEX_UNARY: Record<string, (re: number, im: number) => C | number> = {
  ...complexTable(1),
  conj: (r, i) => [r, -i],
  angle: (r, i) => libm.atan2(i, r),
  real: (r) => r,
  imag: (_r, i) => i,
};
const COMPLEX_BINARY: Record<string, (ar: number, ai: number, br: number, bi: number) => C | number> = complexTable(2);

/** The SIMD path (./wasm/eager.ts) where it applies, else null (the generated JS loop runs). */
function simd(
  kernel: 'unary' | 'binary',
  inputs: readonly View[],
  attrs: KernelAttrs,
  out: KernelOutput,
  into?: HostArray,
): HostArray | null {
  const how = simdOperands(kernel, inputs, out, attrs);
  if (!how) return null;
  const n = sizeOf(out.shape);
  // a buffer the caller passes that is also an input would be overwritten chunk by chunk: the JS loop instead
  const res = into instanceof Float32Array && into.length === n ? into : null;
  if (res && inputs.some((v) => v.storage.host.buffer === res.buffer)) return null;
  const target = res ?? takeFloat32(n); // every element is written
  runEager(
    `${kernel}:${attrs.fn as string}`,
    how.kinds,
    how.period,
    inputs.map((v) => v.storage.host),
    inputs.map((v) => v.offset),
    target,
    n,
  );
  return target;
}

function pos(v: View, i: number, p: Int32Array | null) {
  return p ? p[i] : v.offset + i;
}

function unaryComplex(x: View, fn: string, out: KernelOutput): HostArray {
  const f = COMPLEX_UNARY[fn];
  if (!f) throw new TypeError(`${fn} is not defined for complex tensors`);
  const n = sizeOf(out.shape);
  const res = allocHost(out.dtype, n);
  const src = x.storage.host;
  const p = positions(x);
  const complexOut = isComplex(out.dtype);
  for (let i = 0; i < n; i++) {
    const q = 2 * pos(x, i, p);
    const v = f(src[q], src[q + 1]);
    if (complexOut) {
      const c = typeof v === 'number' ? [v, 0] : v;
      res[2 * i] = c[0];
      res[2 * i + 1] = c[1];
    } else res[i] = v as number;
  }
  return res;
}

function binaryComplex(a: View, b: View, fn: string, out: KernelOutput): HostArray {
  const f = COMPLEX_BINARY[fn];
  if (!f) throw new TypeError(`${fn} is not defined for complex tensors`);
  const n = sizeOf(out.shape);
  const res = allocHost(out.dtype, n);
  const A = a.storage.host;
  const B = b.storage.host;
  const pa = positions(a);
  const pb = positions(b);
  const complexOut = isComplex(out.dtype);
  for (let i = 0; i < n; i++) {
    const qa = 2 * pos(a, i, pa);
    const qb = 2 * pos(b, i, pb);
    const v = f(A[qa], A[qa + 1], B[qb], B[qb + 1]);
    if (complexOut) {
      res[2 * i] = (v as C)[0];
      res[2 * i + 1] = (v as C)[1];
    } else res[i] = v as number;
  }
  return res;
}

registerKernel({
  kernelName: 'unary',
  backendName: 'js',
  kernelFunc: ([x], attrs, out, into) => {
    const fn = attrs.fn as string;
    if (isComplex(x.dtype)) return unaryComplex(x, fn, out);
    const expr = unaryExpr(fn, out.dtype);
    if (!expr) throw new TypeError(`${fn} is not defined for real tensors`);
    return simd('unary', [x], attrs, out, into) ?? elementwise(expr, ['x'], [x], out, into, extrasOf(fn, attrs));
  },
});

registerKernel({
  kernelName: 'binary',
  backendName: 'js',
  kernelFunc: ([a, b], attrs, out, into) => {
    const fn = attrs.fn as string;
    if (isComplex(a.dtype)) return binaryComplex(a, b, fn, out);
    const expr = binaryExpr(fn, out.dtype);
    if (!expr) throw new TypeError(`${fn} is not defined for real tensors`);
    return simd('binary', [a, b], attrs, out, into) ?? elementwise(expr, ['a', 'b'], [a, b], out, into);
  },
});

registerKernel({
  kernelName: 'clamp',
  backendName: 'js',
  kernelFunc: ([x], attrs, out, into) => {
    const lo = (attrs.min as number | null) ?? -Infinity;
    const hi = (attrs.max as number | null) ?? Infinity;
    return elementwise(CLAMP_JS, ['x'], [x], out, into, [lo, hi]);
  },
});

registerKernel({
  kernelName: 'where',
  backendName: 'js',
  kernelFunc: ([c, a, b], _attrs, out, into) => {
    if (!isComplex(out.dtype)) return elementwise(WHERE_JS, ['c', 'a', 'b'], [c, a, b], out, into);
    const n = sizeOf(out.shape);
    const L = 2;
    const res = allocHost(out.dtype, n);
    const [pc, pa, pb] = [positions(c), positions(a), positions(b)];
    const [C, A, B] = [c.storage.host, a.storage.host, b.storage.host];
    for (let i = 0; i < n; i++) {
      const src = C[pos(c, i, pc)] ? A : B;
      const q = src === A ? pos(a, i, pa) : pos(b, i, pb);
      for (let l = 0; l < L; l++) res[i * L + l] = src[q * L + l];
    }
    return res;
  },
});

/** complex(re, im) from two real views of the output shape. */
registerKernel({
  kernelName: 'complex',
  backendName: 'js',
  kernelFunc: ([re, im], _attrs, out) => {
    const n = sizeOf(out.shape);
    const res = allocHost('complex64', n);
    const [pr, pi] = [positions(re), positions(im)];
    for (let i = 0; i < n; i++) {
      res[2 * i] = re.storage.host[pos(re, i, pr)];
      res[2 * i + 1] = im.storage.host[pos(im, i, pi)];
    }
    return res;
  },
});
