/**
 * Nabla's side of `npm run bench` (bench/run.ts starts it once per round and backend): reads the shared data
 * (bench/data.ts), times each workload, prints one JSON object. Run alone:
 * `npx tsx bench/nabla.ts DATA.json [--backend js|auto] [--budget ms]`.
 */
import { readFileSync } from 'node:fs';
import * as nb from '../runtime';
import type { Tensor } from '../runtime';
import { matmulA, matmulB, type BenchData, type Layer } from './data';
import { measure } from './measure';

const argv = process.argv.slice(2);
const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const data = JSON.parse(readFileSync(argv[0], 'utf8')) as BenchData;
const backend = opt('--backend', 'auto');
const budgetMs = Number(opt('--budget', '1200'));
const only = opt('--only', '');
if (backend !== 'auto') nb.setBackend(backend);

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

function mlpStep() {
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

function pinnStep() {
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

function chain() {
  const x = nb.param(nb.linspace(0, 1, data.chain.n).tolist() as number[]);
  return () => {
    let y: Tensor = x;
    // 4 ops a round, 1,000 in all, then one backward through them
    for (let i = 0; i < data.chain.length / 4; i++) y = nb.mul(nb.tanh(nb.add(nb.mul(y, 0.9), 0.1)), 1.01);
    nb.sum(y).backward();
    x.grad = null;
  };
}

const results: Record<string, { ms: number; samples: number }> = {};
const losses: Record<string, number[]> = {};
const run = (name: string, fn: () => unknown) => {
  if (only && !only.split(',').includes(name)) return;
  results[name] = measure(fn, { budgetMs });
};

/** Losses after 1 and 20 steps from the shared initial weights: the systems must agree on these. */
function check(name: string, make: () => () => Tensor) {
  const step = make();
  const ls: number[] = [];
  for (let i = 0; i < 20; i++) ls.push(step().item() as number);
  losses[name] = [ls[0], ls[19]];
}
check('mlp', mlpStep);
check('pinn', pinnStep);
check('mlp_compiled', () => nb.compile(mlpStep()) as () => Tensor);
check('pinn_compiled', () => nb.compile(pinnStep()) as () => Tensor);

for (const n of data.matmul.sizes) {
  const a = nb.reshape(nb.tensor(Array.from({ length: n * n }, (_, i) => matmulA(i))), [n, n]);
  const b = nb.reshape(nb.tensor(Array.from({ length: n * n }, (_, i) => matmulB(i))), [n, n]);
  run(`matmul_${n}`, () => nb.matmul(a, b));
}
run('mlp_step', mlpStep());
run('mlp_step_compiled', nb.compile(mlpStep()));
run('pinn_step', pinnStep());
run('pinn_step_compiled', nb.compile(pinnStep()));
run('chain_1000', chain());

const kernels = Object.fromEntries(nb.kernelStats.byBackend);
console.log(JSON.stringify({ system: 'nabla', backend: nb.backendReport().chosen, results, losses, kernels, fallbacks: nb.kernelStats.fallbacks }));
