// `nabla lite` refuses what it cannot do with a sentence and exit code 2, before installing or building
// anything (the site itself is tested in test/lite/).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/nabla.mjs', import.meta.url));
const nabla = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'lite', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('nabla lite', () => {
  it('names its subcommands when given none or an unknown one', () => {
    for (const args of [[], ['publish']]) {
      const r = nabla(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/nabla lite build \[--out DIR\]/);
    }
    expect(nabla('publish').stderr).toMatch(/unknown subcommand 'publish'/);
  });

  it('refuses an unknown option, a port that is not a number, and options of another subcommand', () => {
    expect(nabla('build', '--outdir', 'x').stderr).toMatch(/Unknown option '--outdir'/);
    const port = nabla('serve', '--port', 'eighty');
    expect(port.status).toBe(2);
    expect(port.stderr).toMatch(/--port must be a port number, got eighty/);
    const mixed = nabla('build', '--port', '80');
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/--port and --rebuild are for 'nabla lite serve'/);
  });
});
