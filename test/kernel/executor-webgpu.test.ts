import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerExecutor } from '../../kernel/executor';
import type { RunSinks } from '../../kernel/types';
import { runnableBackends } from '../runtime/helpers';

/**
 * The kernel's interpreter on webgpu (Dawn, where an adapter answers: lavapipe on CI, which requires it).
 * Dawn aborts the whole process when the thread that owns it is ended in the middle of a call, and the
 * kernel ends its interpreter's thread on a restart and when a cell ignores an interrupt; so the GPU agent
 * lives outside that thread (runtime/backends/gpujs/agent-host.ts) and the kernel survives both.
 */
const NABLA = new URL('../../compiler/index.ts', import.meta.url).href;

function sinks() {
  const out: string[] = [];
  const s: RunSinks = {
    stdout: (t) => void out.push(t),
    stderr: () => {},
    display: () => {},
    clearOutput: () => {},
    input: null,
  };
  return { out, s };
}

describe.runIf(runnableBackends().includes('webgpu') || process.env.NABLA_REQUIRE_WEBGPU)(
  'the kernel interpreter on webgpu',
  () => {
    let ex: WorkerExecutor;
    const env = {
      NABLA_BACKEND: process.env.NABLA_BACKEND,
      NABLA_SMALL_TENSOR_LIMIT: process.env.NABLA_SMALL_TENSOR_LIMIT,
    };
    beforeAll(async () => {
      // the interpreter thread reads these when it starts
      process.env.NABLA_BACKEND = 'webgpu';
      process.env.NABLA_SMALL_TENSOR_LIMIT = '0';
      ex = new WorkerExecutor({ sessionModule: NABLA, log: () => {} });
      await ex.ready;
    }, 60_000);
    afterAll(async () => {
      await ex.close();
      Object.assign(process.env, env);
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    });

    it('survives a restart while GPU work the last cell posted is still being built, and runs on webgpu after it', async () => {
      const a = sinks();
      // new kernels (so new pipelines to build) posted without waiting, the last values never read
      const cell =
        'x = randn([256, 256], seed=1)\nprint(sum(x))\ny = tanh(x @ x) * 2 + 1\nz = exp(-y) / (y + 3)\nw = sqrt(z + 1) - sin(y)';
      for (let i = 0; i < 3; i++) {
        expect(await ex.run(cell, a.s)).toMatchObject({ ok: true });
        await ex.reset(); // ends the interpreter's thread at once
      }
      const b = sinks();
      expect(await ex.run('print(backend())\nprint(sum(ones([300, 300]) * 2))', b.s)).toMatchObject({ ok: true });
      expect(b.out.join('')).toMatch(/^backend: webgpu \(NABLA_BACKEND=webgpu\)[\s\S]*tensor\(180000\.\)/);
    }, 120_000);
  },
);
