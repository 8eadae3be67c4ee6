import { describe, expect, it } from 'vitest';
import '../../runtime';
import { backendReport, chooseBackend, getBackend, kernelStats, runKernel, setBackend } from '../../runtime/backend';
import {
  guardStats,
  setSmallTensorLimit,
  startNodeAgent,
  webgpuAgentStats,
  webgpuDevice,
} from '../../runtime/backends/gpujs';
import { getKernel } from '../../runtime/kernels';
import { kernelCases, largeCases } from './kernel-cases';
import { firstMiss, values, view } from './layouts';

/**
 * The webgpu backend's synchronous facade in Node (runtime/backends/gpujs/webgpu.ts, channel.ts, agent.ts):
 * the runtime's thread blocks in Atomics.wait while a worker_thread agent answers. The first test runs the
 * kernel table on the real Dawn (the npm package 'webgpu') where an adapter answers: on a CPU machine with
 * Mesa's lavapipe from bookworm-backports, which .ci/run installs and then requires (NABLA_REQUIRE_WEBGPU=1);
 * elsewhere it checks the refusal's sentence. The others use test/backends/standin-agent.ts, the real agent
 * and channel over a stand-in asynchronous device (gpu.js 'cpu' kernels answered after a timer turn), for
 * what a real device will not do on demand: refuse, lie, fail, hang.
 */
const standIn = (device = 'ready') => new URL(`./standin-agent.ts?device=${device}`, import.meta.url);
const SHAPES = [[], [7], [2, 3, 4], [2, 3, 1, 5]];

/**
 * The kernel tables block the thread (Atomics.wait per kernel). Measured on a loaded 2-core machine (load
 * average 25 to 33, with two extra `yes > /dev/null` jobs): the Dawn table took 93 s and 126 s, the
 * stand-in table 50 s and 27 s. The timeout is three times the worst case; and the table yields to the
 * event loop every 250 ms, so vitest's worker answers its own RPC (a fixed 60 s limit) however long the
 * whole table takes (before, one synchronous 93 s test also failed with "Timeout calling onTaskUpdate").
 */
const TABLE_TIMEOUT_MS = 400_000;
const YIELD_EVERY_MS = 250;

async function runTable(cases: ReturnType<typeof kernelCases>) {
  const previous = setSmallTensorLimit(0);
  const before = kernelStats.byBackend.get('webgpu') ?? 0;
  const misses: string[] = [];
  let lastYield = performance.now();
  try {
    for (const c of cases) {
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      const want = getKernel('js', c.name)!(c.inputs, c.attrs, c.out);
      const got = runKernel(c.name, c.inputs, c.attrs, c.out);
      const miss = firstMiss(got, want, c.rtol, c.atol);
      if (miss) misses.push(`${c.label}: ${miss}`);
    }
  } finally {
    setSmallTensorLimit(previous);
  }
  return { misses, onWebgpu: (kernelStats.byBackend.get('webgpu') ?? 0) - before };
}

describe('webgpu facade in Node', () => {
  it(
    'runs the kernel table on Dawn where an adapter answers, else says why',
    async () => {
      const previous = getBackend().name;
      let why: string | null = null;
      try {
        setBackend('webgpu');
      } catch (e) {
        why = (e as Error).message;
      }
      if (why) {
        expect(process.env.NABLA_REQUIRE_WEBGPU, `NABLA_REQUIRE_WEBGPU is set, but ${why}`).toBeFalsy();
        // the reasons the probe can give without an adapter: package missing, binding refused, no adapter
        expect(why).toMatch(
          /backend 'webgpu' cannot run here: .*(not installed|Dawn binding does not load|no WebGPU adapter|GPU agent)/,
        );
        if (!process.env.NABLA_BACKEND) {
          chooseBackend();
          // the automatic choice may refuse sooner (no GPU device node here), never accept
          expect(backendReport().skipped.find((s) => s.name === 'webgpu')?.why).toMatch(/.+/);
        }
        console.info(`[test/backends] real webgpu (Dawn) refused here, as expected without a GPU: ${why}`);
      } else {
        // a machine where Dawn loads and an adapter answered: the table runs on the real device
        const { misses, onWebgpu } = await runTable(kernelCases({ specials: false, shapes: SHAPES }));
        expect(misses).toEqual([]);
        expect(onWebgpu).toBeGreaterThan(1000);
        expect(webgpuAgentStats()?.classes).toEqual(['WebGPUKernel']);
        console.info(`[test/backends] real webgpu ran on ${webgpuDevice()}`);
        if (!process.env.NABLA_BACKEND) {
          // a CPU emulation (lavapipe) runs when named, but the automatic choice passes over it
          chooseBackend();
          const skipped = backendReport().skipped.find((s) => s.name === 'webgpu');
          if (/llvmpipe|swiftshader/i.test(webgpuDevice())) expect(skipped?.why).toMatch(/no GPU here|CPU emulation/);
        }
      }
      setBackend(previous);
    },
    TABLE_TIMEOUT_MS,
  );

  it('the automatic choice passes over an adapter that is a CPU emulation; naming the backend takes it', () => {
    expect(startNodeAgent(standIn('fallback'))).toBeNull();
    if (!process.env.NABLA_BACKEND) {
      const report = chooseBackend();
      expect(report.chosen).not.toBe('webgpu');
      expect(report.skipped.find((s) => s.name === 'webgpu')?.why).toBe(
        'its only adapter is a CPU emulation (stand-in asynchronous device (gpu.js cpu)), slower here than webasm; choose webgpu by name to use it anyway (NABLA_BACKEND=webgpu)',
      );
    }
    expect(setBackend('webgpu').chosen).toBe('webgpu');
  });

  it('refuses with the agent’s reason when its device has no adapter', () => {
    expect(startNodeAgent(standIn('no-adapter'))).toBeNull();
    expect(() => setBackend('webgpu')).toThrow(/cannot run here: the GPU agent says: no adapter answered \(stand-in\)/);
  });

  it('refuses when the check kernel comes back changed (a device that does not keep float32)', () => {
    expect(startNodeAgent(standIn('wrong'))).toBeNull();
    expect(() => setBackend('webgpu')).toThrow(/the GPU agent says: gpu.js cpu computed .* where float32 holds/);
  });

  it('refuses, after its timeout, when the agent never answers', () => {
    expect(startNodeAgent(standIn('silent'), { helloTimeoutMs: 1500 })).toBeNull();
    const t0 = Date.now();
    expect(() => setBackend('webgpu')).toThrow(/did not answer a 'hello' request within 2 s/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });

  it('turns an agent failure into a synchronous error that names the backend and the kernel', () => {
    expect(startNodeAgent(standIn('failing'))).toBeNull();
    setBackend('webgpu');
    const [a, b] = [view([64], 'contiguous', values(64, 1)), view([64], 'contiguous', values(64, 2))];
    const previous = setSmallTensorLimit(0);
    try {
      expect(() => runKernel('binary', [a, b], { fn: 'add' }, { shape: [64], dtype: 'float32' })).toThrow(
        /internal error in the gpu.js webgpu backend, kernel 'binary' .*the stand-in device lost its context/,
      );
    } finally {
      setSmallTensorLimit(previous);
    }
  });

  it(
    'runs the kernel table synchronously through the agent and agrees with js',
    async () => {
      expect(startNodeAgent(standIn())).toBeNull();
      setBackend('webgpu');
      expect(webgpuDevice()).toBe('stand-in asynchronous device (gpu.js cpu)');
      expect(getBackend().describe()).toMatch(/stand-in asynchronous device/);
      const declinedBefore = guardStats.get('webgpu')?.declined ?? 0;
      const cases = [...kernelCases({ specials: false, shapes: SHAPES }), ...largeCases()];
      const t0 = performance.now();
      const { misses, onWebgpu } = await runTable(cases);
      const ms = performance.now() - t0;
      expect(misses).toEqual([]);
      // everything the guard let through ran on the agent (declined: domains such as log of a negative)
      const declined = (guardStats.get('webgpu')?.declined ?? 0) - declinedBefore;
      expect(onWebgpu + declined).toBe(cases.length);
      expect(onWebgpu).toBeGreaterThan(cases.length * 0.9);
      const stats = webgpuAgentStats()!;
      expect(stats.classes).toEqual(['CPUKernel']);
      expect(stats.cache.built).toBeGreaterThan(100);
      console.info(
        `[test/backends] webgpu facade over the stand-in: ${onWebgpu} calls in ${Math.round(ms)} ms (${(ms / onWebgpu).toFixed(2)} ms each, kernel builds included)`,
      );
    },
    TABLE_TIMEOUT_MS,
  );

  it('declines NaN and infinities (the guard) and recomputes an overflowing result on js', () => {
    setBackend('webgpu');
    const previous = setSmallTensorLimit(0);
    try {
      const out = { shape: [4], dtype: 'float32' } as const;
      const before = { ...(guardStats.get('webgpu') ?? { declined: 0, recomputed: 0 }) };
      const withNaN = view([4], 'contiguous', [1, NaN, 2, 3]);
      const calls = kernelStats.byBackend.get('webgpu') ?? 0;
      expect(Array.from(runKernel('unary', [withNaN], { fn: 'exp' }, out))).toEqual(
        Array.from(getKernel('js', 'unary')!([withNaN], { fn: 'exp' }, out)),
      );
      expect(kernelStats.byBackend.get('webgpu') ?? 0).toBe(calls); // declined: js ran it
      const big = view([4], 'contiguous', [1, 100, 2, -100]);
      const got = runKernel('unary', [big], { fn: 'exp' }, out);
      expect(got[1]).toBe(Infinity); // the device's Infinity sent the call to js, whose answer this is
      expect(Array.from(got)).toEqual(Array.from(getKernel('js', 'unary')!([big], { fn: 'exp' }, out)));
      const after = guardStats.get('webgpu')!;
      expect(after.declined - before.declined).toBe(1);
      expect(after.recomputed - before.recomputed).toBe(1);
    } finally {
      setSmallTensorLimit(previous);
    }
  });
});
