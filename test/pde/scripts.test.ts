import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The physics-informed scripts of notebooks/pde/, run as users run them (`nabla run FILE --steps N --seed S`):
 * short runs check the interface and that training reduces the error; the full default run of poisson.nabla
 * checks the target of issue 6 (relative L2 error below 1e-3 within 2,000 Adam steps).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'nabla.mjs');
const plots = mkdtempSync(join(tmpdir(), 'nabla-pde-'));
afterAll(() => rmSync(plots, { recursive: true, force: true }));

function nabla(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, 'run', join(root, 'notebooks', 'pde', script), ...args], { cwd: root });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The value on the last line, which must read `relative L2 error: <value>`. */
function finalError(out: string): number {
  const last = out.trimEnd().split('\n').pop()!;
  expect(last).toMatch(/^relative L2 error: \d[\d.]*(e-?\d+)?$/);
  return Number(last.slice('relative L2 error: '.length));
}

describe.each(['poisson', 'heat', 'poisson2d'])('notebooks/pde/%s.nabla', (name) => {
  it('prints progress, draws both plots, ends with the relative L2 error, and training lowers it', async () => {
    const untrained = await nabla(`${name}.nabla`, ['--steps', '0', '--lbfgs', '0', '--seed', '1']);
    expect(untrained.code, untrained.err).toBe(0);
    const trained = await nabla(`${name}.nabla`, ['--steps', '150', '--lbfgs', '2', '--seed', '1', '--plots', plots]);
    expect(trained.code, trained.err).toBe(0);
    // progress bars go to stderr (and only they), so the results on stdout stay clean when redirected
    expect(trained.err).toMatch(/^adam 100% \|█+\| 150\/150 /m);
    expect(trained.err.split('\n').filter((l) => l && !/^\S* ?\s*\d+% \|/.test(l))).toEqual([]);
    expect(trained.out).not.toMatch(/\d+% \|/);
    expect(trained.out).toMatch(/^after 150 Adam steps: relative L2 error \d/m);
    expect(trained.out).toMatch(/^after 2 L-BFGS steps \(\d+ evaluations\): loss \d/m);
    expect(trained.out).toMatch(/^<line chart "training loss \(Adam, then L-BFGS\)": \d+ points>$/m);
    for (const f of [`${name}-loss.svg`, `${name}-solution.svg`]) {
      expect(existsSync(join(plots, f)), f).toBe(true);
      expect(readFileSync(join(plots, f), 'utf8')).toMatch(/^<svg/);
    }
    expect(finalError(trained.out)).toBeLessThan(finalError(untrained.out) / 5);
  }, 120_000);
});

describe('notebooks/pde/poisson.nabla with its defaults', () => {
  it('reaches a relative L2 error below 1e-3 within 2,000 Adam steps, and ends below it after L-BFGS', async () => {
    const r = await nabla('poisson.nabla', []);
    expect(r.code, r.err).toBe(0);
    // The error at one given step is a draw: Adam at lr 5e-3 spikes from ~1,100 steps on (seed 0 measured
    // every 100 steps: up to 1.4e-2 at 1,800 and 4.4e-3 at 2,100 around 1.6e-4 at 2,000; a last-bit change
    // in the gradients moves the spikes), so the target is the reports' best up to step 2,000.
    const reports = [...r.out.matchAll(/^adam (\d+)  loss \S+  relative L2 error (\S+)$/gm)];
    expect(
      reports.map((m) => Number(m[1])),
      r.out,
    ).toEqual([500, 1000, 1500, 2000]);
    expect(Math.min(...reports.map((m) => Number(m[2])))).toBeLessThan(1e-3);
    expect(r.out).toMatch(/^after 2000 Adam steps: relative L2 error \d/m);
    expect(finalError(r.out)).toBeLessThan(1e-3);
  }, 300_000);
});
