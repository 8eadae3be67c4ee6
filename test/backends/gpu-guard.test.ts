import { describe, expect, it } from 'vitest';
import { every, gpuDeclines, needsRecompute, plain } from '../../runtime/backends/gpujs/guard';
import { takes, THRESHOLDS } from '../../runtime/backends/gpujs/policy';
import { LAYOUTS, read, values, view } from './layouts';

/**
 * runtime/backends/gpujs/guard.ts: which calls the GPU modes (webgl2, webgpu) decline because a GPU
 * would not compute them as the js kernels do. The GPU runs themselves are in test/web (Chromium) and
 * webgpu-facade.test.ts; these check the decisions, which need no GPU.
 */
describe('the GPU guard', () => {
  it('scans the elements of a view, not its storage window (offset layouts keep NaN in their gaps)', () => {
    for (const layout of LAYOUTS) {
      const v = view([3, 5], layout, values(15, 3));
      const seen: number[] = [];
      expect(every(v, (x) => (seen.push(x), true))).toBe(true);
      expect(seen.sort()).toEqual(read(v).sort());
      expect(gpuDeclines('unary', [v], { fn: 'neg' }), layout).toBeNull();
    }
    expect(every(view([], 'contiguous', [2]), (x) => x === 2)).toBe(true);
  });

  it('declines NaN, infinities and subnormals in any input, wherever they sit in the view', () => {
    for (const bad of [NaN, Infinity, -Infinity, 1e-40]) {
      const vals = values(24, 5);
      vals[17] = bad;
      for (const layout of ['contiguous', 'transposed', 'offset', 'sparse'] as const) {
        const v = view([2, 3, 4], layout, vals);
        expect(
          gpuDeclines('binary', [view([2, 3, 4], 'contiguous', values(24, 1)), v], { fn: 'add' }),
          `${bad} ${layout}`,
        ).toMatch(/NaN/);
      }
    }
    expect(plain(0)).toBe(true);
    expect(plain(-0)).toBe(true);
    expect(plain(2 ** -126)).toBe(true);
    expect(plain(2 ** -127)).toBe(false);
  });

  it('declines fns outside the domain where the GPU builtin is defined, and only there', () => {
    const v = (xs: number[]) => view([xs.length], 'contiguous', xs);
    const cases: [string, string, number[][], boolean][] = [
      ['unary', 'log', [[0.5, 2]], true],
      ['unary', 'log', [[0.5, 0]], false],
      ['unary', 'sqrt', [[0, 4]], true],
      ['unary', 'sqrt', [[-1, 4]], false],
      ['unary', 'sin', [[8192, -3]], true],
      ['unary', 'sin', [[8193, -3]], false],
      [
        'binary',
        'div',
        [
          [1, -2],
          [3, 0.5],
        ],
        true,
      ],
      [
        'binary',
        'div',
        [
          [1, -2],
          [3, 0],
        ],
        false,
      ],
      [
        'binary',
        'pow',
        [
          [-2, -3],
          [3, 2],
        ],
        true,
      ], // negative bases, integer exponents: exprs.ts gives the sign
      [
        'binary',
        'pow',
        [
          [-2, 3],
          [0.5, 2],
        ],
        false,
      ],
      [
        'binary',
        'pow',
        [
          [0, 3],
          [0.5, 2],
        ],
        true,
      ],
      [
        'binary',
        'pow',
        [
          [0, 3],
          [-1, 2],
        ],
        false,
      ], // 0^-1
      [
        'binary',
        'atan2',
        [
          [1, 2],
          [3, 4],
        ],
        false,
      ], // Vulkan allows GPU atan 4096 ulp
      [
        'binary',
        'mul',
        [
          [0, -2],
          [0, 4],
        ],
        true,
      ],
    ];
    for (const [kernel, fn, inputs, ok] of cases) {
      expect(gpuDeclines(kernel, inputs.map(v), { fn }) === null, `${fn}(${JSON.stringify(inputs)})`).toBe(ok);
    }
  });

  it('asks for a recompute when a result holds NaN or an infinity', () => {
    expect(needsRecompute(Float32Array.of(1, -0, 3e38))).toBe(false);
    expect(needsRecompute(Float32Array.of(1, Infinity))).toBe(true);
    expect(needsRecompute(Float32Array.of(NaN))).toBe(true);
  });

  it('GPU modes take large float32 calls the guard admits, and nothing below their thresholds', () => {
    for (const mode of ['webgl2', 'webgpu'] as const) {
      const n = THRESHOLDS[mode].unaryMath;
      const out = { shape: [n], dtype: 'float32' } as const;
      const x = view([n], 'contiguous', values(n, 9));
      expect(takes(mode, 'unary', [x], out, { fn: 'tanh' })).toBe(true);
      expect(
        takes(
          mode,
          'unary',
          [view([n - 1], 'contiguous', values(n - 1, 9))],
          { shape: [n - 1], dtype: 'float32' },
          { fn: 'tanh' },
        ),
      ).toBe(false);
      expect(takes(mode, 'unary', [x], out, { fn: 'log' })).toBe(false); // values(…) holds negatives
      expect(
        takes(
          mode,
          'unary',
          [view([n], 'contiguous', values(n, 9), 'float64')],
          { shape: [n], dtype: 'float64' },
          { fn: 'tanh' },
        ),
      ).toBe(false);
    }
  });
});
