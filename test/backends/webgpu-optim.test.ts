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
  type GpuCounters,
} from '../../runtime/backends/gpujs';
import { setDeviceOptimizers } from '../../runtime/optim/device-step';
import { mlpStep } from '../runtime/helpers';
import { standIn, webgpuAgents } from './agents';

/**
 * Optimizers on the device and the webgpu counters (runtime/backends/gpujs/README.md, "Optimizers on the
 * device", "Counters"). On the real Dawn where an adapter answers (lavapipe on CI, required there by
 * NABLA_REQUIRE_WEBGPU=1), and on the stand-in agent (gpu.js cpu kernels behind the same channel).
 */
const agents = webgpuAgents();

const hostSteps = <T>(f: () => T): T => {
  const previous = setDeviceOptimizers(false);
  try {
    return f();
  } finally {
    setDeviceOptimizers(previous);
  }
};
const onJs = <T>(f: () => T): T => {
  nb.setBackend('js');
  try {
    return f();
  } finally {
    nb.setBackend('webgpu');
  }
};
const counting = <T>(f: () => T): { result: T; counts: GpuCounters } => {
  const before = webgpuCounters()!;
  const result = f();
  return { result, counts: countersSince(before) };
};

/**
 * Tolerance of device against host updates after 100 steps, relative to 1 + |value|. The host loops compute
 * each update in float64 and round once when they store it; the kernels round each f32 operation (up to
 * eight a step, and WGSL allows 2.5 ulp for division and sqrt), so a step may differ by ~10 float32 ulp
 * (6e-7 relative). Measured after 100 steps (Dawn on lavapipe and the stand-in, Dec 2026): at most 1.0e-6 on
 * params (adamw) and 3.1e-7 on state; 2e-5 leaves room for other devices' division and sqrt without
 * admitting a wrong rule (a dropped bias correction or nesterov term fails every case that has it).
 */
const TOL = 2e-5;
const maxDiff = (got: Float32Array | ArrayLike<number>, want: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return worst;
};

type Make = (params: Tensor[]) => nb.Optimizer<any>;
const CONFIGS: [string, Make][] = [
  ['sgd', (ps) => nb.sgd(ps, { lr: 0.05 })],
  ['sgd momentum, dampening', (ps) => nb.sgd(ps, { lr: 0.05, momentum: 0.9, dampening: 0.3 })],
  ['sgd nesterov, weightDecay', (ps) => nb.sgd(ps, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.1 })],
  ['sgd maximize, momentum', (ps) => nb.sgd(ps, { lr: 0.02, momentum: 0.5, maximize: true })],
  ['adam', (ps) => nb.adam(ps, { lr: 0.01 })],
  ['adam amsgrad, weightDecay', (ps) => nb.adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.05 })],
  ['adam maximize, betas', (ps) => nb.adam(ps, { lr: 0.02, betas: [0.8, 0.99], maximize: true })],
  ['adamw', (ps) => nb.adamw(ps, { lr: 0.01, weightDecay: 0.1 })],
  ['adamw amsgrad', (ps) => nb.adamw(ps, { lr: 0.01, weightDecay: 0.1, amsgrad: true })],
];

describe.each(agents)('optimizers on the device (%s)', (agent) => {
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

  /**
   * 100 steps from the same start with the same gradients (made on the GPU, a different one each step): the
   * params and state after them, and what crossed between host and GPU during the steps alone.
   */
  const run = (make: Make, device: boolean) => {
    const W = nb.mul(nb.randn([9, 7], { seed: 1 }), 0.5).detach();
    const b = nb.mul(nb.randn([7], { seed: 2 }), 0.5).detach();
    const params = [W, b];
    params.forEach((p) => (p.requiresGrad = true));
    const opt = make(params);
    const gradBase = params.map((p, k) => nb.randn(p.shape, { seed: 10 + k }));
    let moved = { floatsDown: 0, dispatches: 0 };
    const dispatches: number[] = [];
    const go = () => {
      for (let step = 0; step < 100; step++) {
        params.forEach((p, k) => (p.grad = nb.sin(nb.add(nb.mul(gradBase[k], 1.3), step * 0.37))));
        const { counts } = counting(() => opt.step());
        dispatches.push(counts.dispatches);
        moved = { floatsDown: moved.floatsDown + counts.floatsDown, dispatches: moved.dispatches + counts.dispatches };
      }
    };
    if (device) go();
    else hostSteps(go);
    const onGpu = params.every((p) => !p.storage.onHost); // before anything below reads them
    const state = params.flatMap((p) =>
      Object.values(opt.state.get(p)!)
        .filter((v): v is Tensor => v instanceof nb.Tensor)
        .map((t) => Array.from(t.toHost())),
    );
    return { params: params.map((p) => Array.from(p.toHost())), state, moved, onGpu, dispatches, count: params.length };
  };

  it.each(CONFIGS)(
    '%s: 100 device steps equal the host loop, reading nothing back',
    (_name, make) => {
      const device = run(make, true);
      const host = run(make, false);
      expect(device.onGpu).toBe(true);
      expect(device.moved.floatsDown).toBe(0); // not a gradient, param or state value came back
      // one fused kernel per param a step (param and state in one): after the first step, which also uploads
      // the state's zeros, every step dispatches exactly that
      expect(device.dispatches.slice(1)).toEqual(device.dispatches.slice(1).map(() => device.count));
      expect(host.moved.floatsDown).toBeGreaterThan(0); // the host loop reads every gradient
      device.params.forEach((p, k) => expect(maxDiff(p, host.params[k])).toBeLessThan(TOL));
      expect(device.state.length).toBe(host.state.length);
      device.state.forEach((s, k) => expect(maxDiff(s, host.state[k])).toBeLessThan(TOL));
      // and the steps did move the params (a no-op update would pass the comparison above only if both were no-ops)
      const start = nb.mul(nb.randn([9, 7], { seed: 1 }), 0.5).toHost();
      expect(maxDiff(device.params[0], start)).toBeGreaterThan(1e-2);
    },
    // the first configuration builds the kernels: 69 s under a load average of 25 on the 2-core machine (Dec 6)
    300_000,
  );

  it('hands the state between the host loop and the device in either direction', () => {
    const p = nb.mul(nb.randn([20], { seed: 3 }), 1).detach();
    p.requiresGrad = true;
    const q = nb.tensor(Array.from(p.toHost()), { requiresGrad: true });
    const [a, b] = [nb.adam([p], { lr: 0.05, amsgrad: true }), nb.adam([q], { lr: 0.05, amsgrad: true })];
    const g = (k: number) => nb.cos(nb.mul(nb.randn([20], { seed: 4 }), k + 1));
    for (let k = 0; k < 12; k++) {
      p.grad = g(k);
      q.grad = g(k);
      // p alternates host and device steps every 3 steps; q stays on the host loop
      if (Math.floor(k / 3) % 2) {
        a.step();
        expect(p.storage.onHost).toBe(false); // updated on the device
      } else hostSteps(() => a.step());
      hostSteps(() => b.step());
    }
    expect(a.state.get(p)!.step).toBe(12);
    expect(maxDiff(p.toHost(), q.toHost())).toBeLessThan(TOL);
    for (const k of ['expAvg', 'expAvgSq', 'maxExpAvgSq'])
      expect(maxDiff((a.state.get(p)![k] as Tensor).toHost(), (b.state.get(q)![k] as Tensor).toHost())).toBeLessThan(
        TOL,
      );
  }, 60_000);

  it('trains an MLP with losses equal to the js backend over 100 steps, reading back only the loss', () => {
    const js = onJs(() => {
      const t = mlpStep(6);
      return Array.from({ length: 100 }, () => t.step().item() as number);
    });
    const t = mlpStep(6);
    const losses: number[] = [];
    const per: GpuCounters[] = [];
    for (let i = 0; i < 100; i++) {
      const { result, counts } = counting(() => t.step().item() as number);
      losses.push(result);
      per.push(counts);
    }
    // float32 kernels against js's float64 accumulation: the losses agree to float32 rounding of the sums
    expect(maxDiff(losses, js)).toBeLessThan(1e-4);
    expect(losses[99]).toBeLessThan(losses[0] / 5);
    for (const c of per.slice(2)) {
      expect([c.floatsDown, c.reads]).toEqual([1, 1]); // the loss, nothing else
      expect(c.compilations).toBe(0);
      expect(c.dispatches).toBe(per[2].dispatches);
    }
  }, 120_000);
});

describe.each(agents)('the webgpu counters are exact (%s)', (agent) => {
  beforeAll(() => {
    if (agent === 'stand-in') expect(startNodeAgent(standIn())).toBeNull();
    nb.setBackend('webgpu');
    setSmallTensorLimit(0);
  });
  afterAll(() => {
    setSmallTensorLimit(null);
    nb.chooseBackend();
  });

  it('counts each kernel, compilation and float of a known chain', () => {
    const x = nb.tensor([1, 2, 3, 4, 5]);
    const warm = () => nb.sum(nb.tanh(nb.add(nb.mul(x, 0.5), 1))).item();
    warm();
    const { counts } = counting(warm);
    // mul, add, tanh, sum: four dispatches; x (5) and the scalars 0.5 and 1 and the sum's unit sent; the sum (1) read
    expect(counts).toEqual({ dispatches: 4, compilations: 0, floatsUp: 5 + 1 + 1 + 1, floatsDown: 1, reads: 1 });
    // a new shape builds new kernels: one pipeline per kernel that ran
    const y = nb.tensor([1, 2, 3]);
    const fresh = counting(() => nb.exp(nb.mul(y, 0.25)));
    expect(fresh.counts).toEqual({ dispatches: 2, compilations: 2, floatsUp: 3 + 1, floatsDown: 0, reads: 0 });
  }, 60_000);

  it("agrees with the agent's own counts over training steps, and sees a planted extra readback", () => {
    const t = mlpStep(7);
    t.step().item();
    const agentBefore = webgpuAgentStats()!;
    const { counts } = counting(() => {
      for (let i = 0; i < 5; i++) t.step().item();
    });
    const agentAfter = webgpuAgentStats()!;
    expect(counts.dispatches).toBe(agentAfter.runs - agentBefore.runs);
    expect(counts.floatsUp).toBe(agentAfter.floatsIn - agentBefore.floatsIn);
    expect(counts.floatsDown).toBe(agentAfter.floatsOut - agentBefore.floatsOut);
    expect([counts.floatsDown, counts.reads]).toEqual([5, 5]);
    // the same steps, each also reading one weight's gradient: exactly that many more floats come back
    const W = t.model.params[0];
    const planted = counting(() => {
      for (let i = 0; i < 5; i++) {
        t.step().item();
        W.grad!.toHost();
      }
    }).counts;
    expect(planted.floatsDown).toBe(5 * (1 + W.size));
    expect(planted.reads).toBe(10);
  }, 60_000);
});
