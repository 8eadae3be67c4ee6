// `nabla run` and `nabla check` read only regular files of a stated size (issue 18): /dev/zero used to be
// read until the process aborted, a FIFO waited forever.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const NABLA = fileURLToPath(new URL('../../bin/nabla.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-sources-'));
const nabla = (...args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('source files', () => {
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses a device, a FIFO and a directory with a sentence, at once', () => {
    const fifo = join(tmp, 'pipe.nabla');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const [file, what] of [
      ['/dev/zero', 'a device'],
      [fifo, 'a FIFO'],
      [tmp, 'a directory'],
    ]) {
      for (const cmd of ['run', 'check']) {
        const r = nabla(cmd, file);
        expect(r.status, `${cmd} ${file}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(
          `nabla: cannot read ${file}: it is not a regular file (${what}); give a .nabla source file`,
        );
      }
    }
  }, 300_000);

  it('refuses a source over 64 MB, saying the limit', () => {
    const big = join(tmp, 'big.nabla');
    writeFileSync(big, '');
    truncateSync(big, 65 * 2 ** 20); // sparse: no 65 MB written
    const r = nabla('run', big);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('it is 65.0 MB; sources larger than 64 MB are refused');
  }, 120_000);

  it('still runs an ordinary file', () => {
    const ok = join(tmp, 'ok.nabla');
    writeFileSync(ok, 'print(1 + 1)\n');
    const r = nabla('run', ok);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('2\n');
  }, 120_000);
});
