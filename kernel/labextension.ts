import { cpSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelspecDir, type InstallOptions } from './install';

/**
 * The prebuilt JupyterLab extension that highlights Nabla in desktop JupyterLab 4 (lite/labextension/,
 * built by `nabla lite labextension`), copied into `labextensions/` of the Jupyter data directory the
 * kernelspec goes to, where JupyterLab finds prebuilt extensions.
 */
export const LABEXTENSION_NAME = 'nabla-jupyterlab';
export const PREBUILT_LABEXTENSION = fileURLToPath(
  new URL(`../lite/labextension/dist/${LABEXTENSION_NAME}`, import.meta.url),
);

/** The labextensions folder beside the kernels folder the kernelspec is installed in. */
export function labextensionDir(opts: InstallOptions = {}): string {
  return join(dirname(dirname(kernelspecDir(opts))), 'labextensions', LABEXTENSION_NAME);
}

/** Copies the prebuilt extension; null when it has not been built. */
export function installLabextension(opts: InstallOptions = {}, from = PREBUILT_LABEXTENSION): string | null {
  if (!existsSync(join(from, 'package.json'))) return null;
  const dir = labextensionDir(opts);
  rmSync(dir, { recursive: true, force: true });
  cpSync(from, dir, { recursive: true });
  return dir;
}

export function uninstallLabextension(opts: InstallOptions = {}): string | null {
  const dir = labextensionDir(opts);
  if (!existsSync(dir)) return null;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
