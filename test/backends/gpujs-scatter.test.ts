import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { getBackend, kernelStats, runKernel, setBackend } from '../../runtime/backend';
import { getKernel } from '../../runtime/kernels';
import { Storage, type View } from '../../runtime/storage';
import {
  countersSince,
  setSmallTensorLimit,
  startNodeAgent,
  webgpuCounters,
  webgpuDevice,
} from '../../runtime/backends/gpujs';
import { MAX_SCATTER } from '../../runtime/backends/gpujs/plans';
import { expectClose } from './views';
import { standIn, webgpuAgents } from './agents';
import { pinBackend } from '../runtime/helpers';

/**
 * scatterView (an index's backward: zeros with the gradient written at the window) on the gpu.js backends,
 * against the js kernel: windows with an offset, steps, a transposed source, and a zero stride (an inserted
 * axis: several source values land on one cell and are summed). On cpu and webasm in this thread, and on
 * webgpu (real Dawn where an adapter answers, and the stand-in), where an index's backward of a value the GPU
 * holds now reads nothing back.
 */
const src = (shape: number[], strides: number[], offset: number, length: number): View => ({
  storage: new Storage(
    Float32Array.from({ length }, (_, i) => 0.5 + ((i * 7) % 11) - 3),
    'float32',
  ),
  shape,
  strides,
  offset,
  dtype: 'float32',
});

// [label, source view, output shape, window offset and strides in the output]
const CASES: [string, View, number[], { offset: number; strides: number[] }][] = [
  ['a scalar into [1024, 1] at its first cell', src([], [], 0, 1), [1024, 1], { offset: 0, strides: [] }],
  ['a scalar into [1024, 1] at its last cell', src([], [], 3, 5), [1024, 1], { offset: 1023, strides: [] }],
  ['x[1, 0:6:2] of [4, 7]', src([3], [1], 0, 3), [4, 7], { offset: 7, strides: [2] }],
  ['x[1:3, 2:5] of [4, 5], the source transposed', src([2, 3], [1, 2], 0, 6), [4, 5], { offset: 7, strides: [5, 1] }],
  [
    'an inserted axis: x[None, 2] of [6] (two values on one cell)',
    src([2, 1], [1, 1], 0, 2),
    [6],
    { offset: 2, strides: [0, 1] },
  ],
  [
    `${MAX_SCATTER} values (the most one kernel takes)`,
    src([MAX_SCATTER], [1], 0, MAX_SCATTER),
    [2 * MAX_SCATTER],
    { offset: 1, strides: [2] },
  ],
];

const MODES = (['cpu', 'webasm'] as const).filter((m) => {
  const previous = getBackend().name;
  try {
    setBackend(m);
    return true;
  } catch {
    return false;
  } finally {
    setBackend(previous);
  }
});

describe.each(MODES)('scatterView on gpu.js %s', (mode) => {
  pinBackend(mode);

  it.each(CASES)('%s gives the js kernel’s result', (label, view, shape, attrs) => {
    const out = { shape, dtype: 'float32' as const };
    const want = getKernel('js', 'scatterView')!([view], attrs, out);
    const before = kernelStats.fallbacks;
    const got = runKernel('scatterView', [view], attrs, out);
    expect(kernelStats.fallbacks - before, `${label}: ran on js`).toBe(0);
    expectClose(got as Float32Array, want, label, 0, 0); // copies and, for the inserted axis, one f32 sum: exact
  });

  it(`gives the same result for a source of more than ${MAX_SCATTER} values (the planner leaves it to js)`, () => {
    const view = src([MAX_SCATTER + 1], [1], 0, MAX_SCATTER + 1);
    const out = { shape: [MAX_SCATTER + 1], dtype: 'float32' as const };
    const attrs = { offset: 0, strides: [1] };
    const got = runKernel('scatterView', [view], attrs, out);
    expectClose(got as Float32Array, getKernel('js', 'scatterView')!([view], attrs, out), 'js', 0, 0);
  });
});

describe.each(webgpuAgents())('an index backward on webgpu (%s)', (agent) => {
  let previousLimit: number | null = null;
  beforeAll(() => {
    if (agent === 'stand-in') expect(startNodeAgent(standIn())).toBeNull();
    nb.setBackend('webgpu');
    if (agent === 'dawn') expect(webgpuDevice()).toMatch(/^Dawn adapter/);
    previousLimit = setSmallTensorLimit(0); // every call on webgpu, as the compiled-step tests and the bench run
  }, 120_000); // a cold agent's worker compiles the runtime first
  afterAll(() => {
    setSmallTensorLimit(previousLimit);
    nb.chooseBackend();
  });

  it('gives the js gradient and reads nothing back but the loss', () => {
    const loss = (p: Tensor) => {
      const u = nb.tanh(nb.mul(p, 1.5)); // [512, 3] on the GPU
      const picked = nb.add(nb.pow(nb.index(u, [0, 0]), 2), nb.pow(nb.index(u, [511, 2]), 2));
      return nb.add(picked, nb.sum(nb.index(u, [{ start: 2, stop: 9, step: 3 }, 1])));
    };
    const start = Array.from({ length: 512 }, (_, i) => [Math.sin(i), Math.cos(i / 3), (i % 17) / 9 - 1]);
    const want = (() => {
      nb.setBackend('js');
      try {
        const p = nb.param(start);
        loss(p).backward();
        return p.grad!.toHost();
      } finally {
        nb.setBackend('webgpu');
      }
    })();
    const p = nb.param(start);
    nb.mul(p, 1).toHost(); // p's device copy made before counting
    const before = webgpuCounters()!;
    const L = loss(p);
    L.backward();
    L.item();
    const counts = countersSince(before);
    expect(p.grad!.storage.onHost).toBe(false); // the gradient stayed on the GPU
    expect([counts.floatsDown, counts.reads]).toEqual([1, 1]); // the loss; no scattered gradient came back
    expectClose(p.grad!.toHost(), want, 'p.grad', 1e-5, 1e-6);
  }, 120_000);
});
