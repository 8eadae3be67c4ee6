/** What bench/gemm-browser.ts runs in Node and in Chromium alike: the same operands, the same training. */
import type * as Runtime from '../../runtime';
import type { Mat } from '../../runtime/backends/js/wasm/gemm';

/** An n × n product with the operands of `npm run bench` (bench/data.ts): a[i] = sin(0.001 i), b[i] = cos(0.002 i). */
export function gemmWorkload(n: number): { n: number; A: Mat; B: Mat; C: Float32Array } {
  const A = Float32Array.from({ length: n * n }, (_, i) => Math.sin(0.001 * i));
  const B = Float32Array.from({ length: n * n }, (_, i) => Math.cos(0.002 * i));
  return { n, A: { data: A, off: 0, si: n, sj: 1 }, B: { data: B, off: 0, si: n, sj: 1 }, C: new Float32Array(n * n) };
}

/** A 3-96-96-1 MLP trained with Adam on 256 points, compiled: its loss after each step. */
export function mlpLosses(nb: typeof Runtime, steps: number): number[] {
  const model = nb.mlp([3, 96, 96, 1], { seed: 5 });
  const X = nb.randn([256, 3], { seed: 6 });
  const Y = nb.sin(nb.sum(X, { axis: 1, keepdim: true }));
  const opt = nb.adam(model.params, { lr: 1e-2 });
  const step = nb.compile(() => {
    opt.zeroGrad();
    const L = nb.mean(nb.pow(nb.sub(model(X), Y), 2));
    L.backward();
    opt.step();
    return L;
  });
  return Array.from({ length: steps }, () => step().item() as number);
}
