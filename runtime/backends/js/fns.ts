/**
 * The real elementwise functions as JavaScript expressions over `x` (unary) or `a`, `b` (binary), for the
 * generated loops of ./loops.ts and the fused loops of runtime/compile. Each means exactly what the scalar
 * function of the same name in ./elementwise.ts (REAL_UNARY, REAL_BINARY) means; a test checks both agree
 * on every key. Helpers an expression calls are passed to the generated function as `H`.
 *
 * float32 tanh is the one place a float32 result differs from the float64 function: `Math.tanh` costs
 * 20–50 ns an element in V8 here (a call into fdlibm), so float32 uses Eigen's rational approximation
 * (generic_fast_tanh_float, as PyTorch's and TensorFlow's vectorised CPU kernels do), ~4 ns, within 5
 * float32 ulps of the correctly rounded value (relative 3e-7; test/runtime/kernels.test.ts measures it).
 * float64 (the reference path) keeps Math.tanh.
 */
export const UNARY_JS: Record<string, string> = {
  neg: '-x',
  exp: 'Math.exp(x)',
  log: 'Math.log(x)',
  sqrt: 'Math.sqrt(x)',
  sin: 'Math.sin(x)',
  cos: 'Math.cos(x)',
  tan: 'Math.tan(x)',
  tanh: 'Math.tanh(x)',
  sigmoid: '(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))',
  relu: '(x > 0 ? x : 0)',
  softplus: 'Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))',
  abs: 'Math.abs(x)',
  sign: '(x > 0 ? 1 : x < 0 ? -1 : 0)',
  round: 'H.roundHalfEven(x)',
  floor: 'Math.floor(x)',
  step: '(x > 0 ? 1 : 0)',
  isfinite: '(Number.isFinite(x) ? 1 : 0)',
  not: '(x ? 0 : 1)',
};

/** float32 overrides of UNARY_JS (see above). */
export const UNARY_JS_F32: Record<string, string> = {
  tanh: 'H.tanh32(x)',
};

export const BINARY_JS: Record<string, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  maximum: 'Math.max(a, b)',
  minimum: 'Math.min(a, b)',
  atan2: 'Math.atan2(a, b)',
  eq: '(a === b ? 1 : 0)',
  ne: '(a !== b ? 1 : 0)',
  lt: '(a < b ? 1 : 0)',
  le: '(a <= b ? 1 : 0)',
  gt: '(a > b ? 1 : 0)',
  ge: '(a >= b ? 1 : 0)',
  and: '(a && b ? 1 : 0)',
  or: '(a || b ? 1 : 0)',
};

/** where(c, a, b): c is true when nonzero and not NaN, as `c ? a : b` in JS. */
export const WHERE_JS = '(c ? a : b)';
/** clamp with its bounds as the extra scalars e0 (min) and e1 (max). */
export const CLAMP_JS = '(x < e0 ? e0 : x > e1 ? e1 : x)';

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// Eigen's generic_fast_tanh_float: an odd degree-13 numerator over an even degree-6 denominator on [-c, c]
const C = 7.90531110763549805;
const A1 = 4.89352455891786e-3, A3 = 6.37261928875436e-4, A5 = 1.48572235717979e-5, A7 = 5.12229709037114e-8;
const A9 = -8.60467152213735e-11, A11 = 2.00018790482477e-13, A13 = -2.76076847742355e-16;
const B0 = 4.89352518554385e-3, B2 = 2.2684346324390e-3, B4 = 1.18534705686654e-4, B6 = 1.19825839466702e-6;

/** tanh for float32 results (see the file comment); NaN stays NaN, ±Infinity gives ±1. */
export function tanh32(x: number): number {
  const y = Math.max(-C, Math.min(C, x));
  const y2 = y * y;
  const p = y * ((((((A13 * y2 + A11) * y2 + A9) * y2 + A7) * y2 + A5) * y2 + A3) * y2 + A1);
  const q = ((B6 * y2 + B4) * y2 + B2) * y2 + B0;
  return p / q;
}

/** What generated code reaches as `H`. */
export const HELPERS = { roundHalfEven, tanh32 };

export const unaryExpr = (fn: string, dtype: string): string | undefined => (dtype === 'float32' ? (UNARY_JS_F32[fn] ?? UNARY_JS[fn]) : UNARY_JS[fn]);
