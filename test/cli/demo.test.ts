import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe("the README's main job", () => {
  it('npx nabla run examples/demo.nabla runs, says which backend and why, and prints the gradients', () => {
    const r = spawnSync(process.execPath, ['bin/nabla.mjs', 'run', 'examples/demo.nabla'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^backend: \w+ \(/m);
    expect(r.stdout).toContain('grad returns: tensor([0.7878, 5.0000])');
  });
});

describe('a reader that stops early (nabla run f.nabla | head)', () => {
  it('ends the run quietly, without a stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['bin/nabla.mjs', 'run', 'notebooks/pde/poisson.nabla', '--steps', '3000'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
