import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { registerBackend } from '../../runtime/backend';
import { compileHostPlan } from '../../runtime/backends/js/plan/host-plan';
import { opByOp } from '../../runtime/compile/op-by-op';
import type { PlanInput } from '../../runtime/plan-step';
import { mlpStep, sgdStep } from './helpers';

/**
 * Compiled plans belong to a backend (Backend.compilePlan): compile() hands the trace to the plan compiler of
 * the backend it ran on, and a backend without one runs the plan op by op (runtime/compile/op-by-op.ts). The
 * test backends here take no call themselves (`takes` says no), so every kernel is the js one, eagerly and in
 * a plan alike: an op-by-op plan must give the eager bits, and the same bits as the js backend's fused plan.
 */

const compiledOn: PlanInput[] = [];
registerBackend({
  name: 'test-op-by-op',
  probe: () => null,
  takes: () => false,
  describe: () => 'js kernels, no plan compiler',
});
registerBackend({
  name: 'test-own-planner',
  probe: () => null,
  takes: () => false,
  describe: () => 'js kernels, a plan compiler that records what it was given',
  compilePlan: (input) => (compiledOn.push(input), opByOp(input)),
});

const losses = (step: () => Tensor, n: number) => Array.from({ length: n }, () => step().item() as number);

describe('a backend without a plan compiler runs compiled plans op by op', () => {
  beforeAll(() => nb.setBackend('test-op-by-op'));
  afterAll(() => void nb.chooseBackend());

  it('trains an MLP to the eager losses bit for bit, and to the js backend fused plan losses', () => {
    const eager = losses(mlpStep(3).step, 30);
    const c = nb.compile(mlpStep(3).step);
    expect(losses(c, 30)).toEqual(eager);
    expect(c.info).toMatchObject({ traces: 1, replays: 29, eagerCalls: 0, fallback: null });
    const plan = c.info.plan!;
    expect(plan.fusedGroups).toBe(0);
    expect(plan.wasmGroups).toBe(0);
    expect(plan.kernels).toBeGreaterThan(10);
    expect(plan.effects).toBeGreaterThanOrEqual(2);
    // buffers are reused once dead: fewer than one per kernel
    expect(plan.buffers).toBeLessThan(plan.kernels);
    expect(c.info.source).toMatch(/^T\[\d+\] = matmul\(/m);

    nb.setBackend('js');
    const fused = nb.compile(mlpStep(3).step);
    expect(losses(fused, 30)).toEqual(eager);
    expect(fused.info.plan!.fusedGroups).toBeGreaterThan(0);
    nb.setBackend('test-op-by-op');
  });

  it('replays in-place writes, .grad effects and rebinds arguments like eager code', () => {
    const e = sgdStep();
    const c = sgdStep();
    const cs = nb.compile(c.step);
    expect(losses(cs, 20)).toEqual(losses(e.step, 20));
    expect(c.w.tolist()).toEqual(e.w.tolist());
    expect(c.w.version).toBe(20);
    expect(cs.info.traces).toBe(1);
    expect(cs.info.source).toMatch(/^T\[\d+\] <- T\[\d+\]$/m);

    const f = nb.compile((x: Tensor, w: Tensor) => nb.sum(nb.tanh(nb.add(nb.matmul(x, w), 0.5)), { axis: 0 }));
    const w = nb.randn([3, 4], { seed: 1 });
    const results: unknown[] = [];
    for (let s = 0; s < 3; s++) results.push((f(nb.randn([5, 3], { seed: 10 + s }), w) as Tensor).tolist());
    const eager = [0, 1, 2].map((s) =>
      nb.sum(nb.tanh(nb.add(nb.matmul(nb.randn([5, 3], { seed: 10 + s }), w), 0.5)), { axis: 0 }).tolist(),
    );
    expect(results).toEqual(eager);
    // a result kept from one call is not overwritten by the next
    expect(results[0]).not.toEqual(results[1]);
    expect(f.info).toMatchObject({ traces: 1, replays: 2 });
  });
});

describe('a backend with its own plan compiler', () => {
  beforeAll(() => nb.setBackend('test-own-planner'));
  afterAll(() => void nb.chooseBackend());

  it('is given the trace once, when compile() traces, and its step is what replays run', () => {
    compiledOn.length = 0;
    const e = sgdStep();
    const c = sgdStep();
    const cs = nb.compile(c.step);
    expect(losses(cs, 5)).toEqual(losses(e.step, 5));
    expect(compiledOn).toHaveLength(1);
    const input = compiledOn[0];
    expect(input.instrs.some((i) => i.k === 'write')).toBe(true);
    expect(input.instrs.filter((i) => i.k === 'effect').length).toBeGreaterThanOrEqual(1);
    expect(input.storages).toHaveLength(input.slots.length);
    // the loss the step returns outlives it
    expect(input.escapes.size).toBeGreaterThan(0);
  });

  it('js and the gpu.js host engines compile with the js plan compiler, which fuses', () => {
    for (const name of ['js', 'cpu']) {
      nb.setBackend(name);
      expect(nb.getBackend().compilePlan).toBe(compileHostPlan);
    }
    nb.setBackend('js');
    const c = nb.compile((x: Tensor) => nb.mul(nb.add(x, 1), 2));
    const x = nb.tensor([1, 2, 3]);
    c(x);
    expect(c(x).tolist()).toEqual([4, 6, 8]);
    expect(c.info.plan!.fusedGroups).toBe(1);
  });
});
