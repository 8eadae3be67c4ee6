/**
 * The benchmark's two training steps, built from the shared data (bench/data.ts): the MLP step and the PINN
 * step that bench/nabla.ts times and bench/webgpu-counters.ts counts. Each builder returns one step; calling
 * it runs one Adam step and returns the loss tensor (not read).
 */
import * as nb from '../runtime';
import type { Tensor } from '../runtime';
import type { BenchData, Layer } from './data';

type Params = { W: Tensor; b: Tensor }[];
const paramsOf = (layers: Layer[]): Params => layers.map((l) => ({ W: nb.param(l.W), b: nb.param(l.b) }));
const flat = (ps: Params) => ps.flatMap((p) => [p.W, p.b]);

function forward(ps: Params, x: Tensor): Tensor {
  let h = x;
  ps.forEach((p, i) => {
    h = nb.add(nb.matmul(h, p.W), p.b);
    if (i < ps.length - 1) h = nb.tanh(h);
  });
  return h;
}

/** MLP, MSE loss, Adam. */
export function mlpStep(data: BenchData): () => Tensor {
  const ps = paramsOf(data.mlp.layers);
  const X = nb.tensor(data.mlp.X);
  const Y = nb.tensor(data.mlp.Y);
  const opt = nb.adam(flat(ps), { lr: data.mlp.lr });
  return () => {
    opt.zeroGrad();
    const L = nb.mean(nb.pow(nb.sub(forward(ps, X), Y), 2));
    L.backward();
    opt.step();
    return L;
  };
}

/** PINN for u'' = −f on [0, 1] with u(0) = u(1) = 0: u_xx by differentiating twice with createGraph, Adam. */
export function pinnStep(data: BenchData): () => Tensor {
  const ps = paramsOf(data.pinn.layers);
  const x = nb.param(data.pinn.x);
  const f = nb.tensor(data.pinn.f);
  const opt = nb.adam(flat(ps), { lr: data.pinn.lr });
  const last = data.pinn.x.length - 1;
  return () => {
    opt.zeroGrad();
    const u = forward(ps, x);
    const ux = nb.grad(nb.sum(u), x, { createGraph: true }) as Tensor;
    const uxx = nb.grad(nb.sum(ux), x, { createGraph: true }) as Tensor;
    const bc = nb.add(nb.pow(nb.index(u, [0, 0]), 2), nb.pow(nb.index(u, [last, 0]), 2));
    const L = nb.add(nb.mean(nb.pow(nb.add(uxx, f), 2)), bc);
    L.backward();
    opt.step();
    return L;
  };
}
