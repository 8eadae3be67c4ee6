import { BINARY_EXPR, UNARY_EXPR } from '../../runtime/backends/gpujs/exprs';
import type { KernelAttrs, KernelOutput } from '../../runtime/kernels';
import type { View } from '../../runtime/storage';
import { LAYOUTS, matmulOperand, pairs, SPECIALS, subsets, values, view, type Layout } from './layouts';

/**
 * The kernel table of gpujs.test.ts as data, free of vitest, so the same calls can run where vitest does
 * not: in Chromium's workers against the webgl2 and webgpu backends (test/web/kernel-harness.ts), and in
 * Node against the webgpu facade (webgpu-facade.test.ts). Each case is one registry call and the
 * tolerance its comparison with the js kernel uses.
 */
export interface KernelCase {
  label: string;
  name: string;
  inputs: View[];
  attrs: KernelAttrs;
  out: KernelOutput;
  rtol?: number;
  atol?: number;
}

const SHAPES = [[], [7], [3, 5], [2, 3, 4], [2, 3, 1, 5]];
const size = (shape: number[]) =>
  Math.max(
    shape.reduce((a, b) => a * b, 1),
    1,
  );
const withSpecials = (n: number, seed: number) => SPECIALS.concat(values(n, seed)).slice(0, n);
const BOOL_FNS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'];

/** values() (in [-3, 3]) mapped into the domain the GPU guard lets through, for the fns with a narrow `gpuDomain`. */
const IN_DOMAIN: Record<string, (v: number) => number> = {
  rsqrt: (v) => Math.abs(v) + 0.01,
  log1p: (v) => Math.abs(v) - 0.99,
  asin: (v) => v / 3.01,
  acos: (v) => v / 3.01,
  atanh: (v) => v / 3.01,
  acosh: (v) => Math.abs(v) + 1,
};

/**
 * `specials`: whether inputs hold NaN and ±Infinity (the GPU modes decline those calls, so a GPU run of
 * the table uses both: with specials to see the guard decline, without to see the GPU compute).
 */
export function kernelCases(opts: { specials: boolean; shapes?: number[][] } = { specials: true }): KernelCase[] {
  const shapes = opts.shapes ?? SHAPES;
  const mixed = (n: number, seed: number) => (opts.specials ? withSpecials(n, seed) : values(n, seed));
  const cases: KernelCase[] = [];
  for (const fn of Object.keys(UNARY_EXPR))
    for (const shape of shapes)
      for (const layout of LAYOUTS) {
        // without specials, inputs inside the fn's domain, so the GPU modes run its shader form rather than decline
        const into = opts.specials ? undefined : IN_DOMAIN[fn];
        const x = view(shape, layout, into ? values(size(shape), 7).map(into) : mixed(size(shape), 7));
        cases.push({
          label: `unary ${fn} [${shape}] ${layout}`,
          name: 'unary',
          inputs: [x],
          attrs: { fn },
          out: { shape, dtype: 'float32' },
        });
      }
  for (const fn of Object.keys(BINARY_EXPR))
    for (const shape of shapes)
      for (const [la, lb] of pairs()) {
        const n = size(shape);
        const [a, b] = [view(shape, la, mixed(n, 3)), view(shape, lb, values(n, 5))];
        const dtype = BOOL_FNS.includes(fn) ? 'bool' : 'float32';
        cases.push({
          label: `binary ${fn} [${shape}] ${la}/${lb}`,
          name: 'binary',
          inputs: [a, b],
          attrs: { fn },
          out: { shape, dtype },
        });
      }
  for (const shape of shapes)
    for (const [la, lb] of pairs()) {
      const n = size(shape);
      const cond = view(
        shape,
        lb,
        mixed(n, 11).map((v, i) => (i % 3 === 0 ? 0 : v)),
        'bool',
      );
      const [a, b] = [view(shape, la, values(n, 12)), view(shape, lb, values(n, 13))];
      const out = { shape, dtype: 'float32' } as const;
      const label = `[${shape}] ${la}/${lb}`;
      cases.push({ label: `where ${label}`, name: 'where', inputs: [cond, a, b], attrs: {}, out });
      cases.push({ label: `clamp ${label}`, name: 'clamp', inputs: [a], attrs: { min: -1, max: 0.5 }, out });
      cases.push({
        label: `clamp max ${label}`,
        name: 'clamp',
        inputs: [view(shape, lb, mixed(n, 14))],
        attrs: { min: null, max: 1.25 },
        out,
      });
      cases.push({ label: `clamp min ${label}`, name: 'clamp', inputs: [b], attrs: { min: 0.3, max: null }, out });
      cases.push({ label: `copy ${label}`, name: 'copy', inputs: [b], attrs: {}, out });
    }
  for (const shape of [...shapes, [4, 1, 6, 3], [33, 17]])
    for (const layout of LAYOUTS)
      for (const axes of subsets(shape.length))
        for (const fn of ['sum', 'max', 'min']) {
          const x = view(shape, layout, fn === 'sum' ? values(size(shape), 21) : mixed(size(shape), 21));
          const kept = shape.filter((_, d) => !axes.includes(d));
          cases.push({
            label: `reduce ${fn} [${shape}] axes [${axes}] ${layout}`,
            name: 'reduce',
            inputs: [x],
            attrs: { fn, axes },
            out: { shape: kept, dtype: 'float32' },
          });
        }
  // a long sum: f32 modes compensate (Kahan); 2e-6 relative is past an uncompensated f32 sum's error
  for (const n of [100003, 1 << 20]) {
    const x = view(
      [n],
      'contiguous',
      values(n, 41).map((v) => v + 3),
    );
    cases.push({
      label: `reduce sum of ${n}`,
      name: 'reduce',
      inputs: [x],
      attrs: { fn: 'sum', axes: [0] },
      out: { shape: [], dtype: 'float32' },
      rtol: 2e-6,
      atol: 0,
    });
  }
  const mm: [number[], number[]][] = [
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
  for (const [sa, sb] of mm)
    for (const la of ['contiguous', 'transposed', 'broadcast', 'offset'] as Layout[])
      for (const lb of ['contiguous', 'transposed', 'broadcast', 'sparse'] as Layout[]) {
        const r = sa.length;
        const out = { shape: [...sa.slice(0, r - 1), sb[r - 1]], dtype: 'float32' } as const;
        cases.push({
          label: `matmul [${sa}]@[${sb}] ${la}/${lb}`,
          name: 'matmul',
          inputs: [matmulOperand(sa, la, 31), matmulOperand(sb, lb, 32)],
          attrs: {},
          out,
          rtol: 1e-5,
          atol: 1e-5,
        });
      }
  return cases;
}

/**
 * Calls at GPU scale: indices past 2^16 through several divisions (the corrected GPU division of
 * layout.ts), loops longer than gpu.js's GLSL loop cap of 1000, and outputs wider than a texture row.
 */
export function largeCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  const shape = [37, 61, 29]; // 65,453 cells, odd dims
  const n = shape[0] * shape[1] * shape[2];
  for (const layout of ['transposed', 'offset'] as Layout[]) {
    const x = view(shape, layout, values(n, 51));
    cases.push({
      label: `copy [${shape}] ${layout}`,
      name: 'copy',
      inputs: [x],
      attrs: {},
      out: { shape, dtype: 'float32' },
    });
    cases.push({
      label: `unary tanh [${shape}] ${layout}`,
      name: 'unary',
      inputs: [x],
      attrs: { fn: 'tanh' },
      out: { shape, dtype: 'float32' },
    });
    cases.push({
      label: `reduce sum [${shape}] axes [1] ${layout}`,
      name: 'reduce',
      inputs: [x],
      attrs: { fn: 'sum', axes: [1] },
      out: { shape: [37, 29], dtype: 'float32' },
    });
  }
  const [M, K, N] = [33, 1500, 41];
  cases.push({
    label: `matmul [${M},${K}]@[${K},${N}] transposed`,
    name: 'matmul',
    inputs: [matmulOperand([M, K], 'contiguous', 61), matmulOperand([K, N], 'transposed', 62)],
    attrs: {},
    out: { shape: [M, N], dtype: 'float32' },
    rtol: 1e-4,
    atol: 1e-4,
  });
  return cases;
}
