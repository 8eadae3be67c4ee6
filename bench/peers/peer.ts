import { readFileSync } from 'node:fs';
import { matmulA, matmulB, type BenchData } from '../data';
import { measure } from '../measure';

/**
 * What every JavaScript peer of `npm run bench` does the same way (bench/peers/tfjs.ts, jaxjs.ts): read the shared
 * data and the options, train each network 20 steps for the losses, time the workloads by bench/measure.ts's rule,
 * and print one JSON object for bench/run.ts. A peer supplies only how it builds each workload.
 */
export interface PeerWorkloads {
  /** One training step; returns the loss. A fresh network and optimizer per call of the builder. */
  mlpStep(): () => number;
  pinnStep(): () => number;
  /** One n × n product from the shared operands (matmulA, matmulB), computed before it returns. */
  matmul(n: number, a: Float32Array, b: Float32Array): () => void;
  /** The 1,000-op chain with backward; absent where the peer cannot run it (say why in `skipped`). */
  chain?(): () => void;
}

export const peerArgs = () => {
  const argv = process.argv.slice(2);
  const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
  return {
    data: JSON.parse(readFileSync(argv[0], 'utf8')) as BenchData,
    budgetMs: Number(opt('--budget', '1200')),
    only: opt('--only', ''),
  };
};

export function runPeer(w: PeerWorkloads, report: () => Record<string, unknown>): void {
  const { data, budgetMs, only } = peerArgs();
  const results: Record<string, { ms: number; samples: number }> = {};
  const losses: Record<string, number[]> = {};
  const run = (name: string, fn: () => unknown) => {
    if (only && !only.split(',').includes(name)) return;
    results[name] = measure(fn, { budgetMs });
  };
  for (const [name, make] of [
    ['mlp', () => w.mlpStep()],
    ['pinn', () => w.pinnStep()],
  ] as const) {
    const step = make();
    const ls = Array.from({ length: 20 }, () => step());
    losses[name] = [ls[0], ls[19]];
  }
  for (const n of data.matmul.sizes) {
    const a = Float32Array.from({ length: n * n }, (_, i) => matmulA(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => matmulB(i));
    run(`matmul_${n}`, w.matmul(n, a, b));
  }
  run('mlp_step', w.mlpStep());
  run('pinn_step', w.pinnStep());
  if (w.chain) run('chain_1000', w.chain());
  console.log(JSON.stringify({ ...report(), results, losses }));
}
