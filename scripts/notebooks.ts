/**
 * `npm run notebooks`: executes the notebooks through the Jupyter kernels and stores their outputs, so that
 * repository viewers show them. With paths, only those: `npm run notebooks -- notebooks/pde/poisson.ipynb`.
 *
 * The kernelspecs go into a temporary prefix (nothing is installed for the user). The execution is
 * test/kernel/run_notebooks.py --write, as CI runs it: a notebook is written back only when it ran without
 * an unexpected error or warning, and the command fails otherwise. Needs Debian's python3-nbclient.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jupyterEnv, notebookPaths, PYTHON, root, runner } from './notebook-env';

const paths = process.argv.slice(2).length ? process.argv.slice(2) : notebookPaths();
const prefix = mkdtempSync(join(tmpdir(), 'nabla-notebooks-'));
let status = 1;
try {
  const t0 = performance.now();
  const r = spawnSync(PYTHON, [runner, '--write', ...paths], { cwd: root, env: jupyterEnv(prefix), stdio: 'inherit' });
  status = r.status ?? 1;
  console.log(
    `${paths.length} notebook(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s${status ? ': FAILED, nothing written for those with errors' : ''}`,
  );
} finally {
  rmSync(prefix, { recursive: true, force: true });
}
process.exit(status);
