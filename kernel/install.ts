import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNELSPEC } from '../grammar/language-info';
import { logoPng } from './logo';

/**
 * `nabla kernel install [--user | --sys-prefix | --prefix DIR]` and `uninstall`: the kernelspec directory
 * `kernels/nabla` under a Jupyter data directory, in the places `jupyter kernelspec install` uses.
 */
export interface InstallOptions {
  /** The user's Jupyter data directory (the default). */
  user?: boolean;
  /** The active Python environment's prefix (a virtualenv or conda environment, or python3's sys.prefix). */
  sysPrefix?: boolean;
  /** DIR/share/jupyter/kernels/nabla. */
  prefix?: string;
  /** The node executable the kernelspec runs; default the one running now. */
  node?: string;
}

export const KERNEL_NAME = 'nabla';
const launcher = fileURLToPath(new URL('../bin/nabla.mjs', import.meta.url));

export function kernelspecDir(opts: InstallOptions = {}): string {
  if (opts.prefix) return join(resolve(opts.prefix), 'share', 'jupyter', 'kernels', KERNEL_NAME);
  if (opts.sysPrefix) return join(pythonPrefix(), 'share', 'jupyter', 'kernels', KERNEL_NAME);
  return join(userDataDir(), 'kernels', KERNEL_NAME);
}

/** jupyter_core's user data directory: JUPYTER_DATA_DIR, else the platform's. */
function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

function pythonPrefix(): string {
  const env = process.env.VIRTUAL_ENV || process.env.CONDA_PREFIX;
  if (env) return env;
  for (const python of ['python3', 'python']) {
    try {
      return execFileSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error(
    '--sys-prefix needs an active Python environment (VIRTUAL_ENV or CONDA_PREFIX) or python3 on PATH; use --user or --prefix DIR instead',
  );
}

export function kernelJson(node = process.execPath): Record<string, unknown> {
  return {
    argv: [node, launcher, 'kernel', '--connection-file', '{connection_file}'],
    display_name: KERNELSPEC.display_name,
    language: KERNELSPEC.language,
    interrupt_mode: 'signal',
    metadata: { debugger: false },
  };
}

/** Writes kernel.json and the logos; returns the kernelspec directory. */
export function installKernelspec(opts: InstallOptions = {}): string {
  const dir = kernelspecDir(opts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(kernelJson(opts.node), null, 2) + '\n');
  writeFileSync(join(dir, 'logo-32x32.png'), logoPng(32));
  writeFileSync(join(dir, 'logo-64x64.png'), logoPng(64));
  return dir;
}

/** Removes the kernelspec directory; returns it, or null when there was none. */
export function uninstallKernelspec(opts: InstallOptions = {}): string | null {
  const dir = kernelspecDir(opts);
  if (!existsSync(dir)) return null;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
