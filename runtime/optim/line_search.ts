/**
 * The strong-Wolfe line search of torch.optim.LBFGS (1.13's _strong_wolfe and _cubic_interpolate, themselves
 * ported from torch7's lswolfe.lua and polyinterp.lua), on plain numbers and Float64Arrays. Branches and
 * evaluation counts follow PyTorch step for step, so a run calls the closure exactly as often as PyTorch does.
 */

/** Python's min/max of two numbers: the first unless the second compares strictly better (NaN behaves as there). */
export const pyMin = (a: number, b: number) => (b < a ? b : a);
export const pyMax = (a: number, b: number) => (b > a ? b : a);

/**
 * The multiply-add behind PyTorch's `add_(x, alpha=a)` and `dot`. PyTorch's AVX2 kernels fuse it (one rounding);
 * JS has no fused multiply-add, so here it rounds twice. L-BFGS can amplify that last-bit difference on hard
 * problems, so the tests swap in an exact fma and then match PyTorch bit for bit (test/runtime/optim.test.ts).
 */
export const arith = { fma: (a: number, b: number, c: number) => a * b + c };

/** Sequential like PyTorch's dot for short vectors (longer ones are blocked there, so only close, not equal). */
export function dot(a: Float64Array, b: Float64Array): number {
  if (!a.length) return 0;
  const fma = arith.fma;
  let s = a[0] * b[0];
  for (let i = 1; i < a.length; i++) s = fma(a[i], b[i], s);
  return s;
}

/** max |a_i|, NaN if any entry is NaN (torch's max propagates NaN). */
export function absMax(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/** Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds (default: between the points). */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (!(d2Square >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos =
    x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return pyMin(pyMax(minPos, lo), hi);
}

/** Evaluates the objective at x + t·d, returning the loss and flat gradient there (the params are restored). */
export type Directional = (t: number, d: Float64Array) => [number, Float64Array];

export interface LineSearchResult {
  f: number;
  g: Float64Array;
  t: number;
  evals: number;
  /** Whether a step met both strong-Wolfe conditions (false: it ran out of trials or the bracket collapsed). */
  satisfied: boolean;
}

/**
 * Finds t satisfying the strong Wolfe conditions along d from (f, g), with gtd = g·d < 0: first brackets
 * an interval, then zooms by cubic interpolation, moving away from the bracket's ends when progress stalls.
 */
export function strongWolfe(
  obj: Directional,
  t: number,
  d: Float64Array,
  f: number,
  g: Float64Array,
  gtd: number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): LineSearchResult {
  const dNorm = absMax(d);
  let [fNew, gNew] = obj(t, d);
  let evals = 1;
  let gtdNew = dot(gNew, d);

  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Float64Array[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    // extrapolate: the minimizer of the cubic, kept within [t + 0.01(t - tPrev), 10t]
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [tmp, fNew, gNew, gtdNew];
    [fNew, gNew] = obj(t, d);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;
  }
  if (lsIter === maxLs)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];

  // zoom: shrink the bracket until a point satisfies the conditions
  let insufProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // a trial too close to an end of the bracket (twice in a row, or outside it) moves 10% of the width inside
    const bMax = pyMax(bracket[0], bracket[1]);
    const bMin = pyMin(bracket[0], bracket[1]);
    const eps = 0.1 * (bMax - bMin);
    if (pyMin(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;

    [fNew, gNew] = obj(t, d);
    evals++;
    gtdNew = dot(gNew, d);
    lsIter++;

    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
      // Armijo fails, or no lower than the low end: t becomes the high end
      [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        // the old low end becomes the high end
        [bracket[high], bracketF[high], bracketG[high], bracketGtd[high]] = [
          bracket[low],
          bracketF[low],
          bracketG[low],
          bracketGtd[low],
        ];
      }
      [bracket[low], bracketF[low], bracketG[low], bracketGtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return { f: bracketF[low], g: bracketG[low], t: bracket[low], evals, satisfied: done };
}
