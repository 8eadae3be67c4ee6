import { valueError } from '../errors';
import * as libm from '../backends/js/libm';

/**
 * The exact solution of the viscous Burgers benchmark (Raissi, Perdikaris & Karniadakis 2019):
 *   u_t + u u_x = nu u_xx on x in [-1, 1], u(x, 0) = -sin(pi x), u(±1, t) = 0,
 * from the Cole–Hopf transformation (Basdevant et al. 1986): with c = sqrt(4 nu t) and f(y) = exp(-cos(pi y) / (2 pi nu)),
 *   u(x, t) = -∫ sin(pi (x - c z)) f(x - c z) e^{-z²} dz / ∫ f(x - c z) e^{-z²} dz,
 * both integrals by Gauss–Hermite quadrature in float64. The exponent reaches 1/(2 pi nu) = 50 at nu = 0.01/pi,
 * so each sum is taken as a log-sum-exp (weights kept as logarithms), which keeps every term finite.
 */

/** Gauss–Hermite nodes (descending) and log-weights for ∫ g(z) e^{-z²} dz ≈ Σ w_i g(z_i), by Newton's method
 * on the orthonormal Hermite recurrence (Numerical Recipes' gauher), exact for polynomials of degree < 2n. */
export function gaussHermite(n: number): { nodes: Float64Array; logWeights: Float64Array } {
  if (!Number.isInteger(n) || n < 1 || n > 180)
    throw valueError(
      'gauss_hermite',
      `the number of nodes must be a whole number in [1, 180] (the recurrence overflows beyond), got ${n}`,
    );
  const PIM4 = libm.pow(Math.PI, -0.25);
  const x = new Float64Array(n);
  const lw = new Float64Array(n);
  let z = 0;
  for (let i = 1; i <= (n + 1) >> 1; i++) {
    if (i === 1) z = Math.sqrt(2 * n + 1) - 1.85575 * libm.pow(2 * n + 1, -0.16667);
    else if (i === 2) z -= (1.14 * libm.pow(n, 0.426)) / z;
    else if (i === 3) z = 1.86 * z - 0.86 * x[0];
    else if (i === 4) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 3];
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i - 1] = z;
    x[n - i] = -z;
    lw[i - 1] = lw[n - i] = libm.log(2) - 2 * libm.log(Math.abs(pp));
  }
  return { nodes: x, logWeights: lw };
}

/** u(x, t) of the Burgers benchmark at each (x[i], t[i]), in float64, with `nodes` Gauss–Hermite nodes. */
export function burgersExact(
  x: ArrayLike<number>,
  t: ArrayLike<number>,
  nu = 0.01 / Math.PI,
  nodes = 100,
): Float64Array {
  if (x.length !== t.length) throw valueError('burgers_exact', `x has ${x.length} values but t has ${t.length}`);
  if (!(nu > 0)) throw valueError('burgers_exact', `the viscosity nu must be > 0, got ${nu}`);
  const { nodes: z, logWeights: lw } = gaussHermite(nodes);
  const out = new Float64Array(x.length);
  const e = new Float64Array(z.length);
  const k = 1 / (2 * Math.PI * nu);
  for (let p = 0; p < x.length; p++) {
    const xp = x[p];
    const tp = t[p];
    if (!(tp >= 0)) throw valueError('burgers_exact', `t must be >= 0, got ${tp}`);
    if (tp === 0) {
      out[p] = -libm.sin(Math.PI * xp);
      continue;
    }
    const c = Math.sqrt(4 * nu * tp);
    let m = -Infinity;
    for (let i = 0; i < z.length; i++) {
      e[i] = -k * libm.cos(Math.PI * (xp - c * z[i])) + lw[i];
      if (e[i] > m) m = e[i];
    }
    let num = 0;
    let den = 0;
    for (let i = 0; i < z.length; i++) {
      const w = libm.exp(e[i] - m);
      num += libm.sin(Math.PI * (xp - c * z[i])) * w;
      den += w;
    }
    out[p] = -num / den;
  }
  return out;
}
