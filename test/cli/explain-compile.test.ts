import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** `nabla run FILE --explain-compile` and NABLA_AUTO_COMPILE=0, as a person runs them. */
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nabla-explain-compile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'train.nabla');
writeFileSync(
  file,
  `w = tensor([3.0, -2.0], requires_grad=true)
opt = sgd([w], lr=0.1)
for step in range(30) {
  opt.zero_grad()
  loss = sum(w * w)
  loss.backward()
  opt.step()
  if step % 10 == 0 { print(step, loss.item()) }
}
print(w.tolist())
`,
);
const run = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/nabla.mjs', 'run', file, '--explain-compile'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });

describe('nabla run --explain-compile', () => {
  it('prints the script, then on stderr which loops compiled and why the other statements did not, with lines', () => {
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^20 [\d.e-]+$/m);
    expect(r.stderr).toMatch(/^auto-compile: on$/m);
    expect(r.stderr).toMatch(
      /train\.nabla:3 `for step in range\(30\)`: compiled: \d+ of 30 iterations replayed a plan/,
    );
    expect(r.stderr).toMatch(/lines 4-7: compiled \(/);
    expect(r.stderr).toMatch(/line 8 runs eagerly each iteration: it reads `step`, which changes every iteration/);
  }, 120_000);

  it('with NABLA_AUTO_COMPILE=0 says it is off, and the script prints the same', () => {
    const off = run({ NABLA_AUTO_COMPILE: '0' });
    expect(off.status, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/^auto-compile: off \(NABLA_AUTO_COMPILE=0\)$/m);
    expect(off.stderr).toMatch(/not compiled: auto-compile is off/);
    expect(off.stdout).toBe(run().stdout);
  }, 120_000);
});
