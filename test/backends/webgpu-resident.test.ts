import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import {
  gpuTraffic,
  setGpuResident,
  setSmallTensorLimit,
  startNodeAgent,
  webgpuAgentStats,
  webgpuDevice,
  webgpuLiveBuffers,
} from '../../runtime/backends/gpujs';
import { mlpStep } from '../runtime/helpers';
import { standIn, webgpuAgents } from './agents';

/**
 * Resident tensors on webgpu (runtime/backends/gpujs/README.md, "Resident tensors"): an op's result stays on
 * the GPU agent, the next op reads it there, and it comes back to the host only when a value must be seen.
 * Run on the real Dawn where an adapter answers (lavapipe on CI, required there by NABLA_REQUIRE_WEBGPU=1),
 * and always on the stand-in agent (test/backends/standin-agent.ts), whose kept results are host arrays
 * inside the agent: the same protocol (ids, frees, reads, failures reported later) without a GPU.
 */
const gc = (globalThis as { gc?: () => void }).gc!;

const agents = webgpuAgents();

const traffic = () => ({ ...gpuTraffic.webgpu });
const since = (t: typeof gpuTraffic.webgpu) => ({
  reads: gpuTraffic.webgpu.reads - t.reads,
  floatsUploaded: gpuTraffic.webgpu.floatsUploaded - t.floatsUploaded,
});
const onJs = <T>(f: () => T): T => {
  nb.setBackend('js');
  try {
    return f();
  } finally {
    nb.setBackend('webgpu');
  }
};
const close = (got: Tensor, want: Tensor, tol = 1e-5) => {
  const [g, w] = [got.toHost(), want.toHost()];
  expect(g.length).toBe(w.length);
  for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - w[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(w[i])));
};

describe.each(agents)('resident tensors on webgpu (%s)', (agent) => {
  let previousLimit: number | null = null;
  beforeAll(() => {
    if (agent === 'stand-in') expect(startNodeAgent(standIn())).toBeNull();
    nb.setBackend('webgpu');
    if (agent === 'dawn') expect(webgpuDevice()).toMatch(/^Dawn adapter/);
    previousLimit = setSmallTensorLimit(0); // small test tensors would otherwise stay on js
  });
  afterAll(() => {
    setSmallTensorLimit(previousLimit);
    nb.chooseBackend();
  });

  it('keeps a chain of ops on the GPU and reads back only the value asked for', () => {
    const x = nb.randn([32, 32], { seed: 1 });
    const t = traffic();
    const y = nb.mul(nb.tanh(nb.add(nb.matmul(x, x), 1)), 2);
    const s = nb.sum(y);
    expect([y.storage.onHost, s.storage.onHost]).toEqual([false, false]);
    // sent: x for each side of the product, the scalars 1 and 2, and the sum's compensation unit (plans.ts)
    expect(since(t)).toEqual({ reads: 0, floatsUploaded: 2 * 32 * 32 + 3 });
    const want = onJs(() => nb.sum(nb.mul(nb.tanh(nb.add(nb.matmul(x, x), 1)), 2)));
    expect(Math.abs((s.item() as number) - (want.item() as number))).toBeLessThan(1e-3);
    expect(gpuTraffic.webgpu.reads - t.reads).toBe(1);
    expect(gpuTraffic.webgpu.floatsRead - t.floatsRead).toBe(1);
  });

  it('sends a large host tensor once: its first upload stays as the device copy until the next write', () => {
    const x = nb.randn([64, 64], { seed: 2 }); // 4,096 values: CACHED_UPLOAD (resident.ts)
    const t = traffic();
    const y = nb.add(nb.mul(nb.matmul(x, x), x), nb.tanh(x));
    expect(x.storage.device).not.toBeNull();
    expect(x.storage.onHost).toBe(true);
    expect(since(t)).toEqual({ reads: 0, floatsUploaded: 64 * 64 });
    const want = onJs(() => nb.add(nb.mul(nb.matmul(x, x), x), nb.tanh(x)));
    close(y, want);
    // a write through the host (into a slice) drops the copy, and the next use sends the values once more
    nb.noGrad(() => nb.inplace(nb.index(x, [0]), (s) => nb.mul(s, 2), '*='));
    expect(x.storage.device).toBeNull();
    const t2 = traffic();
    const z = nb.tanh(x);
    expect(since(t2).floatsUploaded).toBe(64 * 64);
    close(
      z,
      onJs(() => nb.tanh(x)),
    );
  });

  it('backpropagates through resident values to the gradients js computes', () => {
    const model = nb.mlp([2, 16, 16, 1], { seed: 3 });
    const X = nb.randn([64, 2], { seed: 4 });
    const loss = () => nb.mean(nb.pow(nb.sub(model(X), nb.sin(nb.sum(X, { axis: 1, keepdim: true }))), 2));
    const grads = nb.grad(loss(), model.params) as Tensor[];
    expect(grads.filter((g) => g.storage.onHost)).toEqual([]);
    const want = onJs(() => nb.grad(loss(), model.params) as Tensor[]);
    grads.forEach((g, i) => close(g, want[i]));
  });

  it('keeps a whole in-place write on the GPU, and takes a partial one through the host', () => {
    const a = nb.exp(nb.mul(nb.randn([300], { seed: 5 }), 0.5));
    const old = a.toHost();
    const t = traffic();
    const before = a.version;
    nb.noGrad(() => nb.inplace(a, (s) => nb.add(s, 1), '+='));
    // every value written from the GPU: a's storage now holds a GPU copy of the result, nothing came back
    expect(a.version).toBe(before + 1);
    expect([a.storage.onHost, a.storage.device !== null]).toEqual([false, true]);
    expect(since(t).reads).toBe(0);
    expect(Array.from(a.toHost())).toEqual(Array.from(onJs(() => nb.add(nb.tensor(Array.from(old)), 1)).toHost()));
    // a write into a slice goes through the host, and the device copy is dropped, so kernels read the new values
    const head = nb.index(a, [{ start: 0, stop: 100 }]);
    nb.noGrad(() => nb.inplace(head, (s) => nb.mul(s, 0), '*='));
    expect(a.version).toBe(before + 2);
    expect(a.storage.device).toBeNull();
    const b = nb.mul(a, 2);
    close(
      b,
      onJs(() => nb.mul(a, 2)),
      0,
    );
    expect(Array.from(b.toHost().slice(0, 100))).toEqual(new Array(100).fill(0));
  });

  it('runs a hand-written SGD loop (w -= lr * g) on the GPU: nothing comes back until the loss is read', () => {
    const X = nb.randn([256, 8], { seed: 12 });
    const Y = nb.sum(X, { axis: 1, keepdim: true });
    const w = nb.mul(nb.randn([8, 1], { seed: 13 }), 0.1).detach();
    w.requiresGrad = true;
    const step = () => {
      const L = nb.mean(nb.pow(nb.sub(nb.matmul(X, w), Y), 2));
      const [g] = nb.grad(L, [w]) as Tensor[];
      nb.noGrad(() => nb.inplace(w, (s) => nb.sub(s, nb.mul(g, 0.1)), '-='));
      return L;
    };
    const first = step().item() as number;
    const t = traffic();
    let L = step();
    for (let i = 0; i < 30; i++) L = step();
    expect(since(t).reads).toBe(0);
    expect(w.storage.onHost).toBe(false);
    expect(L.item() as number).toBeLessThan(first / 10);
  });

  it('holds a flat number of GPU buffers over 1,000 Adam steps (frees reach the agent)', async () => {
    const training = mlpStep(6);
    const step = () => training.step().item() as number;
    const settled = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 0));
      }
      const kept = webgpuAgentStats()!.kept; // a waited-for request: earlier frees have landed
      return { live: webgpuLiveBuffers(), kept };
    };
    const first = step();
    for (let i = 1; i < 100; i++) step();
    const at100 = await settled();
    let last = 0;
    for (let i = 100; i < 1000; i++) last = step();
    const at1k = await settled();
    expect(last).toBeLessThan(first / 5); // it trains
    expect(at1k.live - at100.live).toBeLessThanOrEqual(10);
    expect(at1k.kept - at100.kept).toBeLessThanOrEqual(10);
    expect(at1k.kept).toBeLessThanOrEqual(at1k.live); // the agent holds no more than the runtime knows of
  }, 120_000);

  it('runs a small op on the GPU when an input is there already, and on js when it is on the host', () => {
    const onGpu = () => nb.kernelStats.byBackend.get('webgpu') ?? 0;
    const y = nb.exp(nb.randn([16], { seed: 10 })); // made on the GPU: the limit is 0 here
    const previous = setSmallTensorLimit(null); // the measured thresholds: 16 values stay on js...
    try {
      const before = onGpu();
      nb.mul(nb.randn([16], { seed: 11 }), 2);
      expect(onGpu()).toBe(before);
      const z = nb.mul(y, 2); // ...unless the GPU holds one of them: reading it back would cost more
      expect(onGpu()).toBe(before + 1);
      expect(z.storage.onHost).toBe(false);
    } finally {
      setSmallTensorLimit(previous);
    }
  });

  it('with residency off, every result comes back to the host as it is computed', () => {
    const previous = setGpuResident(false);
    try {
      const x = nb.randn([64], { seed: 8 });
      const y = nb.exp(nb.mul(x, 0.5));
      expect(y.storage.onHost).toBe(true);
      expect(y.storage.device).toBeNull();
    } finally {
      setGpuResident(previous);
    }
  });
});

describe('a kept kernel that fails (stand-in device)', () => {
  afterAll(() => {
    setSmallTensorLimit(null);
    nb.chooseBackend();
  });

  it('is reported, naming the kernel, when a value is next read', () => {
    expect(startNodeAgent(standIn('failing'))).toBeNull();
    nb.setBackend('webgpu');
    setSmallTensorLimit(0);
    const y = nb.exp(nb.randn([16], { seed: 9 })); // posted without waiting; the device fails it
    expect(y.storage.onHost).toBe(false);
    expect(() => y.item !== undefined && y.toHost()).toThrow(
      /internal error in the gpu.js webgpu backend, reading a result back: a kernel sent earlier without waiting failed \(kernel unary:exp.*the stand-in device lost its context\)/,
    );
  });
});
