import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';

/**
 * The benchmark's PINN step (bench/steps.ts) at test scale, from seeded weights: u'' = −f on [0, 1] with
 * u(0) = u(1) = 0, u_xx by differentiating twice with createGraph, a boundary term read by indexing, Adam.
 * Its activations (points × 32) are large enough that GPU backends keep device copies of them, which is what
 * the compiled-plan tests need to reach. Each call of the builder makes fresh parameters (pushed onto `params`)
 * and a fresh optimizer.
 */
export function pinnStep(points = 1024, hidden = 32, params: Tensor[] = []): () => Tensor {
  const sizes = [1, hidden, hidden, 1];
  let seed = 12345;
  // a small LCG in [-1, 1): the same host values whichever backend the step runs on
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 1073741824 - 1;
  const ps = sizes.slice(1).map((n, i) => ({
    W: nb.param(
      Array.from({ length: sizes[i] }, () => Array.from({ length: n }, () => next() * Math.sqrt(3 / sizes[i]))),
    ),
    b: nb.param(Array.from({ length: n }, () => 0.1 * next())),
  }));
  const xs = Array.from({ length: points }, (_, i) => [i / (points - 1)]);
  const x = nb.param(xs);
  const f = nb.tensor(xs.map(([t]) => [Math.PI * Math.PI * Math.sin(Math.PI * t)]));
  params.push(...ps.flatMap((p) => [p.W, p.b]));
  const opt = nb.adam(params, { lr: 1e-2 });
  const last = points - 1;
  return () => {
    opt.zeroGrad();
    let u: Tensor = x;
    ps.forEach((p, i) => {
      u = nb.add(nb.matmul(u, p.W), p.b);
      if (i < ps.length - 1) u = nb.tanh(u);
    });
    const ux = nb.grad(nb.sum(u), x, { createGraph: true }) as Tensor;
    const uxx = nb.grad(nb.sum(ux), x, { createGraph: true }) as Tensor;
    const bc = nb.add(nb.pow(nb.index(u, [0, 0]), 2), nb.pow(nb.index(u, [last, 0]), 2));
    const L = nb.add(nb.mean(nb.pow(nb.add(uxx, f), 2)), bc);
    L.backward();
    opt.step();
    return L;
  };
}
