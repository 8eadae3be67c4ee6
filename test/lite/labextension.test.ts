// The desktop JupyterLab extension (lite/labextension/): built offline by @jupyterlab/builder from lite/'s
// install as a federated labextension, and put into labextensions/ by `nabla kernel install`. No desktop
// JupyterLab runs here (Debian 12 packages none), so what is checked is the built extension's metadata and
// bundle and the install, not JupyterLab loading it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLabextension } from '../../lite/labextension/build';

const root = fileURLToPath(new URL('../..', import.meta.url));
let built: string;
let tmp: string;

beforeAll(async () => {
  built = await buildLabextension();
  tmp = mkdtempSync(join(tmpdir(), 'nabla-labext-'));
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the desktop JupyterLab extension', () => {
  it('is a federated extension that shares JupyterLab and CodeMirror instead of bundling them', () => {
    const pkg = JSON.parse(readFileSync(join(built, 'package.json'), 'utf8')) as {
      name: string;
      jupyterlab: { _build: { load: string; extension: string } };
    };
    expect(pkg.name).toBe('nabla-jupyterlab');
    expect(pkg.jupyterlab._build.extension).toBe('./extension');
    const entry = readFileSync(join(built, pkg.jupyterlab._build.load), 'utf8');
    for (const shared of ['@jupyterlab/codemirror', '@codemirror/language']) expect(entry).toContain(`"${shared}"`);
    const chunks = readdirSync(join(built, 'static'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(built, 'static', f), 'utf8'))
      .join('\n');
    // the language's token list is inside (the grammar's keywords), CodeMirror's own classes are not
    expect(chunks).toContain('text/x-nabla');
    expect(chunks).not.toContain('class EditorView');
  });

  it('is installed and removed by `nabla kernel install / uninstall` beside the kernelspec', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin', 'nabla.mjs'), 'kernel', ...args, '--prefix', tmp], {
        encoding: 'utf8',
      });
    const installed = run('install');
    expect(installed.status, installed.stderr).toBe(0);
    const dir = join(tmp, 'share', 'jupyter', 'labextensions', 'nabla-jupyterlab');
    expect(installed.stdout).toContain(dir);
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
    expect(existsSync(join(tmp, 'share', 'jupyter', 'kernels', 'nabla', 'kernel.json'))).toBe(true);
    const removed = run('uninstall');
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });
});
