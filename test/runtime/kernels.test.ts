import { describe, expect, it } from 'vitest';
import '../../runtime';
import { BINARY_JS, HELPERS, tanh32, UNARY_JS, unaryExpr } from '../../runtime/backends/js/fns';
import { REAL_BINARY, REAL_UNARY } from '../../runtime/backends/js/elementwise';
import { extrasOf } from '../../runtime/ops/registry';
import { wasmGemm } from '../../runtime/backends/js/wasm/gemm';
import { getKernel } from '../../runtime/kernels';
import { Storage, type View } from '../../runtime/storage';
import { readFileSync } from 'node:fs';
import { tanh64 } from '../../runtime/ops/registry/tanh64';

/** The js backend's generated loops, its float32 tanh and its WebAssembly SIMD matmul. */

const f32 = new Float32Array(1);
const u32 = new Int32Array(f32.buffer);
const ulps = (a: number, b: number) => {
  f32[0] = a;
  const ia = u32[0];
  f32[0] = b;
  return Math.abs(ia - u32[0]);
};

const view = (
  data: number[],
  shape: number[],
  strides: number[],
  offset = 0,
  dtype: 'float32' | 'float64' = 'float32',
): View => ({
  storage: new Storage(dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data), dtype),
  shape,
  strides,
  offset,
  dtype,
});
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -3.5, 2.25, 0.5, -0.5, 1e30, -7, 3];
const data = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) =>
    i < SPECIALS.length ? SPECIALS[(i + seed) % SPECIALS.length] : Math.sin(i * 1.7 + seed) * 4,
  );

describe('float32 tanh (Eigen rational)', () => {
  it('is within 7 float32 ulps of the correctly rounded tanh on [-10, 10], ±1 at ±Infinity, keeps -0 and NaN', () => {
    let worst = 0;
    for (let i = -200000; i <= 200000; i++) {
      const x = Math.fround(i / 20000);
      worst = Math.max(worst, ulps(Math.fround(Math.tanh(x)), Math.fround(tanh32(x))));
    }
    expect(worst).toBeLessThanOrEqual(7);
    expect(worst).toBeGreaterThan(0); // it is an approximation: the bound is what it is checked against
    // past the clamp (|x| > 7.9) it gives its value at 7.9, which float32 arithmetic rounds to 1
    expect([tanh32(Infinity), tanh32(-Infinity), tanh32(1e30)]).toEqual([1, -1, 1]);
    // below |x| = 0.0004 it is x, as Eigen's is (the rational's tiny quotient would lose x's precision)
    expect([tanh32(Math.fround(3e-4)), tanh32(Math.fround(-1e-40))]).toEqual([Math.fround(3e-4), Math.fround(-1e-40)]);
    expect([Object.is(tanh32(-0), -0), Number.isNaN(tanh32(NaN))]).toEqual([true, true]);
  });
});

describe('float64 tanh (ops/registry/tanh64.ts)', () => {
  const f64 = new Float64Array(1);
  const i64 = new BigInt64Array(f64.buffer);
  // position on the line of doubles (negative values mirrored), so a difference of positions counts ulps
  const ord = (v: number) => {
    f64[0] = v;
    return i64[0] < 0n ? -(i64[0] & 0x7fffffffffffffffn) : i64[0];
  };
  it('is within 1 ulp of tanh at 50 digits (test/fixtures/tanh64.json) on both sides of its split and its clamp', () => {
    const { points } = JSON.parse(readFileSync(new URL('../fixtures/tanh64.json', import.meta.url), 'utf8')) as {
      points: [number, number][];
    };
    expect(points.length).toBeGreaterThan(1000);
    let worst = 0n;
    for (const [x, want] of points) {
      const d = ord(tanh64(x)) - ord(want);
      if ((d < 0n ? -d : d) > worst) worst = d < 0n ? -d : d;
    }
    expect(worst).toBeLessThanOrEqual(1n); // (V8's Math.tanh: 2 at these points)
    expect([tanh64(Infinity), tanh64(-Infinity), tanh64(1e300)]).toEqual([1, -1, 1]);
    expect([Object.is(tanh64(-0), -0), Object.is(tanh64(0), 0), Number.isNaN(tanh64(NaN))]).toEqual([true, true, true]);
    // odd, bit for bit
    for (const [x] of points) expect(Object.is(tanh64(-x), -tanh64(x))).toBe(true);
  });
});

describe('generated elementwise loops', () => {
  it('have an expression for every scalar function, and each agrees with it (float64, where no rounding hides a difference)', () => {
    expect(Object.keys(UNARY_JS).sort()).toEqual(Object.keys(REAL_UNARY).sort());
    expect(Object.keys(BINARY_JS).sort()).toEqual(Object.keys(REAL_BINARY).sort());
    const xs = data(40, 0);
    const ys = data(40, 5);
    for (const [fn, f] of Object.entries(REAL_UNARY)) {
      // an op's params (leaky_relu's slope) reach the loop as e0, e1, ...; the scalar form takes their defaults
      const [e0, e1] = extrasOf(fn, {});
      const e = new Function('x', 'H', 'e0', 'e1', `return ${unaryExpr(fn, 'float64')};`) as (
        x: number,
        h: typeof HELPERS,
        e0?: number,
        e1?: number,
      ) => number;
      xs.forEach((x) =>
        expect(
          Object.is(e(x, HELPERS, e0, e1), f(x)) || (Number.isNaN(e(x, HELPERS, e0, e1)) && Number.isNaN(f(x))),
          `${fn}(${x})`,
        ).toBe(true),
      );
    }
    for (const [fn, f] of Object.entries(REAL_BINARY)) {
      const e = new Function('a', 'b', 'H', `return ${BINARY_JS[fn]};`) as (
        a: number,
        b: number,
        h: typeof HELPERS,
      ) => number;
      xs.forEach((a, i) =>
        expect(
          Object.is(e(a, ys[i], HELPERS), f(a, ys[i])) ||
            (Number.isNaN(e(a, ys[i], HELPERS)) && Number.isNaN(f(a, ys[i]))),
          `${fn}(${a}, ${ys[i]})`,
        ).toBe(true),
      );
    }
  });

  it('walk broadcast rows, columns, scalars, transposes and offsets as the scalar functions say', () => {
    const add = getKernel('js', 'binary')!;
    const R = 5;
    const C = 6;
    const a = data(40, 1);
    const b = data(40, 2);
    const cases: [string, View, View, (r: number, c: number) => [number, number]][] = [
      ['row', view(a, [R, C], [C, 1]), view(b, [R, C], [0, 1], 3), (r, c) => [a[r * C + c], b[3 + c]]],
      ['column', view(a, [R, C], [C, 1]), view(b, [R, C], [1, 0], 2), (r, c) => [a[r * C + c], b[2 + r]]],
      ['scalar', view(a, [R, C], [C, 1], 4), view(b, [R, C], [0, 0], 7), (r, c) => [a[4 + r * C + c], b[7]]],
      ['transposed', view(a, [R, C], [1, R]), view(b, [R, C], [C, 1]), (r, c) => [a[c * R + r], b[r * C + c]]],
      ['3-d with a broadcast middle', view(a, [2, 3, 5], [15, 0, 1]), view(b, [2, 3, 5], [15, 5, 1]), () => [0, 0]],
    ];
    for (const [label, x, y, at] of cases) {
      const out = add([x, y], { fn: 'mul' }, { shape: x.shape, dtype: 'float32' });
      if (label.startsWith('3-d')) {
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 3; j++)
            for (let k = 0; k < 5; k++) {
              const want = Math.fround(Math.fround(a[i * 15 + k]) * Math.fround(b[i * 15 + j * 5 + k]));
              expect(Object.is(out[i * 15 + j * 5 + k], want) || Number.isNaN(want), `${label} ${i},${j},${k}`).toBe(
                true,
              );
            }
        continue;
      }
      for (let r = 0; r < R; r++)
        for (let c = 0; c < C; c++) {
          const [p, q] = at(r, c);
          const want = Math.fround(Math.fround(p) * Math.fround(q));
          expect(Object.is(out[r * C + c], want) || Number.isNaN(want), `${label} ${r},${c}`).toBe(true);
        }
    }
  });
});

describe('WebAssembly SIMD matmul', () => {
  const naive = (
    A: Float32Array | Float64Array,
    ai: number,
    aj: number,
    B: Float32Array | Float64Array,
    bi: number,
    bj: number,
    M: number,
    N: number,
    K: number,
  ) => {
    const out = new Float64Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) out[i * N + j] += A[i * ai + k * aj] * B[k * bi + j * bj];
    return out;
  };

  it.each([
    [1, 1, 1],
    [5, 7, 3],
    [4, 8, 1],
    [33, 1, 70],
    [2, 64, 300],
    [130, 17, 257],
    [64, 64, 64],
  ])('%i×%i from K=%i agrees with a float64 product, plain and transposed operands', (M, N, K) => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i * 0.37));
      const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.11));
      const [ai, aj] = ta ? [1, M] : [K, 1];
      const [bi, bj] = tb ? [1, K] : [N, 1];
      const res = new Float32Array(M * N + 3).fill(-99);
      expect(wasmGemm({ data: A, off: 0, si: ai, sj: aj }, { data: B, off: 0, si: bi, sj: bj }, M, N, K, res, 2)).toBe(
        true,
      );
      const want = naive(A, ai, aj, B, bi, bj, M, N, K);
      // float32 accumulation over K terms of size ≤ 1: a few ulps of K
      want.forEach((w, i) => expect(Math.abs(res[2 + i] - w), `${ta}/${tb} ${i}`).toBeLessThanOrEqual(1e-6 * K + 1e-6));
      expect([res[0], res[1], res[M * N + 2]]).toEqual([-99, -99, -99]); // nothing written outside the result
    }
  });

  it.each([
    [5, 7, 30],
    [4, 4, 64],
    [33, 1, 70],
    [2, 64, 300],
    [130, 17, 257],
    [37, 20, 20],
  ])("float64 %i×%i from K=%i: the plain loops' bits (products added in ascending k), any layout", (M, N, K) => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const A = Float64Array.from({ length: M * K }, (_, i) => Math.sin(i * 0.37) / 3);
      const B = Float64Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.11) / 7);
      const [ai, aj] = ta ? [1, M] : [K, 1];
      const [bi, bj] = tb ? [1, K] : [N, 1];
      const res = new Float64Array(M * N + 3).fill(-99);
      expect(wasmGemm({ data: A, off: 0, si: ai, sj: aj }, { data: B, off: 0, si: bi, sj: bj }, M, N, K, res, 2)).toBe(
        true,
      );
      expect(Array.from(res.subarray(2, 2 + M * N)), `${ta}/${tb}`).toEqual(
        Array.from(naive(A, ai, aj, B, bi, bj, M, N, K)),
      );
      expect([res[0], res[1], res[M * N + 2]]).toEqual([-99, -99, -99]);
    }
  });
});
