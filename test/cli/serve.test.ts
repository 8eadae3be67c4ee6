import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/nabla.mjs', import.meta.url));

describe('nabla serve', () => {
  it('serves the playground on 127.0.0.1 at the port asked for (0: any free one)', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) ok(m[1]);
        });
        child.on('exit', (code) => fail(new Error(`nabla serve exited (${code}) before serving: ${out}`)));
      });
      const page = await (await fetch(url)).text();
      expect(page).toMatch(/<!doctype html>/i);
      expect((await fetch(url + 'no-such-file.js')).status).toBe(404);
    } finally {
      child.kill();
    }
  }, 120_000);

  it('refuses a port that is not a number, with a sentence', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', 'eighty'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code).toBe(2);
    expect(err).toMatch(/--port must be a port number, got eighty/);
  });
});
