import { afterAll, beforeAll, describe, expect, it, onTestFinished as afterTest } from 'vitest';
import '../../runtime';
import { getBackend, runKernel, setBackend, kernelStats } from '../../runtime/backend';
import { getKernel, kernelsOf, type KernelAttrs, type KernelOutput } from '../../runtime/kernels';
import { REAL_BINARY, REAL_UNARY } from '../../runtime/backends/js/elementwise';
import { takes } from '../../runtime/backends/gpujs/policy';
import { fnsOfArity } from '../../runtime/ops/registry';
import { BINARY_EXPR, UNARY_EXPR } from '../../runtime/backends/gpujs/exprs';
import {
  clearKernelCache,
  GPUJS_KERNELS,
  kernelCacheStats,
  kernelClasses,
  setSmallTensorLimit,
} from '../../runtime/backends/gpujs';
import type { View } from '../../runtime/storage';
import { expectClose, LAYOUTS, matmulOperand, pairs, SPECIALS, subsets, values, view, type Layout } from './views';

/**
 * The gpu.js backends against the js kernels (the reference), with the small-tensor limit at 0 so every
 * call goes to gpu.js: each registered kernel, every fn, ranks 0..4 with odd sizes, and inputs that are
 * contiguous, transposed, broadcast, offset and sparse. Calls go through runKernel, so `takes` is in the
 * path; a call that fell back to js would compare js with itself, so fallbacks are counted and must be 0.
 */
const SHAPES = [[], [7], [3, 5], [2, 3, 4], [2, 3, 1, 5]];
const MODES = (['cpu', 'webasm'] as const).filter((m) => {
  const previous = getBackend().name;
  try {
    setBackend(m); // throws when the probe says it cannot run here
    return true;
  } catch {
    return false;
  } finally {
    setBackend(previous);
  }
});

function agree(
  name: string,
  inputs: View[],
  attrs: KernelAttrs,
  out: KernelOutput,
  label: string,
  rtol?: number,
  atol?: number,
) {
  const want = getKernel('js', name)!(inputs, attrs, out);
  const before = kernelStats.fallbacks;
  const got = runKernel(name, inputs, attrs, out);
  expect(kernelStats.fallbacks - before, `${label}: ran on js, not gpu.js`).toBe(0);
  expect(got).toBeInstanceOf(Float32Array);
  expectClose(got, want, label, rtol, atol);
}

const withSpecials = (n: number, seed: number) => SPECIALS.concat(values(n, seed)).slice(0, n);

describe.each(MODES)('gpu.js %s backend', (mode) => {
  let previousLimit: number | null;
  let previousBackend: string;
  beforeAll(() => {
    previousBackend = getBackend().name;
    setBackend(mode);
    previousLimit = setSmallTensorLimit(0);
  });
  afterAll(() => {
    setSmallTensorLimit(previousLimit);
    setBackend(previousBackend);
  });

  it('registers the kernels it claims', () => {
    expect(kernelsOf(mode).sort()).toEqual([...GPUJS_KERNELS].sort());
  });

  it.each(Object.keys(UNARY_EXPR))('unary %s agrees with js', (fn) => {
    for (const shape of SHAPES)
      for (const layout of LAYOUTS) {
        const x = view(
          shape,
          layout,
          withSpecials(
            Math.max(
              shape.reduce((a, b) => a * b, 1),
              1,
            ),
            7,
          ),
        );
        agree('unary', [x], { fn }, { shape, dtype: 'float32' }, `${mode} ${fn} [${shape}] ${layout}`);
      }
  });

  it('a param of an op (leaky_relu negative_slope=0.3) reaches the kernel as its argument', () => {
    for (const shape of SHAPES) {
      const x = view(
        shape,
        'transposed',
        withSpecials(
          Math.max(
            shape.reduce((a, b) => a * b, 1),
            1,
          ),
          9,
        ),
      );
      agree(
        'unary',
        [x],
        { fn: 'leaky_relu', negative_slope: 0.3 },
        { shape, dtype: 'float32' },
        `${mode} leaky_relu(0.3) [${shape}]`,
      );
    }
  });

  it.each(Object.keys(BINARY_EXPR))('binary %s agrees with js', (fn) => {
    for (const shape of SHAPES)
      for (const [la, lb] of pairs()) {
        const n = Math.max(
          shape.reduce((a, b) => a * b, 1),
          1,
        );
        const [a, b] = [view(shape, la, withSpecials(n, 3)), view(shape, lb, values(n, 5))];
        const dtype = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'].includes(fn) ? 'bool' : 'float32';
        agree('binary', [a, b], { fn }, { shape, dtype }, `${mode} ${fn} [${shape}] ${la}/${lb}`);
      }
  });

  it('where, clamp and copy agree with js', () => {
    for (const shape of SHAPES)
      for (const [la, lb] of pairs()) {
        const n = Math.max(
          shape.reduce((a, b) => a * b, 1),
          1,
        );
        const cond = view(
          shape,
          lb,
          withSpecials(n, 11).map((v, i) => (i % 3 === 0 ? 0 : v)),
          'bool',
        );
        const [a, b] = [view(shape, la, values(n, 12)), view(shape, lb, values(n, 13))];
        const out = { shape, dtype: 'float32' } as const;
        const label = `${mode} [${shape}] ${la}/${lb}`;
        agree('where', [cond, a, b], {}, out, `where ${label}`);
        agree('clamp', [a], { min: -1, max: 0.5 }, out, `clamp ${label}`);
        agree('clamp', [view(shape, lb, withSpecials(n, 14))], { min: null, max: 1.25 }, out, `clamp max ${label}`);
        agree('clamp', [b], { min: 0.3, max: null }, out, `clamp min ${label}`);
        agree('copy', [b], {}, out, `copy ${label}`);
      }
  });

  it('reduce sum/max/min over every axis set agrees with js', () => {
    for (const shape of [...SHAPES, [4, 1, 6, 3], [33, 17]])
      for (const layout of LAYOUTS)
        for (const axes of subsets(shape.length))
          for (const fn of ['sum', 'max', 'min']) {
            const n = Math.max(
              shape.reduce((a, b) => a * b, 1),
              1,
            );
            const x = view(shape, layout, fn === 'sum' ? values(n, 21) : withSpecials(n, 21));
            const kept = shape.filter((_, d) => !axes.includes(d));
            agree(
              'reduce',
              [x],
              { fn, axes },
              { shape: kept, dtype: 'float32' },
              `${mode} ${fn} [${shape}] axes [${axes}] ${layout}`,
            );
          }
  });

  it('a long sum stays within float32 tolerance (webasm compensates its f32 sum)', () => {
    for (const n of [100003, 1 << 20]) {
      const x = view(
        [n],
        'contiguous',
        values(n, 41).map((v) => v + 3),
      );
      agree('reduce', [x], { fn: 'sum', axes: [0] }, { shape: [], dtype: 'float32' }, `${mode} sum of ${n}`, 2e-6, 0);
    }
  });

  it('batched matmul agrees with js, transposed and broadcast operands included', () => {
    const cases: [number[], number[]][] = [
      [
        [3, 4],
        [4, 5],
      ],
      [
        [1, 1],
        [1, 1],
      ],
      [
        [5, 7],
        [7, 1],
      ],
      [
        [2, 3, 7],
        [2, 7, 5],
      ],
      [
        [2, 2, 3, 5],
        [2, 2, 5, 3],
      ],
      [
        [3, 2, 4, 9],
        [3, 2, 9, 2],
      ],
    ];
    for (const [sa, sb] of cases)
      for (const la of ['contiguous', 'transposed', 'broadcast', 'offset'] as Layout[])
        for (const lb of ['contiguous', 'transposed', 'broadcast', 'sparse'] as Layout[]) {
          const r = sa.length;
          const a = matmulOperand(sa, la, 31);
          const b = matmulOperand(sb, lb, 32);
          const out = { shape: [...sa.slice(0, r - 1), sb[r - 1]], dtype: 'float32' } as const;
          agree('matmul', [a, b], {}, out, `${mode} matmul [${sa}]@[${sb}] ${la}/${lb}`, 1e-5, 1e-5);
        }
  });

  it('builds one kernel per key and reuses it', () => {
    clearKernelCache(mode);
    const x = view([5, 6], 'transposed', values(30, 1));
    const out = { shape: [5, 6], dtype: 'float32' } as const;
    runKernel('unary', [x], { fn: 'exp' }, out);
    runKernel('unary', [x], { fn: 'exp' }, out);
    expect(kernelCacheStats(mode)).toMatchObject({ built: 1, hits: 1, misses: 1 });
    // the same layout in fresh storage reuses the kernel; another shape or fn builds another
    runKernel('unary', [view([5, 6], 'transposed', values(30, 2))], { fn: 'exp' }, out);
    runKernel('unary', [x], { fn: 'log' }, out);
    runKernel('unary', [view([6, 5], 'transposed', values(30, 2))], { fn: 'exp' }, { shape: [6, 5], dtype: 'float32' });
    expect(kernelCacheStats(mode)).toMatchObject({ built: 3, hits: 2 });
  });

  it('runs what it says it runs (gpu.js did not degrade the kernels)', () => {
    const classes = new Set(kernelClasses(mode).values());
    expect([...classes]).toEqual([mode === 'cpu' ? 'CPUKernel' : 'WebAssemblyKernel']);
  });
});

describe('gpu.js expression tables', () => {
  it('cover exactly the js fns the registry gives a gpu.js form (the rest run on js)', () => {
    const withForm = (arity: 1 | 2) =>
      fnsOfArity(arity)
        .filter((e) => e.gpu !== false)
        .map((e) => e.name)
        .sort();
    expect(Object.keys(UNARY_EXPR).sort()).toEqual(withForm(1));
    expect(Object.keys(BINARY_EXPR).sort()).toEqual(withForm(2));
    for (const k of Object.keys(UNARY_EXPR)) expect(REAL_UNARY[k], k).toBeDefined();
    for (const k of Object.keys(BINARY_EXPR)) expect(REAL_BINARY[k], k).toBeDefined();
  });

  it.each(['cpu', 'webasm'] as const)(
    '%s hands a fn without a gpu.js form (fmod) to js, whatever the size, and takes erf by its own form',
    (mode) => {
      const x = view([7], 'contiguous', values(7, 1));
      const previous = setSmallTensorLimit(0);
      afterTest(() => void setSmallTensorLimit(previous));
      expect(takes(mode, 'unary', [x], { shape: [7], dtype: 'float32' }, { fn: 'erf' })).toBe(true);
      expect(takes(mode, 'binary', [x, x], { shape: [7], dtype: 'float32' }, { fn: 'fmod' })).toBe(false);
      expect(takes(mode, 'unary', [x], { shape: [7], dtype: 'float32' }, { fn: 'tanh' })).toBe(true);
    },
  );
});
