// bin/bundle.mjs: the CLI runs from an esbuild bundle of its sources, rebuilt when a source changes, with each
// source's import.meta.url its own; NABLA_BUNDLE=0 runs it through tsx. Both ways give the same output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const NABLA = join(root, 'bin', 'nabla.mjs');
const manifestFile = join(root, 'node_modules', '.cache', 'nabla', 'cli.json');
const tmp = mkdtempSync(join(tmpdir(), 'nabla-bundle-'));
const nabla = (args: string[], env: Record<string, string> = {}, cwd = root) =>
  spawnSync(process.execPath, [NABLA, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
const manifest = () =>
  JSON.parse(readFileSync(manifestFile, 'utf8')) as { entry: string; inputs: [string, number, number][] };

describe('the CLI bundle', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs a script as tsx does, and the bundle lists the sources it was built from', () => {
    const file = join(tmp, 'a.nabla');
    writeFileSync(file, 'x = param([1.0, 2.0])\nsum(tanh(x) * x).backward()\nprint(x.grad)\nprint(1 / 0)\n');
    const bundled = nabla(['run', file]);
    const viaTsx = nabla(['run', file], { NABLA_BUNDLE: '0' });
    expect(bundled.status, bundled.stderr).toBe(viaTsx.status);
    expect(bundled.stdout).toBe(viaTsx.stdout);
    expect(bundled.stderr).toBe(viaTsx.stderr); // the error for 1 / 0, named at its line, the same either way
    const inputs = manifest().inputs.map(([p]) => p);
    expect(inputs).toContain(join(root, 'cli', 'main.ts'));
    expect(inputs).toContain(join(root, 'runtime', 'ops', 'registry', 'tanh64.ts'));
    expect(inputs.length).toBeGreaterThan(100);
  }, 240_000);

  it('reads package.json where cli/main.ts says (its own import.meta.url, not the bundle’s)', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const r = nabla(['--version']);
    expect(r.stdout.trim()).toBe(`nabla ${version}`);
  }, 120_000);

  // built from another directory: the sources are named from the root all the same (they once were named from
  // the builder's cwd, found nowhere, and the empty list then passed for fresh whatever changed)
  it('is rebuilt when a source it was built from changes, whichever directory it is run from', () => {
    expect(nabla(['--version']).status).toBe(0);
    const source = join(root, 'cli', 'main.ts');
    const { atime, mtime } = statSync(source);
    const later = new Date(mtime.getTime() + 5000);
    try {
      utimesSync(source, atime, later);
      // the filesystem's root: shallower than the project, so a path relative to it cannot land on the file by chance
      expect(nabla(['--version'], {}, parse(root).root).status).toBe(0);
      const inputs = manifest().inputs;
      expect(inputs.length).toBeGreaterThan(100);
      const entry = inputs.find(([p]) => p === source);
      expect(entry?.[2]).toBe(statSync(source).mtimeMs);
    } finally {
      utimesSync(source, atime, mtime);
    }
  }, 120_000);
});
