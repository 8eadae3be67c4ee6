import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installKernelspec } from '../kernel/install';

/**
 * What executing the notebooks needs, shared by `npm run notebooks` (scripts/notebooks.ts) and CI
 * (test/kernel/notebooks.test.ts): the list of notebooks, and the kernelspecs in a throwaway Jupyter prefix.
 */
export const PYTHON = '/usr/bin/python3';
export const root = fileURLToPath(new URL('..', import.meta.url));
export const runner = join(root, 'test', 'kernel', 'run_notebooks.py');

/** Every .ipynb under notebooks/, subfolders included (checkpoints excluded), as paths relative to the root. */
export function notebookPaths(): string[] {
  const dir = join(root, 'notebooks');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ipynb') && !f.split(/[\\/]/).includes('.ipynb_checkpoints'))
    .map((f) => join('notebooks', f))
    .sort();
}

/** Installs the Nabla kernelspec and tslab's TypeScript one into prefix; returns the environment that finds them. */
export function jupyterEnv(prefix: string): NodeJS.ProcessEnv {
  installKernelspec({ prefix });
  const tslab = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'tslab', 'bin', 'tslab'),
      'install',
      '--python',
      PYTHON,
      '--binary',
      join(root, 'node_modules', '.bin', 'tslab'),
      '--prefix',
      prefix,
    ],
    { encoding: 'utf8' },
  );
  if (tslab.status !== 0) throw new Error(`tslab install failed: ${tslab.stderr}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: join(prefix, 'share', 'jupyter'),
    JUPYTER_RUNTIME_DIR: join(prefix, 'runtime'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  delete env.NABLA_KERNEL_SESSION;
  return env;
}
