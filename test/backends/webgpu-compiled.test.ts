import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import {
  countersSince,
  setSmallTensorLimit,
  startNodeAgent,
  webgpuAgentStats,
  webgpuCounters,
  webgpuDevice,
  webgpuLiveBuffers,
  type GpuCounters,
} from '../../runtime/backends/gpujs';
import { pinnStep } from './pinn-steps';
import { mlpStep } from '../runtime/helpers';
import { standIn, webgpuAgents } from './agents';

/**
 * compile() on webgpu (runtime/backends/gpujs/README.md, "Compiled plans"). On the real Dawn where an adapter
 * answers (lavapipe here) and on the stand-in agent (gpu.js cpu kernels behind the same channel).
 */
const agents = webgpuAgents();

/**
 * The losses of `n` calls of `step`, yielding to the event loop between steps (vitest's worker must answer);
 * with `counts`, each step's webgpu counters (the loss read included) are pushed there.
 */
async function losses(step: () => Tensor, n: number, counts?: GpuCounters[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = counts && webgpuCounters()!;
    out.push(step().item() as number);
    if (counts) counts.push(countersSince(before!));
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

const onJs = <T>(f: () => T): T => {
  nb.setBackend('js');
  try {
    return f();
  } finally {
    nb.setBackend('webgpu');
  }
};

/** Relative differences, each step's; float32 rounding over a few steps of Adam stays far below 1e-5. */
const relDiffs = (got: number[], want: number[]) => got.map((g, i) => Math.abs(g - want[i]) / Math.abs(want[i]));

describe.each(agents)('compiled steps on webgpu (%s)', (agent) => {
  let previousLimit: number | null = null;
  beforeAll(() => {
    if (agent === 'stand-in') expect(startNodeAgent(standIn())).toBeNull();
    nb.setBackend('webgpu');
    if (agent === 'dawn') expect(webgpuDevice()).toMatch(/^Dawn adapter/);
    previousLimit = setSmallTensorLimit(0); // every call on webgpu, as bench/webgpu-counters.ts runs it
  });
  afterAll(() => {
    setSmallTensorLimit(previousLimit);
    nb.chooseBackend();
  });

  // issue 16's silent wrong answer: a replay wrote the plan's buffers on the host while the GPU kept reading
  // device copies made of them at an earlier step (from the 4th step on the losses drifted: 50.4702 vs 50.2137)
  it('a compiled PINN step with indexing gives the eager losses for 12 steps', async () => {
    const steps = 12;
    const eager = await losses(pinnStep(), steps);
    const compiled = nb.compile(pinnStep());
    const replayed = await losses(compiled, steps);
    // traced once: from the second call on the plan adds to the x.grad the first call set (grad-accumulate.ts)
    expect([compiled.info.traces, compiled.info.replays, compiled.info.eagerCalls]).toEqual([1, steps - 1, 0]);
    expect(Math.max(...relDiffs(replayed, eager))).toBeLessThan(1e-5);
    // and the loss goes down as training proceeds (a step that changed nothing would also "agree")
    expect(eager[steps - 1]).toBeLessThan(eager[0]);
  }, 300_000);

  it('a compiled PINN step gives the js losses over 100 steps, reading back only the loss', async () => {
    const steps = 100;
    const js = onJs(() => {
      const step = pinnStep();
      return Array.from({ length: steps }, () => step().item() as number);
    });
    const compiled = nb.compile(pinnStep());
    const counts: GpuCounters[] = [];
    const got = await losses(compiled as () => Tensor, steps, counts);
    expect([compiled.info.traces, compiled.info.replays, compiled.info.eagerCalls]).toEqual([1, steps - 1, 0]);
    // float32 rounding: the GPU's f32 sums and transcendentals against js's, over 100 Adam steps (measured 2e-6)
    expect(Math.max(...relDiffs(got, js))).toBeLessThan(1e-5);
    expect(js[steps - 1]).toBeLessThan(0.5 * js[0]);
    // no pipeline is compiled after the first step: the plan built its kernels when it was made (issue 16)
    expect(counts.slice(1).map((c) => c.compilations)).toEqual(counts.slice(1).map(() => 0));
    // every replay moves the same: nothing read but the loss (the boundary term's index backward, scatterView,
    // runs on the GPU: it read its two scalar gradients back when it ran on js)
    const replays = counts.slice(1);
    for (const c of replays) expect(c).toEqual(replays[0]);
    expect([replays[0].floatsDown, replays[0].reads]).toEqual([1, 1]);
    // a replay dispatches its plan's kernels, one fused optimizer kernel per parameter (Adam's param and state
    // in one) and the x.grad accumulation
    const plan = compiled.info.plan!;
    expect(replays[0].dispatches).toBeLessThanOrEqual(plan.kernels + 6 + 1);
    if (agent === 'dawn') expect(replays[0].dispatches).toBeLessThanOrEqual(60); // issue 16's goal (the device binds 16 buffers)
  }, 1_200_000);

  it('a compiled MLP step compiles no pipeline after the first step and gives the eager losses', async () => {
    const steps = 30;
    const eager = await losses(mlpStep(7).step, steps);
    const compiled = nb.compile(mlpStep(7).step);
    const counts: GpuCounters[] = [];
    const got = await losses(compiled as () => Tensor, steps, counts);
    expect([compiled.info.traces, compiled.info.replays]).toEqual([1, steps - 1]);
    expect(Math.max(...relDiffs(got, eager))).toBeLessThan(1e-5);
    expect(eager[steps - 1]).toBeLessThan(eager[0]);
    // the first replay ran only kernels the plan had built when it was made
    expect(counts.slice(1).map((c) => c.compilations)).toEqual(counts.slice(1).map(() => 0));
    for (const c of counts.slice(1)) expect([c.floatsDown, c.dispatches]).toEqual([1, counts[1].dispatches]);
  }, 300_000);

  it('a compiled backward adds to a .grad that was none when traced, and traces again for one it cannot add to', () => {
    const w = nb.param(Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i - j) / 4)));
    const step = () => {
      const L = nb.sum(nb.mul(nb.tanh(w), w));
      L.backward();
      return L;
    };
    const g1 = onJs(() => {
      const v = nb.tensor(w.tolist() as number[][], { requiresGrad: true });
      nb.sum(nb.mul(nb.tanh(v), v)).backward();
      return Array.from(v.grad!.toHost());
    });
    const close = (got: Tensor, k: number) =>
      Array.from(got.toHost()).forEach((x, i) =>
        expect(Math.abs(x - k * g1[i])).toBeLessThan(1e-5 * (1 + Math.abs(k * g1[i]))),
      );
    const c = nb.compile(step);
    c(); // traced with w.grad none
    close(w.grad!, 1);
    c(); // replayed: w.grad += g, as eagerly
    close(w.grad!, 2);
    c();
    close(w.grad!, 3);
    w.grad = null;
    c(); // none again: set, not added
    close(w.grad!, 1);
    expect(c.info.traces).toBe(1);
    // a .grad the plan's kernel cannot read in place (transposed): traced again, and eager's answer
    w.grad = nb.transpose(nb.mul(w.grad!, 1));
    const before = Array.from(w.grad!.toHost());
    c();
    expect(c.info.traces).toBe(2);
    Array.from(w.grad!.toHost()).forEach((x, k) => expect(Math.abs(x - (before[k] + g1[k]))).toBeLessThan(1e-5));
  }, 120_000);

  it("a compiled step's counters agree with the agent's own, and see a planted extra readback", async () => {
    const params: Tensor[] = [];
    const step = nb.compile(pinnStep(1024, 32, params));
    for (let i = 0; i < 4; i++) step().item(); // traces once, then replays
    const agentBefore = webgpuAgentStats()!;
    const before = webgpuCounters()!;
    for (let i = 0; i < 3; i++) step().item();
    const counts = countersSince(before);
    const agentAfter = webgpuAgentStats()!;
    expect(counts.dispatches).toBe(agentAfter.runs - agentBefore.runs);
    expect(counts.floatsUp).toBe(agentAfter.floatsIn - agentBefore.floatsIn);
    expect(counts.floatsDown).toBe(agentAfter.floatsOut - agentBefore.floatsOut);
    expect([counts.floatsDown, counts.reads]).toEqual([3, 3]); // each replay's loss
    // the same replays, each also reading one weight's gradient (the plan's device buffer): exactly that many more
    const W = params[1];
    const again = webgpuCounters()!;
    for (let i = 0; i < 3; i++) {
      step().item();
      W.grad!.toHost();
    }
    const planted = countersSince(again);
    expect(planted.floatsDown).toBe(3 * (1 + W.size));
    expect(planted.reads).toBe(3 * 2);
    expect(planted.dispatches).toBe(counts.dispatches);
  }, 600_000);

  // the generated kernels' other paths: op scalars (clamp's bounds, leaky_relu's slope) as an argument, where
  // and a comparison, a broadcast bias, a transposed operand, an inlined matmul; and the guard's fallback
  it('a compiled elementwise function with scalars, where, broadcasts and an inlined matmul gives js results, also on non-finite inputs', () => {
    const f = (x: Tensor, W: Tensor, b: Tensor) => {
      const h = nb.add(nb.matmul(x, W), b); // [64, 32] + [32]
      const c = nb.clamp(nb.mul(h, 3), -1, 0.5);
      const l = nb.leaky_relu(nb.sub(h, nb.transpose(nb.matmul(W, nb.transpose(x)))), { negative_slope: 0.25 });
      return nb.sum(nb.where(nb.gt(h, 0), c, l), { axis: 1 });
    };
    const compiled = nb.compile(f);
    const args = (seed: number, poison = false) => {
      const x = nb.randn([64, 32], { seed });
      const W = nb.randn([32, 32], { seed: seed + 1 });
      const b = nb.randn([32], { seed: seed + 2 });
      if (!poison) return [x, W, b];
      const xs = x.tolist() as number[][];
      [xs[3][4], xs[10][0]] = [NaN, Infinity];
      return [nb.tensor(xs), W, b];
    };
    for (const [seed, poison] of [
      [1, false],
      [5, false],
      [9, false],
      [13, true],
    ] as const) {
      const [x, W, b] = args(seed, poison);
      const got = (compiled(x, W, b) as Tensor).toHost();
      const want = onJs(() => f(x, W, b).toHost());
      for (let i = 0; i < want.length; i++) {
        if (Number.isNaN(want[i])) expect(got[i]).toBeNaN();
        else expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])));
      }
    }
    expect([compiled.info.traces, compiled.info.replays]).toEqual([1, 3]);
    // what ran: the elementwise work and the first matmul fused into generated kernels, not op by op
    expect(compiled.info.source).toMatch(/kernel \(fused \d+\): matmul add .*clamp/);
    expect(compiled.info.plan!.fusedOps).toBeGreaterThanOrEqual(8);
  }, 300_000);

  it('compiled replays hold a flat number of GPU buffers (a replay frees what only it held)', async () => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const step = nb.compile(pinnStep(256, 16));
    const held: number[] = [];
    for (let i = 0; i < 30; i++) {
      step().item();
      if (i % 10 === 9) {
        gc();
        await new Promise((r) => setTimeout(r, 10)); // the collector's callbacks release the last replay's results
        gc();
        held.push(webgpuLiveBuffers());
      }
    }
    // after the trace (step 1) every replay leaves the same buffers: params, Adam's state, the .grads
    expect(held[2]).toBe(held[1]);
    expect(webgpuAgentStats()!.kept).toBe(held[2]);
  }, 300_000);
});
