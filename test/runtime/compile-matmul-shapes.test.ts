import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';

/**
 * The js backend's compiled plans run float32 and float64 matmuls with the wasm micro-kernel on the plan's own
 * memory; when N is not a whole number of panels (8 float32 columns, 4 float64), B is packed into panels (in
 * wasm when its rows are contiguous and N a multiple of half a panel) and the product is copied out of a padded
 * scratch (in wasm, 16 bytes at a time, each row's spill overwritten by the next). Every such shape must give
 * the eager bits, forward and backward (a weight gradient is X' @ dY: a tall B), and must not touch the values
 * around the product.
 */
const rand = (shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float32') => {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
  return nb.Tensor.fromHost(dtype === 'float64' ? Float64Array.from(data) : data, shape, dtype);
};

describe.each(['float32', 'float64'] as const)(
  'compiled %s matmuls of every panel shape equal eager ones bit for bit',
  (dtype) => {
    beforeAll(() => nb.setBackend('js'));
    afterAll(() => void nb.chooseBackend());

    // [M, K, N]: float32: N a multiple of 8 (in place), of 4 (wasm pack and copy), neither (JS pack, wasm copy), one
    // column (B read where it lies, rows as lanes: gemv); float64: 20, 12, 8, 4, 28 in place, 7 JS pack, 2 and 6
    // wasm pack, 1 gemv
    const shapes = [
      [40, 20, 2],
      [33, 10, 6],
      [37, 20, 20],
      [1000, 20, 20],
      [45, 300, 12],
      [64, 33, 8],
      [29, 16, 1],
      [301, 20, 4],
      [50, 24, 7],
      [13, 9, 28],
    ];
    for (const [M, K, N] of shapes) {
      it(`x [${M}, ${K}] @ w [${K}, ${N}] and x @ w' (w' [${N}, ${K}] transposed), with gradients`, () => {
        const x = rand([M, K], M + K, dtype);
        const w = rand([K, N], K * N + 1, dtype);
        const wt = rand([N, K], N + 7, dtype);
        const b = rand([N], N + 3, dtype);
        for (const p of [x, w, wt, b]) p.requiresGrad = true;
        const step = () => {
          for (const p of [x, w, wt, b]) nb.assignGrad(p, null);
          // a tanh between keeps the products in separate plan units; the sum of squares makes dY a full matrix;
          // the bias's gradient sums dY's rows (in wasm where N is a whole number of vectors)
          const y = nb.tanh(nb.add(nb.matmul(x, w), b));
          const z = nb.matmul(nb.matmul(x, nb.transpose(wt)), nb.transpose(nb.matmul(wt, nb.transpose(wt))));
          const L = nb.add(nb.sum(nb.mul(y, y)), nb.sum(nb.mul(z, z)));
          L.backward();
          return L;
        };
        const read = (L: Tensor) => [L, x.grad!, w.grad!, wt.grad!, b.grad!].map((t) => Array.from(t.toHost()));
        const eager = read(step());
        const c = nb.compile(step);
        for (let i = 0; i < 3; i++) expect(read(c())).toEqual(eager);
        expect(c.info).toMatchObject({ traces: 1, replays: 2, fallback: null });
        if (N % (dtype === 'float64' ? 2 : 4) === 0) expect(c.info.source).toContain(`sum over ${M} rows of ${N}`);
        if (M * N * K >= 1024) expect(c.info.source).toContain('(wasm, in place)'); // (smaller: the plain loops)
        if (dtype === 'float32') expect(c.info.plan!.wasmGroups).toBeGreaterThan(0);
      });
    }
  },
);
