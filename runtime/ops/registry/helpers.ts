/**
 * The scalar helpers generated elementwise code reaches as `H` (the js loops, the fused loops and the
 * scalar form of every op on plain numbers), kept free of imports but the import-free libm, so every layer
 * can load them.
 */
import * as libm from '../../backends/js/libm';
import { tanh64 } from './tanh64';

/** torch.round: halves to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// Eigen's generic_fast_tanh_float: an odd degree-13 numerator over an even degree-6 denominator on [-c, c],
// in float32 arithmetic as Eigen computes it (constants rounded to float32, each operation rounded to float32;
// Math.fround of a double product, sum or quotient of float32 values is the correctly rounded float32 result,
// so this is exactly what four f32x4 lanes compute: backends/js/plan/wasm.ts emitTanh32)
const F = Math.fround;
const C = F(7.90531110763549805);
const TINY = F(0.0004);
const A1 = F(4.89352455891786e-3),
  A3 = F(6.37261928875436e-4),
  A5 = F(1.48572235717979e-5),
  A7 = F(5.12229709037114e-8);
const A9 = F(-8.60467152213735e-11),
  A11 = F(2.00018790482477e-13),
  A13 = F(-2.76076847742355e-16);
const B0 = F(4.89352518554385e-3),
  B2 = F(2.268434632439e-3),
  B4 = F(1.18534705686654e-4),
  B6 = F(1.19825839466702e-6);

/** Eigen's tanh constants in Horner order (A13 … A1, B6 … B0), for the SIMD form. */
export const TANH32_CONSTANTS = { C, TINY, A: [A13, A11, A9, A7, A5, A3, A1], B: [B6, B4, B2, B0] };

/**
 * tanh of a float32 value, for float32 results (see backends/js/fns.ts); NaN stays NaN, ±Infinity gives ±1.
 * Below |x| = 0.0004 it is x, as Eigen's: the quotient of two tiny products loses x's precision there.
 */
export function tanh32(x: number): number {
  if (Math.abs(x) < TINY) return x;
  const y = Math.max(-C, Math.min(C, x));
  const y2 = F(y * y);
  const p = F(y * F(F(F(F(F(F(F(F(F(F(F(F(A13 * y2) + A11) * y2) + A9) * y2) + A7) * y2) + A5) * y2) + A3) * y2) + A1));
  const q = F(F(F(F(F(F(B6 * y2) + B4) * y2) + B2) * y2) + B0);
  return F(p / q);
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf to float64 accuracy (JavaScript has none). |x| < 3: the series 2/√π e^(-x²) Σ 2ⁿ x^(2n+1)/(1·3···(2n+1)),
 * whose terms are all positive (no cancellation); 3 ≤ |x| < 6: 1 − erfc by its continued fraction (Lentz);
 * beyond 6, erfc < 2e-17, so erf is ±1 in float64.
 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return Math.sign(x) * TWO_OVER_SQRT_PI * libm.exp(-x2) * sum;
  }
  // erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = ax;
  let Cc = ax;
  let D = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    D = ax + a * D;
    D = D === 0 ? tiny : D;
    Cc = ax + a / Cc;
    Cc = Cc === 0 ? tiny : Cc;
    D = 1 / D;
    const delta = Cc * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  const erfc = libm.exp(-ax * ax) / (Math.sqrt(Math.PI) * f);
  return Math.sign(x) * (1 - erfc);
}

/** What generated code reaches as `H`: the helpers above and libm's functions (H.exp, H.sin, ...). */
export const HELPERS = { roundHalfEven, tanh32, tanh64, erf, ...libm };

const LIBM_CALL = new RegExp(`\\bMath\\.(${Object.keys(libm).join('|')})\\(`, 'g');

/**
 * A registry expression as the js backend runs it: each `Math.f(` that libm has becomes `H.f(`, so the
 * result is the same on every engine (backends/js/libm.ts says why). The registry keeps writing `Math.exp`:
 * gpu.js compiles the same text to its own builtins.
 */
export function portableJs(js: string): string {
  return js.replace(LIBM_CALL, 'H.$1(');
}
