import { describe, expect, it } from 'vitest';
import { wasmGemm, type Mat } from '../../runtime/backends/js/wasm/gemm';

/**
 * A product with one column (runtime/backends/js/wasm/gemm.ts, gemvFunc: rows as lanes) must give the bits
 * the micro-kernel gave: each output its products added in ascending k from +0, every product and every sum
 * rounded to the type. The reference here does exactly that in scalar JavaScript (Math.fround for float32),
 * for every row layout the kernel distinguishes (adjacent rows loaded as vectors, rows apart gathered lane by
 * lane, the rows after the last whole vector one at a time) and values that make rounding and signs matter.
 */
const SPECIAL = [-0, 0, 1e-38, -1e-40, 3.4e38, -3.4e38, Infinity, NaN, 1 / 3, -7];
const values = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) =>
    i % 97 === 5 ? SPECIAL[(i + seed) % SPECIAL.length] : Math.sin(1.3 * i + seed) * 5,
  );

/** A's element (i, k) at off + i si + k sj of a fresh array; B's at off + k si. */
function operands(M: number, K: number, layout: 'rows' | 'transposed' | 'apart', f64: boolean) {
  const [si, sj] = layout === 'rows' ? [K, 1] : layout === 'transposed' ? [1, M] : [2 * K + 1, 2];
  const Type = f64 ? Float64Array : Float32Array;
  const A: Mat = { data: Type.from(values(2 + (M - 1) * si + (K - 1) * sj + 1, M + K)), off: 2, si, sj };
  const B: Mat = { data: Type.from(values(1 + 3 * (K - 1) + 1, 7 * K)), off: 1, si: 3, sj: 1 };
  return { A, B };
}

function reference(A: Mat, B: Mat, M: number, K: number, f64: boolean): Float64Array {
  const r = f64 ? (x: number) => x : Math.fround;
  const out = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let acc = 0;
    for (let k = 0; k < K; k++) acc = r(acc + r(A.data[A.off + i * A.si + k * A.sj] * B.data[B.off + k * B.si]));
    out[i] = acc;
  }
  return out;
}

/** Equal as the type stores them: NaN equal to NaN, +0 and -0 told apart. */
const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])));

describe.each([false, true])('a product with one column (float64: %s)', (f64) => {
  it.each(['rows', 'transposed', 'apart'] as const)(
    'gives the sequential sum’s bits for every row count around the vector sizes, A laid out as %s',
    (layout) => {
      for (const M of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 18, 31, 33, 64, 100])
        for (const K of [1, 2, 7, 64, 300]) {
          const { A, B } = operands(M, K, layout, f64);
          const res = f64 ? new Float64Array(M + 2) : new Float32Array(M + 2);
          res.fill(42);
          expect(wasmGemm(A, B, M, 1, K, res, 1)).toBe(true);
          const want = reference(A, B, M, K, f64);
          expect(same(res.subarray(1, M + 1), f64 ? want : Float32Array.from(want)), `${M}×${K} ${layout}`).toBe(true);
          // nothing written around the column
          expect([res[0], res[M + 1]]).toEqual([42, 42]);
        }
    },
  );
});
