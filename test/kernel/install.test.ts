import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { installKernelspec, kernelspecDir, uninstallKernelspec } from '../../kernel/install';

const tmp = mkdtempSync(join(tmpdir(), 'nabla-kernelspec-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readPng(file: string) {
  const png = readFileSync(file);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  let idat = Buffer.alloc(0);
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT')
      idat = Buffer.concat([idat, png.subarray(at + 8, at + 8 + len)]);
    at += 12 + len;
  }
  return { width, height, pixels: inflateSync(idat) };
}

describe('kernelspec', () => {
  it('installs kernel.json and two logos under a prefix', () => {
    const dir = installKernelspec({ prefix: join(tmp, 'p') });
    expect(dir).toBe(join(tmp, 'p', 'share', 'jupyter', 'kernels', 'nabla'));
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
    expect(spec).toMatchObject({ display_name: 'Nabla', language: 'nabla', interrupt_mode: 'signal' });
    const [node, launcher, ...rest] = spec.argv;
    expect(node).toBe(process.execPath);
    expect(launcher).toMatch(/bin[\\/]nabla\.mjs$/);
    expect(existsSync(launcher)).toBe(true);
    expect(rest).toEqual(['kernel', '--connection-file', '{connection_file}']);
    for (const size of [32, 64]) {
      const { width, height, pixels } = readPng(join(dir, `logo-${size}x${size}.png`));
      expect([width, height]).toEqual([size, size]);
      expect(pixels.length).toBe((size * 4 + 1) * size);
      const alpha = Array.from(
        { length: size * size },
        (_, i) => pixels[Math.floor(i / size) * (size * 4 + 1) + 1 + (i % size) * 4 + 3],
      );
      expect(alpha.some((a) => a === 255)).toBe(true); // the ∇ stroke
      expect(alpha.some((a) => a === 0)).toBe(true); // transparent around and inside it
    }
  });

  it('uninstalls, and says so when there was nothing to remove', () => {
    const prefix = join(tmp, 'u');
    const dir = installKernelspec({ prefix });
    expect(uninstallKernelspec({ prefix })).toBe(dir);
    expect(existsSync(dir)).toBe(false);
    expect(uninstallKernelspec({ prefix })).toBeNull();
  });

  it('uses the Jupyter user data directory by default', () => {
    const saved = process.env.JUPYTER_DATA_DIR;
    process.env.JUPYTER_DATA_DIR = join(tmp, 'data');
    try {
      expect(kernelspecDir()).toBe(join(tmp, 'data', 'kernels', 'nabla'));
      expect(kernelspecDir({ user: true })).toBe(join(tmp, 'data', 'kernels', 'nabla'));
      expect(kernelspecDir({ sysPrefix: true, prefix: join(tmp, 'x') })).toBe(
        join(tmp, 'x', 'share', 'jupyter', 'kernels', 'nabla'),
      );
    } finally {
      if (saved === undefined) delete process.env.JUPYTER_DATA_DIR;
      else process.env.JUPYTER_DATA_DIR = saved;
    }
  });

  it('is what `nabla kernel install --prefix DIR` writes', () => {
    const prefix = join(tmp, 'cli');
    const r = spawnSync(
      process.execPath,
      [new URL('../../bin/nabla.mjs', import.meta.url).pathname, 'kernel', 'install', '--prefix', prefix],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(prefix, 'share', 'jupyter', 'kernels', 'nabla', 'kernel.json'))).toBe(true);
    expect(existsSync(join(prefix, 'share', 'jupyter', 'kernels', 'nabla', 'logo-64x64.png'))).toBe(true);
  }, 60_000);
});
