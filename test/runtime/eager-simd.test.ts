import { afterEach, describe, expect, it } from 'vitest';
import '../../runtime';
import { getKernel } from '../../runtime/kernels';
import { contiguousStrides, sizeOf } from '../../runtime/shape';
import { Storage, type View } from '../../runtime/storage';
import { CHUNK, eagerSimd, eagerSimdFns, runColumnSum, simdOperands } from '../../runtime/backends/js/wasm/eager';
import { WASM_BINARY, WASM_UNARY } from '../../runtime/backends/js/plan/wasm';
import { SPECIALS, values, view } from '../backends/views';

/**
 * The eager SIMD path (runtime/backends/js/wasm/eager.ts) against the generated JS loops it replaces: the
 * same bits for every SIMD-able fn, at sizes around the threshold and the chunk, odd lengths, broadcast
 * scalars and rows, windows at an offset; and the layouts it must leave to the JS loop.
 */
const MIN = eagerSimd.min;
afterEach(() => void (eagerSimd.min = MIN));

/** Values with the specials (NaN, ±Infinity, ±0, ties) spread through, some large and tiny. */
function mixed(n: number, seed: number): number[] {
  const v = values(n, seed);
  for (let i = 0; i < n; i += 37) v[i] = SPECIALS[(i / 37 + seed) % SPECIALS.length];
  for (let i = 5; i < n; i += 101) v[i] = (i % 2 ? 3e38 : 1e-39) * (i % 3 ? 1 : -1);
  return v;
}

/** A view whose n values start at `offset` in a larger storage (NaN around them, so a misread shows). */
function windowAt(shape: number[], vals: number[], offset: number): View {
  const n = sizeOf(shape);
  const data = new Float32Array(n + offset + 7).fill(NaN);
  data.set(vals.slice(0, n), offset);
  return { storage: new Storage(data, 'float32'), shape, strides: contiguousStrides(shape), offset, dtype: 'float32' };
}

/** One value broadcast to `shape` (every stride 0). */
function scalarView(shape: number[], v: number): View {
  const data = new Float32Array([NaN, v, NaN]);
  return { storage: new Storage(data, 'float32'), shape, strides: shape.map(() => 0), offset: 1, dtype: 'float32' };
}

/** The kernel's result with the SIMD path off and on: both as raw bits, and whether SIMD would take it. */
function both(kernel: 'unary' | 'binary', fn: string, inputs: View[], shape: number[]) {
  const out = { shape, dtype: 'float32' } as const;
  const run = () => new Uint32Array((getKernel('js', kernel)!(inputs, { fn }, out) as Float32Array).slice().buffer);
  eagerSimd.min = Infinity;
  const js = run();
  eagerSimd.min = MIN;
  const simd = run();
  return { js, simd, taken: simdOperands(kernel, inputs, out, { fn }) !== null };
}

function sameBits(a: Uint32Array, b: Uint32Array, label: string) {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const f = new Float32Array([0, 0]);
    new Uint32Array(f.buffer).set([a[i], b[i]]);
    expect.fail(
      `${label}: element ${i} is ${f[1]} (0x${b[i].toString(16)}), the JS loop gives ${f[0]} (0x${a[i].toString(16)})`,
    );
  }
}

const SIZES = [MIN - 1, MIN, MIN + 1, 4099, CHUNK - 1, CHUNK + 3, 3 * CHUNK + 5];

describe("eager SIMD kernels give the JS loops' bits", () => {
  it('covers every fn the plans run in SIMD but maximum and minimum (their NaN has the other sign bit in wasm)', () => {
    expect(eagerSimdFns('unary')).toEqual([...WASM_UNARY]);
    expect([...eagerSimdFns('binary'), 'maximum', 'minimum'].sort()).toEqual([...WASM_BINARY].sort());
    expect(eagerSimdFns('binary')).toEqual(expect.arrayContaining(['add', 'div', 'mul', 'sub']));
  });

  it('maximum and minimum stay on the JS loop', () => {
    const n = 4096;
    const [a, b] = [view([n], 'contiguous', mixed(n, 1)), view([n], 'contiguous', mixed(n, 2))];
    for (const fn of ['maximum', 'minimum'])
      expect(simdOperands('binary', [a, b], { shape: [n], dtype: 'float32' }, { fn })).toBeNull();
  });

  it.each(eagerSimdFns('unary'))(
    'unary %s: contiguous and at an offset, sizes around the threshold and the chunk',
    (fn) => {
      for (const n of SIZES) {
        const vals = mixed(n, 3);
        for (const x of [view([n], 'contiguous', vals), windowAt([n], vals, 5)]) {
          const r = both('unary', fn, [x], [n]);
          expect(r.taken, `${fn} n=${n}`).toBe(n >= MIN);
          sameBits(r.js, r.simd, `${fn} n=${n} offset ${x.offset}`);
        }
      }
    },
  );

  it.each(eagerSimdFns('binary'))('binary %s: contiguous, offset and scalar operands', (fn) => {
    for (const n of SIZES) {
      const [a, b] = [mixed(n, 1), mixed(n, 2)];
      const cases: [string, View, View][] = [
        ['flat, flat', view([n], 'contiguous', a), view([n], 'contiguous', b)],
        ['offset, flat', windowAt([n], a, 3), view([n], 'contiguous', b)],
        ['scalar, flat', scalarView([n], 0.9), windowAt([n], b, 1)],
        ['flat, scalar', view([n], 'contiguous', a), scalarView([n], -1.5)],
        ['flat, NaN scalar', view([n], 'contiguous', a), scalarView([n], NaN)],
      ];
      for (const [label, x, y] of cases) {
        const r = both('binary', fn, [x, y], [n]);
        expect(r.taken, `${fn} ${label} n=${n}`).toBe(n >= MIN);
        sameBits(r.js, r.simd, `${fn} ${label} n=${n}`);
      }
    }
  });

  it.each(eagerSimdFns('binary'))('binary %s: a broadcast row (a bias) of several lengths, on either side', (fn) => {
    for (const [rows, cols] of [
      [1024, 32],
      [513, 4],
      [100, 84],
      [3, CHUNK],
      [37, 1000],
    ]) {
      const shape = [rows, cols];
      const flat = view(shape, 'contiguous', mixed(rows * cols, 4));
      const row = view(shape, 'broadcast', mixed(cols, 5));
      for (const [label, ins] of [
        ['x + row', [flat, row]],
        ['row + x', [row, flat]],
      ] as const) {
        const r = both('binary', fn, [...ins], shape);
        expect(r.taken, `${fn} ${label} ${shape}`).toBe(rows * cols >= MIN);
        sameBits(r.js, r.simd, `${fn} ${label} ${shape}`);
      }
    }
  });

  it('leaves to the JS loop what it cannot read as vectors: transposed, padded and sparse views, rows of odd length, float64', () => {
    const shape = [64, 96];
    const n = 64 * 96;
    const flat = view(shape, 'contiguous', mixed(n, 6));
    const left: [string, View[], string][] = [
      ['transposed', [view(shape, 'transposed', mixed(n, 7)), flat], 'float32'],
      ['padded rows', [view(shape, 'offset', mixed(n, 7)), flat], 'float32'],
      ['sparse', [view(shape, 'sparse', mixed(n, 7)), flat], 'float32'],
      [
        'row of 30',
        [view([200, 30], 'broadcast', mixed(30, 8)), view([200, 30], 'contiguous', mixed(6000, 8))],
        'float32',
      ],
      [
        'float64',
        [view(shape, 'contiguous', mixed(n, 7), 'float64'), view(shape, 'contiguous', mixed(n, 6), 'float64')],
        'float64',
      ],
    ];
    for (const [label, ins, dtype] of left) {
      const out = { shape: [...ins[0].shape], dtype } as const;
      expect(simdOperands('binary', ins, out as never, { fn: 'mul' }), label).toBeNull();
    }
    // a fn without a SIMD form (exp calls libm) also stays on the JS loop
    expect(simdOperands('unary', [flat], { shape, dtype: 'float32' }, { fn: 'exp' })).toBeNull();
  });

  it('a result buffer the caller passes that is also an input goes through the JS loop, with its answer', () => {
    const n = 3 * CHUNK + 1;
    const x = view([n], 'contiguous', mixed(n, 9));
    const want = Array.from(x.storage.host as Float32Array, (v) => Math.fround(v * v));
    const out = { shape: [n], dtype: 'float32' } as const;
    const into = x.storage.host as Float32Array;
    const got = getKernel('js', 'binary')!([x, x], { fn: 'mul' }, out, into);
    expect(got).toBe(into);
    expect(Array.from(got)).toEqual(want);
  });
});

describe("eager column sums in SIMD give the JS loop's bits", () => {
  it.each(['float32', 'float64'] as const)(
    '%s: rows in chunks, columns at the region limit, an offset, and shapes left to the loop',
    (dtype) => {
      // 1024 × 32: a PINN's bias gradient; 5000 × 12: several chunks; 2 × 8192: accumulators filling a region;
      // 1000 × 31 and 300 × 8196: columns that are not whole vectors, or too many for a region (the JS loop)
      for (const [R, C, offset, taken] of [
        [1024, 32, 0, true],
        [5000, 12, 3, true],
        [2, 8192, 0, true],
        [9000, 4, 1, true],
        [1000, 31, 0, false],
        [300, 8196, 5, false],
      ] as const) {
        const vals = mixed(R * C, R + C).map((v, i) => (i % 3 ? v * 1000 : v));
        const data = dtype === 'float64' ? new Float64Array(R * C + offset) : new Float32Array(R * C + offset);
        data.set(vals, offset);
        const x: View = { storage: new Storage(data, dtype), shape: [R, C], strides: [C, 1], offset, dtype };
        eagerSimd.min = Infinity; // the kernel's JS loop
        const js = getKernel('js', 'reduce')!([x], { fn: 'sum', axes: [0] }, { shape: [C], dtype });
        eagerSimd.min = MIN;
        const simd = dtype === 'float64' ? new Float64Array(C) : new Float32Array(C);
        expect(runColumnSum(data, offset, R, C, simd), `${R}×${C} taken`).toBe(taken);
        if (!taken) continue;
        simd.forEach((v, j) =>
          expect(Object.is(v, js[j]), `${dtype} ${R}×${C} column ${j}: ${v} vs ${js[j]}`).toBe(true),
        );
      }
    },
  );
});
