import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { setSmallTensorLimit, startNodeAgent, webgpuDevice } from '../../runtime/backends/gpujs';
import { runnableBackends } from '../runtime/helpers';
import { pinnStep } from './pinn-steps';

/**
 * compile() on webgpu (runtime/backends/gpujs/README.md, "Compiled plans"). On the real Dawn where an adapter
 * answers (lavapipe here) and on the stand-in agent (gpu.js cpu kernels behind the same channel).
 */
const standIn = new URL('./standin-agent.ts?device=ready&delay=0', import.meta.url);
const agents = [...(runnableBackends().includes('webgpu') ? ['dawn'] : []), 'stand-in'];
if (process.env.NABLA_REQUIRE_WEBGPU) {
  it('finds the real Dawn adapter that NABLA_REQUIRE_WEBGPU requires', () => expect(agents).toContain('dawn'));
}

/** The losses of `n` calls of `step`, yielding to the event loop between steps (vitest's worker must answer). */
async function losses(step: () => Tensor, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(step().item() as number);
    await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

/** Relative differences, each step's; float32 rounding over a few steps of Adam stays far below 1e-5. */
const relDiffs = (got: number[], want: number[]) => got.map((g, i) => Math.abs(g - want[i]) / Math.abs(want[i]));

describe.each(agents)('compiled steps on webgpu (%s)', (agent) => {
  let previousLimit: number | null = null;
  beforeAll(() => {
    if (agent === 'stand-in') expect(startNodeAgent(standIn)).toBeNull();
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
    // traced at the first call and again at the second (the .grads it accumulates into are set by then)
    expect([compiled.info.traces, compiled.info.replays, compiled.info.eagerCalls]).toEqual([2, steps - 2, 0]);
    expect(Math.max(...relDiffs(replayed, eager))).toBeLessThan(1e-5);
    // and the loss goes down as training proceeds (a step that changed nothing would also "agree")
    expect(eager[steps - 1]).toBeLessThan(eager[0]);
  }, 300_000);
});
