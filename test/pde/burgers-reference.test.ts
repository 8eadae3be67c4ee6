import { describe, expect, it } from 'vitest';
import { burgersExact, gaussHermite } from '../../runtime/pde';

/**
 * The Burgers reference (Cole–Hopf with Gauss–Hermite quadrature) against an independent evaluation: the same
 * two integrals over η by the trapezoid rule on 400,001 points (spectrally accurate for these smooth,
 * rapidly decaying integrands), in log-sum-exp form.
 */
const nu = 0.01 / Math.PI;

function trapezoid(x: number, t: number): number {
  const N = 400001;
  const L = 4;
  const h = (2 * L) / (N - 1);
  const g = new Float64Array(N);
  let m = -Infinity;
  for (let i = 0; i < N; i++) {
    const eta = -L + i * h;
    g[i] = -Math.cos(Math.PI * (x - eta)) / (2 * Math.PI * nu) - (eta * eta) / (4 * nu * t);
    if (g[i] > m) m = g[i];
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < N; i++) {
    const w = Math.exp(g[i] - m);
    num += Math.sin(Math.PI * (x + L - i * h)) * w;
    den += w;
  }
  return -num / den;
}

describe('burgersExact', () => {
  it('matches an independent quadrature to 1e-10, near the shock too', () => {
    const pts: [number, number][] = [
      [0.5, 0.25],
      [-0.3, 0.5],
      [0.01, 0.75],
      [0.003, 0.99],
      [-0.9, 0.1],
      [0.2, 0.99],
      [-0.02, 0.5],
      [0.0001, 0.4],
    ];
    const u = burgersExact(
      pts.map((p) => p[0]),
      pts.map((p) => p[1]),
    );
    pts.forEach(([x, t], i) => expect(Math.abs(u[i] - trapezoid(x, t))).toBeLessThan(1e-10));
    // the shock at x = 0: u jumps from about +0.8 to -0.8 within a few hundredths
    expect(u[3]).toBeLessThan(-0.2);
  });

  it('is the initial condition at t = 0, zero on the walls, and odd in x', () => {
    const xs = [-0.7, -0.2, 0.3, 0.9];
    expect([...burgersExact(xs, [0, 0, 0, 0])]).toEqual(xs.map((x) => -Math.sin(Math.PI * x)));
    const walls = burgersExact([-1, 1, -1, 1], [0.3, 0.3, 0.9, 0.9]);
    walls.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-12));
    const [a, b] = burgersExact([0.37, -0.37], [0.6, 0.6]);
    expect(a + b).toBeCloseTo(0, 12);
  });

  it('Gauss–Hermite weights integrate polynomials exactly', () => {
    for (const n of [5, 60, 180]) {
      const { nodes, logWeights } = gaussHermite(n);
      const w = [...logWeights].map(Math.exp);
      const moment = (k: number) => w.reduce((s, wi, i) => s + wi * nodes[i] ** k, 0);
      expect(moment(0)).toBeCloseTo(Math.sqrt(Math.PI), 13);
      expect(moment(2)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 13);
      expect(moment(4)).toBeCloseTo((3 * Math.sqrt(Math.PI)) / 4, 12);
    }
    expect(() => gaussHermite(181)).toThrow(/\[1, 180\]/);
  });
});
