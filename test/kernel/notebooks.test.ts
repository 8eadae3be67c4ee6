import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installKernelspec } from '../../kernel/install';

/**
 * Every notebook in notebooks/ executes without an error output under nbclient, with the Nabla kernelspec
 * and tslab's TypeScript kernelspec installed into a temporary prefix (what CI does).
 */
const PYTHON = '/usr/bin/python3';
const root = fileURLToPath(new URL('../..', import.meta.url));
const notebooks = existsSync(join(root, 'notebooks')) ? readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')) : [];
const hasNbclient = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import nbclient, nbformat']).status === 0;

describe.skipIf(!hasNbclient || notebooks.length === 0)('notebooks', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nabla-notebooks-'));
    installKernelspec({ prefix: tmp });
    const tslab = spawnSync(process.execPath, [join(root, 'node_modules', 'tslab', 'bin', 'tslab'), 'install', '--python', PYTHON, '--binary', join(root, 'node_modules', '.bin', 'tslab'), '--prefix', tmp], { encoding: 'utf8' });
    expect(tslab.status, tslab.stderr).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const nb of notebooks) {
    it(`${nb} runs without errors`, async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: join(tmp, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: join(tmp, 'runtime'), PYTHONDONTWRITEBYTECODE: '1' };
      delete env.NABLA_KERNEL_SESSION;
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const p = spawn(PYTHON, [join(root, 'test', 'kernel', 'run_notebooks.py'), join(root, 'notebooks', nb)], { cwd: root, env });
        let output = '';
        p.stdout.on('data', (d) => (output += d));
        p.stderr.on('data', (d) => (output += d));
        p.on('close', (c) => resolve({ code: c, output }));
      });
      expect(code, output).toBe(0);
      expect(output).toMatch(/0 errors/);
    }, 300_000);
  }
});
