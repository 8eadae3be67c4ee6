/**
 * float64 tanh from IEEE additions, multiplications and divisions only, so the JavaScript below and its
 * WebAssembly SIMD twin (backends/js/plan/wasm.ts emitOp) give the same bits, in every engine. libm's tanh
 * (fdlibm's, through expm1) cost ~80 ns an element here and was a third of a float64 Burgers evaluation;
 * this runs two lanes at a time in compiled plans. Accuracy: within 1 ulp of the correctly rounded value
 * at the 1,114 points of test/fixtures/tanh64.json (50-digit values; V8's Math.tanh is 2 ulps off at three).
 *
 *   |x| < 0.625:  a + a³ P(a²), P the degree-11 Chebyshev fit of (tanh a − a)/a³ on a² ∈ [0, 0.390625]
 *                 (error 4e-18)
 *   otherwise:    1 − 2 / (e^y + 1), y = min(2|x|, 44) (tanh rounds to 1 from |x| ≈ 19.1); e^y = 2^k e^r with
 *                 k = ⌊y / ln 2 + ½⌋, r = y − k ln2_hi − k ln2_lo (fdlibm's split: k ln2_hi is exact), e^r the
 *                 degree-12 Chebyshev fit on |r| ≤ ln 2 / 2 (error 4e-20)
 *
 * and the sign of x put back (−0 stays −0; NaN stays NaN). The coefficients come from
 * scripts/tanh64-coefficients.py (mpmath's chebyfit, 50 digits).
 */

/** P's coefficients, highest degree first. */
export const TANH64_SMALL = [
  6.485163482793113e-6, -3.12011014257974e-5, 9.257116129556769e-5, -2.375906496055562e-4, 5.896606577757043e-4,
  -1.4557754120478055e-3, 3.5921217511549622e-3, -8.863235103240878e-3, 2.1869488519008305e-2, -5.396825396789699e-2,
  1.3333333333333042e-1, -3.333333333333333e-1,
];
/** e^r's coefficients, highest degree first. */
export const TANH64_EXP = [
  2.09215799649503e-9, 2.5114869528657765e-8, 2.7557251904174915e-7, 2.7557224958392624e-6, 2.4801587350110797e-5,
  1.98412699092171e-4, 1.388888888887189e-3, 8.333333333309528e-3, 4.166666666666669e-2, 1.6666666666666702e-1, 0.5, 1,
  1,
];
export const TANH64_SPLIT = 0.625;
export const TANH64_CLAMP = 44;
export const TANH64_INV_LN2 = 1.4426950408889634;
export const TANH64_LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
export const TANH64_LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76

/** 2^k for the k the exponential above can reach (2 ≤ k ≤ 64), exact. */
const POW2 = Array.from({ length: 65 }, (_, k) => 2 ** k);

export function tanh64(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  let z: number;
  if (a < TANH64_SPLIT) {
    const s = a * a;
    let p = TANH64_SMALL[0];
    for (let i = 1; i < TANH64_SMALL.length; i++) p = p * s + TANH64_SMALL[i];
    z = a + a * s * p;
  } else {
    const y = Math.min(2 * a, TANH64_CLAMP);
    const k = Math.floor(y * TANH64_INV_LN2 + 0.5);
    const r = y - k * TANH64_LN2_HI - k * TANH64_LN2_LO;
    let q = TANH64_EXP[0];
    for (let i = 1; i < TANH64_EXP.length; i++) q = q * r + TANH64_EXP[i];
    z = 1 - 2 / (q * POW2[k] + 1);
  }
  return x < 0 || (x === 0 && 1 / x < 0) ? -z : z;
}
