import { allocHost, isComplex, type HostArray } from '../../dtype';
import { registerKernel, type KernelOutput } from '../../kernels';
import { sizeOf } from '../../shape';
import type { View } from '../../storage';
import { BINARY_JS, CLAMP_JS, roundHalfEven, unaryExpr, WHERE_JS } from './fns';
import { elementwise } from './loops';
import { positions } from './strided';

/**
 * Elementwise kernels over strided (and broadcast, stride-0) views. The op layer expands every input to the
 * output shape, so a kernel only walks positions. Real dtypes run generated loops (./loops.ts) over the
 * expressions of ./fns.ts; the scalar tables below are the same functions one value at a time (constant
 * folding in explain uses them, and a test checks they agree with the loops).
 */
type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

export const REAL_UNARY: Record<string, Unary> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  round: roundHalfEven,
  floor: Math.floor,
  step: (x) => (x > 0 ? 1 : 0),
  isfinite: (x) => (Number.isFinite(x) ? 1 : 0),
  not: (x) => (x ? 0 : 1),
};

export const REAL_BINARY: Record<string, Binary> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max,
  minimum: Math.min,
  atan2: Math.atan2,
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  and: (a, b) => (a && b ? 1 : 0),
  or: (a, b) => (a || b ? 1 : 0),
};

// complex64: (re, im) pairs; position p holds storage[2p], storage[2p+1]
type C = [number, number];
const COMPLEX_UNARY: Record<string, (re: number, im: number) => C | number> = {
  neg: (r, i) => [-r, -i],
  conj: (r, i) => [r, -i],
  exp: (r, i) => {
    const m = Math.exp(r);
    return [m * Math.cos(i), m * Math.sin(i)];
  },
  log: (r, i) => [Math.log(Math.hypot(r, i)), Math.atan2(i, r)],
  abs: (r, i) => Math.hypot(r, i),
  angle: (r, i) => Math.atan2(i, r),
  real: (r) => r,
  imag: (_r, i) => i,
  isfinite: (r, i) => (Number.isFinite(r) && Number.isFinite(i) ? 1 : 0),
};
const COMPLEX_BINARY: Record<string, (ar: number, ai: number, br: number, bi: number) => C | number> = {
  add: (ar, ai, br, bi) => [ar + br, ai + bi],
  sub: (ar, ai, br, bi) => [ar - br, ai - bi],
  mul: (ar, ai, br, bi) => [ar * br - ai * bi, ar * bi + ai * br],
  div: (ar, ai, br, bi) => {
    const d = br * br + bi * bi;
    return [(ar * br + ai * bi) / d, (ai * br - ar * bi) / d];
  },
  eq: (ar, ai, br, bi) => (ar === br && ai === bi ? 1 : 0),
  ne: (ar, ai, br, bi) => (ar !== br || ai !== bi ? 1 : 0),
};

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
    return elementwise(expr, ['x'], [x], out, into);
  },
});

registerKernel({
  kernelName: 'binary',
  backendName: 'js',
  kernelFunc: ([a, b], attrs, out, into) => {
    const fn = attrs.fn as string;
    if (isComplex(a.dtype)) return binaryComplex(a, b, fn, out);
    const expr = BINARY_JS[fn];
    if (!expr) throw new TypeError(`${fn} is not defined for real tensors`);
    return elementwise(expr, ['a', 'b'], [a, b], out, into);
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
