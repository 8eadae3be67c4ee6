import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as pde from '../../runtime/pde';
import type { Tensor } from '../../runtime';

/**
 * The samplers of runtime/pde (issue 14): Sobol and Halton against SciPy's points and discrepancies
 * (test/fixtures/qmc.json, from scripts/qmc_fixtures.py), the net property of scrambled Sobol points, Latin
 * hypercube strata, boundary faces, reproducibility under a seed, and residual-based refinement.
 */
const fx = JSON.parse(readFileSync(new URL('../fixtures/qmc.json', import.meta.url), 'utf8')) as Record<string, any>;
const rows = (t: Tensor): number[][] => t.tolist() as number[][];
const unit = (d: number) => [Array(d).fill(0), Array(d).fill(1)] as const;

/** Warnock's formula for the squared L2-star discrepancy of points in [0, 1]^d (SciPy's 'L2-star' is its square root). */
function l2star(p: number[][]): number {
  const n = p.length;
  const d = p[0].length;
  let a = 0;
  for (const x of p) a += x.reduce((s, v) => s * (1 - v * v), 1);
  let b = 0;
  for (const x of p) for (const y of p) b += x.reduce((s, v, k) => s * (1 - Math.max(v, y[k])), 1);
  return 3 ** -d - (2 ** (1 - d) / n) * a + b / (n * n);
}

describe('Sobol and Halton points', () => {
  it("unscrambled Sobol points are SciPy's, all 8 dimensions", () => {
    const ours = rows(pde.sobol(256, ...unit(8), { dtype: 'float64' }));
    expect(ours).toEqual(fx.sobol8);
  });

  it("Halton points are SciPy's (from index 1)", () => {
    const ours = rows(pde.halton(200, ...unit(5), { dtype: 'float64' }));
    ours.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(fx.halton5[i][j], 14)));
  });

  it("their L2-star discrepancy is SciPy's value and far below random points'", () => {
    const s = l2star(rows(pde.sobol(256, ...unit(2), { dtype: 'float64' })));
    expect(Math.sqrt(s) / fx.sobol2_l2star_256).toBeCloseTo(1, 10);
    const h = l2star(rows(pde.halton(200, ...unit(5), { dtype: 'float64' })));
    expect(Math.sqrt(h) / fx.halton5_l2star_200).toBeCloseTo(1, 10);
    // E[D²] of n uniform random points is (2^-d - 3^-d) / n
    expect(s).toBeLessThan((2 ** -2 - 3 ** -2) / 256 / 10);
    const r = l2star(rows(pde.sampleUniform(256, ...unit(2), { seed: 1, dtype: 'float64' })));
    expect(r).toBeGreaterThan(s * 5);
  });

  it('scrambled Sobol points (seeded digital shift) keep the net property: one point in every elementary box of volume 2^-8', () => {
    for (const seed of [1, 2]) {
      const p = rows(pde.sobol(256, ...unit(2), { seed, dtype: 'float64' }));
      for (let i = 0; i <= 8; i++) {
        const counts = new Map<string, number>();
        for (const [x, y] of p) {
          const key = `${Math.floor(x * 2 ** i)},${Math.floor(y * 2 ** (8 - i))}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        expect(counts.size).toBe(256);
      }
      expect(p).not.toEqual(fx.sobol8.map((r: number[]) => r.slice(0, 2)));
    }
    expect(rows(pde.sobol(64, ...unit(2), { seed: 3 }))).toEqual(rows(pde.sobol(64, ...unit(2), { seed: 3 })));
  });

  it('skip continues the sequence', () => {
    expect(rows(pde.sobol(8, ...unit(3), { skip: 8, dtype: 'float64' }))).toEqual(
      fx.sobol8.slice(8, 16).map((r: number[]) => r.slice(0, 3)),
    );
  });
});

describe('Latin hypercube, uniform, boundary and initial points', () => {
  it('each of the n strata along every axis holds exactly one point, inside the box', () => {
    const lo = [-1, 0, 2];
    const hi = [1, 1, 5];
    const n = 500;
    const p = rows(pde.latinHypercube(n, lo, hi, { seed: 7, dtype: 'float64' }));
    for (let j = 0; j < 3; j++) {
      const strata = new Set(p.map((r) => Math.floor(((r[j] - lo[j]) / (hi[j] - lo[j])) * n)));
      expect(strata.size).toBe(n);
      expect(Math.min(...strata)).toBe(0);
      expect(Math.max(...strata)).toBe(n - 1);
    }
  });

  it('the same seed gives the same points, another seed others', () => {
    for (const f of [pde.latinHypercube, pde.sampleUniform, pde.sampleBoundary, pde.sampleInitial]) {
      const a = rows(f(50, [-1, 0], [1, 1], { seed: 4 }));
      expect(rows(f(50, [-1, 0], [1, 1], { seed: 4 }))).toEqual(a);
      expect(rows(f(50, [-1, 0], [1, 1], { seed: 5 }))).not.toEqual(a);
    }
  });

  it('boundary points lie on the chosen faces, in proportion to their area; initial points at t = lo', () => {
    const p = rows(pde.sampleBoundary(4000, [-1, 0], [1, 1], { axes: [0], seed: 1, dtype: 'float64' }));
    expect(p.every(([x, t]) => (x === -1 || x === 1) && t >= 0 && t <= 1)).toBe(true);
    const left = p.filter(([x]) => x === -1).length;
    expect(left).toBeGreaterThan(1800);
    expect(left).toBeLessThan(2200);
    // all faces of [0, 2] x [0, 1]: the faces x = 0, 2 have length 1, the faces y = 0, 1 length 2
    const all = rows(pde.sampleBoundary(6000, [0, 0], [2, 1], { seed: 2, dtype: 'float64' }));
    const onX = all.filter(([x]) => x === 0 || x === 2).length;
    expect(onX / all.length).toBeGreaterThan(0.3);
    expect(onX / all.length).toBeLessThan(0.37);
    const init = rows(pde.sampleInitial(100, [-1, 0], [1, 1], { seed: 3, dtype: 'float64' }));
    expect(init.every(([x, t]) => t === 0 && x >= -1 && x <= 1)).toBe(true);
  });

  it('rejects a bad box and absurd sizes with sentences', () => {
    expect(() => pde.latinHypercube(10, [0, 1], [1])).toThrow(/lo and hi must be lists of the same positive length/);
    expect(() => pde.latinHypercube(10, [1], [0])).toThrow(/lo <= hi/);
    expect(() => pde.sampleUniform(1e12, [0], [1])).toThrow(/whole number in \[0, 50000000\]/);
    expect(() => pde.sobol(10, ...unit(9))).toThrow(/up to 8 dimensions/);
  });
});

describe('residual-based refinement', () => {
  const cand = pde.sampleUniform(100, [0], [1], { seed: 1, dtype: 'float64' });
  const resid = pde.fromValues(
    Float64Array.from(rows(cand), ([x]) => Math.sin(7 * x) * x),
    [100],
    'float64',
    'test',
  );

  it('rar picks the rows with the largest |residual|, largest first', () => {
    const picked = rows(pde.rar(cand, resid, 5)).map(([x]) => Math.abs(Math.sin(7 * x) * x));
    const sorted = rows(cand)
      .map(([x]) => Math.abs(Math.sin(7 * x) * x))
      .sort((a, b) => b - a);
    expect(picked).toEqual(sorted.slice(0, 5));
  });

  it('rad draws distinct rows, reproducibly, favouring large residuals', () => {
    const a = rows(pde.rad(cand, resid, 30, { seed: 2, k: 2, c: 0 }));
    expect(new Set(a.map(String)).size).toBe(30);
    expect(rows(pde.rad(cand, resid, 30, { seed: 2, k: 2, c: 0 }))).toEqual(a);
    const mean = (p: number[][]) => p.reduce((s, [x]) => s + Math.abs(Math.sin(7 * x) * x), 0) / p.length;
    expect(mean(a)).toBeGreaterThan(mean(rows(cand)) * 1.2);
    expect(() => pde.rad(cand, resid, 101)).toThrow(/n must be a whole number in \[0, 100\]/);
    expect(() => pde.rar(cand, pde.sampleUniform(3, [0], [1]), 1)).toThrow(
      /3 values but there are 100 candidate points/,
    );
  });
});
