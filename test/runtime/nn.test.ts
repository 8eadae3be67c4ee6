import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { Tensor } from '../../runtime';

/** Models: linear and mlp (Glorot-uniform init, x @ W + b layout), and loading PyTorch's weights. */
const host = (t: Tensor) => Array.from(t.toHost());
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/torch/${name}.json`, import.meta.url), 'utf8'));
const f64 = (o: { shape: number[]; data: number[] }) => Tensor.fromHost(Float64Array.from(o.data), o.shape, 'float64');

describe('mlp', () => {
  it('counts and prints its params', () => {
    const m = nb.mlp([1, 32, 32, 1], { seed: 0 });
    expect(m.params.reduce((n, p) => n + p.size, 0)).toBe(1153);
    expect(String(m)).toBe('mlp([1, 32, 32, 1], act=tanh): 1,153 params');
    expect(String(nb.mlp([2, 4], { act: nb.relu, seed: 0 }))).toBe('mlp([2, 4], act=relu): 12 params');
  });

  it('is a function with .params and .layers, weights [in, out] then biases, layer by layer', () => {
    const m = nb.mlp([3, 5, 2], { seed: 1 });
    expect(typeof m).toBe('function');
    expect(m.layers).toHaveLength(2);
    expect(m.params.map((p) => p.shape)).toEqual([[3, 5], [5], [5, 2], [2]]);
    expect(m.params).toEqual(m.layers.flatMap((l) => l.params));
    expect(m.params.every((p) => p.isLeaf && p.requiresGrad && p.dtype === 'float32')).toBe(true);
    expect(m(nb.ones([4, 3])).shape).toEqual([4, 2]);
  });

  it('draws Glorot-uniform weights within ±√(6/(in+out)) and zero biases', () => {
    const m = nb.mlp([64, 32, 1], { seed: 3 });
    for (const layer of m.layers) {
      const a = Math.sqrt(6 / (layer.nIn + layer.nOut));
      const w = host(layer.weight);
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(a);
      expect(host(layer.bias!).every((b) => b === 0)).toBe(true);
      if (w.length > 1000) {
        // a uniform on [-a, a]: reaches near both ends, mean ~0, variance a²/3
        expect(Math.max(...w)).toBeGreaterThan(0.99 * a);
        expect(Math.min(...w)).toBeLessThan(-0.99 * a);
        const mean = w.reduce((s, v) => s + v, 0) / w.length;
        const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
        expect(Math.abs(mean)).toBeLessThan(0.05 * a);
        expect(variance / ((a * a) / 3)).toBeGreaterThan(0.9);
        expect(variance / ((a * a) / 3)).toBeLessThan(1.1);
      }
    }
  });

  it('is deterministic for a seed; the global generator is used without one', () => {
    const same = (a: nb.MLP, b: nb.MLP) => a.params.every((p, i) => host(p).join() === host(b.params[i]).join());
    expect(same(nb.mlp([2, 8, 1], { seed: 7 }), nb.mlp([2, 8, 1], { seed: 7 }))).toBe(true);
    expect(same(nb.mlp([2, 8, 1], { seed: 7 }), nb.mlp([2, 8, 1], { seed: 8 }))).toBe(false);
    nb.seed(11);
    const a = nb.mlp([2, 8, 1]);
    nb.seed(11);
    expect(same(a, nb.mlp([2, 8, 1]))).toBe(true);
    // one stream for all layers: a one-layer mlp is linear() with the same seed
    expect(host(nb.mlp([4, 3], { seed: 5 }).layers[0].weight)).toEqual(host(nb.linear(4, 3, { seed: 5 }).weight));
  });

  it('computes the matmul chain x@W1+b1 → act → x@W2+b2 → act → x@W3+b3 (no act after the last layer)', () => {
    const m = nb.mlp([2, 6, 4, 3], { seed: 2, dtype: 'float64' });
    const x = nb.randn([5, 2], { seed: 9, dtype: 'float64' });
    const [l1, l2, l3] = m.layers;
    const lin = (h: Tensor, l: nb.Linear) => nb.add(nb.matmul(h, l.weight), l.bias!);
    const want = lin(nb.tanh(lin(nb.tanh(lin(x, l1)), l2)), l3);
    expect(host(m(x))).toEqual(host(want));
    const relu = nb.mlp([2, 6, 3], { seed: 2, act: nb.relu, dtype: 'float64' });
    expect(host(relu(x))).toEqual(host(lin(nb.relu(lin(x, relu.layers[0])), relu.layers[1])));
  });

  it('backpropagates into every param, and an optimizer can train it', () => {
    const m = nb.mlp([1, 16, 1], { seed: 0, dtype: 'float64' });
    const x = nb.reshape(nb.linspace(-1, 1, 32, { dtype: 'float64' }), [32, 1]);
    const y = nb.mul(x, x);
    const loss = () => nb.mean(nb.pow(nb.sub(m(x), y), 2));
    const opt = nb.adam(m.params, { lr: 0.02 });
    const first = loss().item() as number;
    for (let k = 0; k < 200; k++) {
      opt.zeroGrad();
      const l = loss();
      l.backward();
      if (k === 0) expect(m.params.every((p) => p.grad !== null && p.grad.shape.join() === p.shape.join())).toBe(true);
      opt.step();
    }
    expect(loss().item() as number).toBeLessThan(first / 10);
  });

  it('rejects bad sizes and mismatched layers with a sentence', () => {
    expect(() => nb.mlp([3])).toThrow(/at least two layer sizes/);
    expect(() => nb.mlp([3, 0, 1])).toThrow(/positive integers/);
    expect(() => nb.mlp([3, 2], { act: 'tanh' as never })).toThrow(/act must be a function/);
    expect(() => nb.mlp.fromTorch([[nb.zeros([4, 3])], [nb.zeros([1, 5])]])).toThrow(/layer 2 takes 5 inputs/);
  });
});

describe('linear', () => {
  it('computes x @ W + b with W [nIn, nOut]', () => {
    const l = nb.linear(3, 2, { seed: 4, dtype: 'float64' });
    expect([l.weight.shape, l.bias!.shape, l.nIn, l.nOut]).toEqual([[3, 2], [2], 3, 2]);
    const x = nb.randn([4, 3], { seed: 1, dtype: 'float64' });
    expect(host(l(x))).toEqual(host(nb.add(nb.matmul(x, l.weight), l.bias!)));
    expect(l(nb.ones([3], { dtype: 'float64' })).shape).toEqual([2]); // a single vector works too
    expect(String(l)).toBe('linear(3, 2): 8 params');
  });

  it('bias=false has only the weight', () => {
    const l = nb.linear(3, 2, { seed: 4, bias: false });
    expect(l.params).toEqual([l.weight]);
    expect(l.bias).toBeNull();
    expect(String(l)).toBe('linear(3, 2, bias=false): 6 params');
  });

  it('names the expected width when the input does not fit', () => {
    expect(() => nb.linear(3, 2, { seed: 0 })(nb.ones([4, 2]))).toThrow(/last dimension is 3, got shape \[4, 2\]/);
  });

  it("fromTorch transposes PyTorch's [out, in] weight", () => {
    const l = nb.linear.fromTorch(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [7, 8],
      { dtype: 'float64' },
    );
    expect(l.weight.shape).toEqual([3, 2]);
    expect(host(l.weight)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(host(l(nb.tensor([[1, 0, 0]], { dtype: 'float64' })))).toEqual([1 + 7, 4 + 8]);
    expect(() => nb.linear.fromTorch([[1, 2]], [1, 2])).toThrow(/the bias has 2 entries/);
  });
});

describe("tanh_net_derivs.json: an mlp with PyTorch's weights", () => {
  const fx = fixture('tanh_net_derivs');
  const P = fx.params;
  const net = () =>
    nb.mlp.fromTorch([
      [f64(P.W1), f64(P.b1)],
      [f64(P.W2), f64(P.b2)],
      [f64(P.W3), f64(P.b3)],
    ]);
  const close = (got: number[], want: number[], tol: number) =>
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));

  it('reproduces u (float64, to 1e-13)', () => {
    const m = net();
    expect(String(m)).toBe('mlp([1, 8, 8, 1], act=tanh): 97 params');
    expect(m.params.every((p) => p.dtype === 'float64')).toBe(true);
    close(host(m(f64(fx.x))), fx.u.data, 1e-13);
  });

  it('and du/dx, d2u/dx2 through the model (to 1e-12)', () => {
    const m = net();
    const x = f64(fx.x);
    x.requiresGrad = true;
    const u = m(x);
    const du = nb.grad(u, x, { gradOutputs: nb.onesLike(u), createGraph: true }) as Tensor;
    const d2u = nb.grad(du, x, { gradOutputs: nb.onesLike(du), createGraph: true }) as Tensor;
    close(host(du), fx.du_dx.data, 1e-12);
    close(host(d2u), fx.d2u_dx2.data, 1e-12);
  });
});
