import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { hasTorch, python } from '../python-torch';

/**
 * notebooks/pde/burgers.nabla and burgers-inverse.nabla run as users run them, with tiny settings (the full
 * runs take many minutes; notebooks/README.md records them): the interface, the stop reason, the export the
 * PyTorch twin starts from, the observation file the inverse problem writes and reads back.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nabla-burgers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nabla(script: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      [join(root, 'bin', 'nabla.mjs'), 'run', join(root, 'notebooks', 'pde', script), ...args],
      { cwd: root },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('notebooks/pde/burgers*.nabla', () => {
  it('burgers.nabla: Adam, L-BFGS with its stop reason, --export and --save, ends with the relative L2 error', async () => {
    const r = await nabla('burgers.nabla', [
      '--steps',
      '3',
      '--lbfgs',
      '2',
      '--points',
      '64',
      '--seed',
      '1',
      '--dtype',
      'float64',
      '--export',
      join(dir, 'init.npz'),
      '--save',
      join(dir, 'net.npz'),
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Adam: 3 steps in .* ms\/step after the first/);
    expect(r.out).toMatch(/L-BFGS: \d+ iterations, \d+ evaluations in .*; stopped by (max iterations|max evaluations)/);
    const last = r.out.trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^relative L2 error: \d[\d.]*(e-?\d+)?$/);
    expect(Number(last.split(': ')[1])).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'init.npz')) && existsSync(join(dir, 'net.npz'))).toBe(true);
  }, 600_000);

  it('burgers.nabla --rar: adds the points of largest residual after each report and trains on', async () => {
    const r = await nabla('burgers.nabla', [
      '--steps',
      '2',
      '--lbfgs',
      '6',
      '--every',
      '3',
      '--points',
      '64',
      '--rar',
      '5',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^lbfgs 3 iterations, \d+ evaluations: relative L2 error/m);
    expect(r.out).toMatch(/^rar: added 5 points where \|residual\| is largest \(up to [\d.e-]+ \); N_f now 69$/m);
    expect(r.out.match(/^rar: /gm)).toHaveLength(1); // none after the last report
    expect(r.out).toMatch(/^L-BFGS: 6 iterations, \d+ evaluations in /m);
    expect(r.out.trimEnd().split('\n').pop()).toMatch(/^relative L2 error: \d/);
    // refinement is on by default: 100 points a round (here after each of the first 2 of 3 iterations)
    const byDefault = await nabla('burgers.nabla', ['--steps', '0', '--lbfgs', '3', '--every', '1', '--points', '32']);
    expect(byDefault.code, byDefault.err).toBe(0);
    expect([...byDefault.out.matchAll(/^rar: added 100 points .*; N_f now (\d+)$/gm)].map((m) => m[1])).toEqual([
      '132',
      '232',
    ]);
  }, 600_000);

  it('burgers.nabla --restarts: a failed line search starts L-BFGS afresh, at most R times, then stops with the reason; a fresh one goes on past its first step', async () => {
    // 16 points are fitted within a few hundred iterations, after which float32 line searches fail (with
    // PyTorch's curvature bound: the history then holds only the pairs of the early steps)
    const common = [
      '--dtype',
      'float32',
      '--min-curvature',
      '1e-10',
      '--points',
      '16',
      '--boundary',
      '8',
      '--steps',
      '0',
      '--lbfgs',
      '1500',
      '--every',
      '100',
      '--seed',
      '1',
      '--rar',
      '0',
    ];
    const r = await nabla('burgers.nabla', [...common, '--restarts', '2']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(/^restarting L-BFGS after line search failure: /gm)).toHaveLength(2);
    // each fresh optimizer's first step (steepest descent, scaled down) stopped early too: it goes on once
    expect(r.out.match(/^continuing L-BFGS after its first step: /gm)).toHaveLength(2);
    expect(r.out).toMatch(/^L-BFGS: \d+ iterations, \d+ evaluations in .*; stopped by line search failure/m);
    const none = await nabla('burgers.nabla', [...common, '--restarts', '0']);
    expect(none.out).not.toMatch(/restarting/);
    expect(none.out).toMatch(/stopped by line search failure/);
  }, 600_000);

  it('burgers-inverse.nabla: writes its observations to CSV, reads them back, reports both errors', async () => {
    const data = join(dir, 'obs.csv');
    const r = await nabla('burgers-inverse.nabla', [
      '--steps',
      '2',
      '--lbfgs',
      '2',
      '--points',
      '40',
      '--noise',
      '0.01',
      '--data',
      data,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(data, 'utf8').split('\n')[0]).toBe('x,t,u');
    expect(readFileSync(data, 'utf8').trim().split('\n')).toHaveLength(41);
    expect(r.out).toMatch(/observations: 40 points from/);
    expect(r.out).toMatch(/lambda1 error: \d[\d.]*(e-?\d+)? %\nlambda2 error: \d[\d.]*(e-?\d+)? %\n$/);
  }, 600_000);

  // bench/burgers_torch.py is the PyTorch twin the benchmark compares with: from the script's export it must
  // compute the same network (inputs mapped the same way) on the same grid, so the untrained errors agree
  it.runIf(hasTorch)(
    'the PyTorch twin starts from the export where the script stands: the same untrained error',
    async () => {
      for (const scale of ['1', '0']) {
        const data = join(dir, `twin${scale}.npz`);
        const common = ['--steps', '0', '--lbfgs', '0', '--points', '32', '--seed', '2', '--dtype', 'float64'];
        const r = await nabla('burgers.nabla', [...common, '--scale', scale, '--export', data]);
        expect(r.code, r.err).toBe(0);
        const ours = Number(r.out.trimEnd().split('\n').pop()!.split(': ')[1]);
        const twin = spawnSync(
          python,
          [
            join(root, 'bench', 'burgers_torch.py'),
            '--data',
            data,
            '--steps',
            '0',
            '--lbfgs',
            '0',
            '--dtype',
            'float64',
          ],
          { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
        );
        expect(twin.status, twin.stderr).toBe(0);
        const theirs = (JSON.parse(twin.stdout.trim().split('\n').pop()!) as { error: number }).error;
        expect(Math.abs(theirs - ours) / ours, `--scale ${scale}: ${theirs} vs ${ours}`).toBeLessThan(1e-12);
      }
      // with --rar the export carries the candidate sets (one per round: every 2 of 5 iterations but the last),
      // and the twin refines from them as the script does
      const data = join(dir, 'twin-rar.npz');
      const rar = ['--steps', '0', '--lbfgs', '5', '--every', '2', '--rar', '3', '--points', '32', '--seed', '2'];
      const r = await nabla('burgers.nabla', [...rar, '--export', data]);
      expect(r.code, r.err).toBe(0);
      expect([...r.out.matchAll(/^rar: added 3 points .*; N_f now (\d+)$/gm)].map((m) => m[1])).toEqual(['35', '38']);
      const shape = spawnSync(
        python,
        ['-c', `import numpy; print(numpy.load(${JSON.stringify(data)})["rar_candidates"].shape)`],
        {
          encoding: 'utf8',
        },
      );
      expect(shape.stdout.trim()).toBe('(20000, 2)');
      const twin = spawnSync(
        python,
        [
          join(root, 'bench', 'burgers_torch.py'),
          '--data',
          data,
          ...['--steps', '0', '--lbfgs', '5', '--every', '2'],
          ...['--rar', '3', '--dtype', 'float64'],
        ],
        { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
      );
      expect(twin.status, twin.stderr).toBe(0);
      expect([...twin.stderr.matchAll(/^rar: added 3 points; N_f now (\d+)$/gm)].map((m) => m[1])).toEqual([
        '35',
        '38',
      ]);
    },
    600_000,
  );
});
