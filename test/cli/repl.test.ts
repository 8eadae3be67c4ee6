// `nabla repl` keeps its session through an interrupt (issue 18): Ctrl-C on a terminal (a pseudo-terminal
// driven by Python's pty module) and SIGINT from `kill -INT` both stop `while true { }`, and a variable
// defined before is still there.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const root = fileURLToPath(new URL('../..', import.meta.url));
const NABLA = fileURLToPath(new URL('../../bin/nabla.mjs', import.meta.url));

describe('the REPL under Ctrl-C', () => {
  it.skipIf(!existsSync(PYTHON))(
    'stops a running loop on Ctrl-C at a terminal and keeps the variables',
    () => {
      const r = spawnSync(
        PYTHON,
        [fileURLToPath(new URL('./repl_pty.py', import.meta.url)), process.execPath, NABLA, 'repl'],
        { cwd: root, encoding: 'utf8', timeout: 280_000 },
      );
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/KeyboardInterrupt: interrupted by the user/);
      expect(r.stdout).toMatch(/kept \+ 1\s*\n42\s*\n/); // the terminal echoes the line, then the answer
      expect(r.stdout).toMatch(/\[pty\] exit status 0/);
    },
    300_000,
  );

  it('stops a running loop on SIGINT (kill -INT) and keeps the variables', async () => {
    const p = spawn(process.execPath, [NABLA, 'repl'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const waitFor = async (re: RegExp, ms: number) => {
      const deadline = Date.now() + ms;
      while (!re.test(out) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
      expect(out).toMatch(re);
    };
    await waitFor(/Ctrl-D leaves/, 120_000);
    p.stdin.write('kept = 41\nwhile true { }\n');
    await new Promise((ok) => setTimeout(ok, 2_000));
    p.kill('SIGINT');
    await waitFor(/KeyboardInterrupt/, 60_000);
    p.stdin.write('kept + 1\n');
    await waitFor(/(^|> )42$/m, 60_000); // without a terminal, the answer follows the prompt on its line
    p.stdin.end();
    const code = await new Promise((ok) => p.on('exit', ok));
    expect(code).toBe(0);
  }, 300_000);
});
