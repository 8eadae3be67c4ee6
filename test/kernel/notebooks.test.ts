import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jupyterEnv, notebookPaths, PYTHON, root, runner } from '../../scripts/notebook-env';

/**
 * Every notebook under notebooks/ (subfolders included) executes without an error output under nbclient,
 * with the Nabla kernelspec and tslab's TypeScript kernelspec installed into a temporary prefix (what CI
 * does, and what `npm run notebooks` does before writing the outputs back). Cells that demonstrate an error
 * or a warning are tagged raises-exception or warns, and must then show one (test/kernel/run_notebooks.py).
 */
const notebooks = notebookPaths();
const hasNbclient = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import nbclient, nbformat']).status === 0;

describe('the notebook list', () => {
  it('reaches into subfolders', () => {
    expect(notebooks).toContain(join('notebooks', 'grad-vs-backward.ipynb'));
    expect(notebooks).toContain(join('notebooks', 'pde', 'poisson.ipynb'));
    expect(notebooks).toContain(join('notebooks', 'exercises', '01-derive-gradient.ipynb'));
  });
});

describe.skipIf(!hasNbclient || notebooks.length === 0)('notebooks', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nabla-notebooks-'));
    env = jupyterEnv(tmp);
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const nb of notebooks) {
    it(`${nb} runs without errors`, async () => {
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const p = spawn(PYTHON, [runner, join(root, nb)], { cwd: root, env });
        let output = '';
        p.stdout.on('data', (d) => (output += d));
        p.stderr.on('data', (d) => (output += d));
        p.on('close', (c) => resolve({ code: c, output }));
      });
      expect(code, output).toBe(0);
      expect(output).toMatch(/ 0 errors/);
    }, 300_000);
  }
});
