import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { eagerSimd } from '../../runtime/backends/js/wasm/eager';
import { mulNeg2, tanhBackward } from '../../runtime/ops/tanh-backward';
import { values } from '../backends/views';

/**
 * tanh's backward as one kernel and one node (runtime/ops/tanh-backward.ts, PyTorch's tanh_backward): the bits
 * of the three ops it replaced, g · (1 − y·y) rounded after each operation, on every path that runs it (the JS
 * loop, the eager SIMD kernel, a compiled plan's fused loop), and derivatives of every order.
 */
nb.setBackend('js');

const bitsOf = (t: Tensor, dtype: 'float32' | 'float64') =>
  Array.from(
    dtype === 'float32'
      ? new Uint32Array(Float32Array.from(t.toHost() as ArrayLike<number>).buffer)
      : new BigUint64Array(Float64Array.from(t.toHost() as ArrayLike<number>).buffer),
    String,
  );
const threeOps = (g: Tensor, y: Tensor) => nb.mul(g, nb.sub(1, nb.mul(y, y)));

/** `op` gives the bits of `ops`, the ops it stands for, eagerly and fused into a compiled plan. */
function expectBitsOf(
  op: (a: Tensor, b: Tensor) => Tensor,
  ops: (a: Tensor, b: Tensor) => Tensor,
  a: Tensor,
  b: Tensor,
  dtype: 'float32' | 'float64',
) {
  const want = bitsOf(ops(a, b), dtype);
  expect(bitsOf(op(a, b), dtype)).toEqual(want);
  // a compiled plan fuses it with its neighbours (a wasm loop for these dtypes)
  const fused = nb.compile(() => nb.mul(op(nb.mul(a, 1), b), 1));
  fused();
  expect(bitsOf(fused(), dtype)).toEqual(want);
}

/** One test per dtype and size: below the eager SIMD threshold (the JS loop) and above it. */
const eachCase = (what: string, body: (dtype: 'float32' | 'float64', n: number) => void) => {
  for (const dtype of ['float32', 'float64'] as const)
    for (const n of [37, 4099])
      it(`${dtype}, ${n} values (${n < eagerSimd.min ? 'JS loop' : 'SIMD'}): ${what}, eager and compiled`, () =>
        body(dtype, n));
};

describe('tanh_backward', () => {
  eachCase('the bits of g * (1 - y*y) in three ops', (dtype, n) => {
    const g = nb.tensor(values(n, 3), { dtype });
    // y spans tanh's range, its ends and a little past them (a caller may pass any values)
    const y = nb.tensor(
      values(n, 4).map((v) => Math.tanh(v) * 1.001),
      { dtype },
    );
    expectBitsOf(tanhBackward, threeOps, g, y, dtype);
  });

  it("is one kernel call and one node, PyTorch's TanhBackwardBackward0", () => {
    const x = nb.param(nb.tensor(values(64, 1)));
    const y = nb.tanh(x);
    const before = nb.kernelStats.calls;
    const dx = nb.grad(nb.sum(y), x, { createGraph: true }) as Tensor;
    // the sum's gradient (ones) and tanh's: two calls where the three ops took four
    expect(nb.kernelStats.calls - before).toBe(2);
    expect(dx.gradFn?.gradName).toBe('TanhBackwardBackward0');
  });

  it('differentiates to every order: d2 and d3 of tanh equal their closed forms (float64)', () => {
    const xs = [-3, -1.2, -0.4, 0, 0.3, 0.9, 2.5];
    const x = nb.param(nb.tensor(xs, { dtype: 'float64' }));
    const d1 = nb.grad(nb.sum(nb.tanh(x)), x, { createGraph: true }) as Tensor;
    const d2 = nb.grad(nb.sum(d1), x, { createGraph: true }) as Tensor;
    const d3 = nb.grad(nb.sum(d2), x) as Tensor;
    xs.forEach((v, i) => {
      const t = Math.tanh(v);
      const s = 1 - t * t;
      expect((d1.tolist() as number[])[i]).toBeCloseTo(s, 14);
      expect((d2.tolist() as number[])[i]).toBeCloseTo(-2 * t * s, 14);
      expect((d3.tolist() as number[])[i]).toBeCloseTo(-2 * s * s + 4 * t * t * s, 14);
    });
  });

  it("gives a PINN's third-order parameter gradients to float32 rounding of float64's", () => {
    // u = W2 tanh(W1 x + b1), loss = mean(u_xx²): the parameters' gradients differentiate tanh three times
    const grads = (dtype: 'float32' | 'float64') => {
      const W1 = nb.param(nb.tensor(values(16, 5), { dtype }).reshape(1, 16));
      const b1 = nb.param(nb.tensor(values(16, 6), { dtype }));
      const W2 = nb.param(nb.tensor(values(16, 7), { dtype }).reshape(16, 1));
      const x = nb.param(nb.tensor(values(50, 8), { dtype }).reshape(50, 1));
      const u = nb.matmul(nb.tanh(nb.add(nb.matmul(x, W1), b1)), W2);
      const ux = nb.grad(nb.sum(u), x, { createGraph: true }) as Tensor;
      const uxx = nb.grad(nb.sum(ux), x, { createGraph: true }) as Tensor;
      nb.mean(nb.pow(uxx, 2)).backward();
      return [W1, b1, W2].flatMap((p) => Array.from(p.grad!.toHost() as ArrayLike<number>));
    };
    const [g32, g64] = [grads('float32'), grads('float64')];
    const norm = Math.hypot(...g64);
    expect(Math.hypot(...g32.map((v, i) => v - g64[i])) / norm).toBeLessThan(1e-6);
    expect(norm).toBeGreaterThan(0);
  });

  it('falls back to the three ops where the two differ in shape or type', () => {
    const g = nb.tensor([[0.5], [2]], { dtype: 'float64' });
    const y = nb.tensor([0.1, -0.7, 0.2]);
    expect(bitsOf(tanhBackward(g, y), 'float64')).toEqual(bitsOf(threeOps(g, y), 'float64'));
  });
});

describe('mul_neg2, the last two products of its d/dy rule', () => {
  const twoOps = (a: Tensor, b: Tensor) => nb.mul(nb.mul(a, b), -2);
  eachCase('the bits of (a * b) * -2', (dtype, n) => {
    const a = values(n, 5);
    const b = values(n, 6);
    // products that round in the subnormal range, and one that overflows only when doubled
    a.splice(0, 4, 1.5 * 2 ** -75, 3 * 2 ** -76, 1e38, -1e-30);
    b.splice(0, 4, 2 ** -74, 2 ** -74, 2, 1e-20);
    expectBitsOf(mulNeg2, twoOps, nb.tensor(a, { dtype }), nb.tensor(b, { dtype }), dtype);
  });

  it("tanh's second and third derivatives: 4 and 7 kernel calls (5 and 9 with the d/dy products as three ops)", () => {
    const x = nb.param(nb.tensor(values(64, 1)));
    const d1 = nb.grad(nb.sum(nb.tanh(x)), x, { createGraph: true }) as Tensor;
    const before = nb.kernelStats.calls;
    const d2 = nb.grad(nb.sum(d1), x, { createGraph: true }) as Tensor;
    // the sum's gradient, then tanh_backward's rule: its d/dg (one tanh_grad) and d/dy (mul, mul_neg2)
    expect(nb.kernelStats.calls - before).toBe(4);
    // d/da of mul_neg2 is mul_neg2 again (the closed forms above check the values of every order)
    const at = nb.kernelStats.calls;
    nb.grad(nb.sum(d2), x);
    expect(nb.kernelStats.calls - at).toBe(7);
  });
});
