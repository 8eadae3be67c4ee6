import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installKernelspec } from '../../kernel/install';

/**
 * The kernel as Jupyter runs it: its kernelspec installed into a temporary prefix, started by Debian's
 * jupyter_client (/usr/bin/python3 sees Debian's packages) and driven by test/kernel/e2e_kernel.py and by
 * the Jupyter project's conformance suite (test/kernel/conformance.py). Each runs against the fake language
 * (test/kernel/fake-session.ts) and, when compiler/index.ts exists, against Nabla itself.
 */
const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const hasJupyter =
  existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import jupyter_client, jupyter_kernel_test']).status === 0;

const languages: [string, string | undefined][] = [['the fake language', join(here, 'fake-session.ts')]];
if (existsSync(join(root, 'compiler', 'index.ts'))) languages.push(['Nabla', undefined]);

function runPython(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(PYTHON, [join(here, script), '-v'], { cwd: root, env });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('close', (code) => resolve({ code, output }));
  });
}

describe.skipIf(!hasJupyter)('the kernel through jupyter_client', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nabla-e2e-'));
    installKernelspec({ prefix: tmp });
    env = {
      ...process.env,
      JUPYTER_PATH: join(tmp, 'share', 'jupyter'),
      JUPYTER_RUNTIME_DIR: join(tmp, 'runtime'),
      PYTHONDONTWRITEBYTECODE: '1',
    };
    delete env.NABLA_KERNEL_SESSION;
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [name, session] of languages) {
    const withSession = () => (session ? { ...env, NABLA_KERNEL_SESSION: session } : env);

    it(`passes e2e_kernel.py with ${name}`, async () => {
      const { code, output } = await runPython('e2e_kernel.py', withSession());
      expect(code, output).toBe(0);
      const memory = /1,000 cells in .*/.exec(output);
      if (memory) console.log(`${name}: ${memory[0]}`);
    }, 600_000);

    it(`passes the Jupyter conformance suite with ${name}`, async () => {
      const { code, output } = await runPython('conformance.py', withSession());
      expect(code, output).toBe(0);
      expect(output).toMatch(/^OK/m);
    }, 300_000);
  }
});
