/**
 * Nabla's side of `npm run bench` (bench/run.ts starts it once per round and backend): reads the shared data
 * (bench/data.ts), times each workload, prints one JSON object. Run alone:
 * `npx tsx bench/nabla.ts DATA.json [--backend js|auto] [--budget ms]`.
 */
import { readFileSync } from 'node:fs';
import * as nb from '../runtime';
import type { Tensor } from '../runtime';
import { matmulA, matmulB, type BenchData } from './data';
import { measure } from './measure';
import { mlpStep as mlpStepOf, pinnStep as pinnStepOf } from './steps';

const argv = process.argv.slice(2);
const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const data = JSON.parse(readFileSync(argv[0], 'utf8')) as BenchData;
const backend = opt('--backend', 'auto');
const budgetMs = Number(opt('--budget', '1200'));
const only = opt('--only', '');
if (backend !== 'auto') nb.setBackend(backend);

const mlpStep = () => mlpStepOf(data);
const pinnStep = () => pinnStepOf(data);

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
console.log(
  JSON.stringify({
    system: 'nabla',
    backend: nb.backendReport().chosen,
    results,
    losses,
    kernels,
    fallbacks: nb.kernelStats.fallbacks,
  }),
);
