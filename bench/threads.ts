/**
 * The threaded matmul measured (issue 19 item 3): matmul 256/512/1024 in GFLOP/s and the MLP training step
 * (compiled), Nabla with one gemm thread (NABLA_GEMM_THREADS=1) and with two (the default), beside PyTorch
 * with 1 and 2 threads. Every system is its own process once per round, the order rotating between rounds
 * (the machine is shared: a burst of load spoils one process, not one column); the table is the median over
 * rounds with the spread. `npx tsx bench/threads.ts [--rounds 3] [--budget 1000] [--before DIR]`: --before
 * adds a column for another checkout of Nabla (e.g. `git archive` of the commit before a change, with a
 * node_modules link), run the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchData } from './data';
import { median } from './stats';

const argv = process.argv.slice(2);
const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const rounds = Number(opt('--rounds', '3'));
const budget = opt('--budget', '1000');
const python = process.env.PYTHON || '/usr/bin/python3';
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nabla-threads-'));
const dataFile = join(dir, 'data.json');
const data = benchData();
writeFileSync(dataFile, JSON.stringify(data));

const MATMULS = data.matmul.sizes.map((n) => `matmul_${n}`);
interface System {
  id: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  /** the name of its MLP step workload */
  mlp: string;
}
const before = opt('--before', '');
const nabla = (id: string, threads: string, dir = root): System => ({
  id,
  cmd: process.execPath,
  args: [
    '--import',
    'tsx',
    join(dir, 'bench/nabla.ts'),
    dataFile,
    '--budget',
    budget,
    '--only',
    [...MATMULS, 'mlp_step_compiled'].join(','),
  ],
  env: { NABLA_GEMM_THREADS: threads },
  mlp: 'mlp_step_compiled',
});
const torch = (id: string, threads: number): System => ({
  id,
  cmd: python,
  args: [
    'bench/peers/torch_bench.py',
    dataFile,
    '--threads',
    String(threads),
    '--budget',
    budget,
    '--only',
    [...MATMULS, 'mlp_step'].join(','),
  ],
  mlp: 'mlp_step',
});
const SYSTEMS = [
  ...(before ? [nabla('nabla-before', '1', before)] : []),
  nabla('nabla-1', '1'),
  nabla('nabla-2', '2'),
  torch('torch-1', 1),
  torch('torch-2', 2),
];

const gflops = (n: number, t: number) => (2 * n * n * n) / (t * 1e6);
const spread = (xs: number[], f: (x: number) => number) => {
  const v = xs.map(f).sort((a, b) => a - b);
  return `${f(median(xs)).toFixed(1)} (${v[0].toFixed(1)}–${v[v.length - 1].toFixed(1)})`;
};
function table(done: number): string {
  const lines = [
    `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0].toFixed(1)} at the end, ${done} of ${rounds} interleaved rounds, median (range)`,
    '',
    `| workload | ${SYSTEMS.map((s) => s.id).join(' | ')} |`,
    `|---|${SYSTEMS.map(() => '---:').join('|')}|`,
  ];
  for (const n of data.matmul.sizes)
    lines.push(
      `| matmul ${n}, GFLOP/s | ${SYSTEMS.map((s) => spread(ms[s.id][`matmul_${n}`], (t) => gflops(n, t))).join(' | ')} |`,
    );
  lines.push(`| MLP step, ms | ${SYSTEMS.map((s) => spread(ms[s.id].mlp, (t) => t)).join(' | ')} |`);
  const mlp = (id: string) => median(ms[id].mlp);
  lines.push(
    '',
    `MLP step (Nabla compiled), PyTorch time / Nabla time: 1 gemm thread ${(mlp('torch-1') / mlp('nabla-1')).toFixed(2)}× vs PyTorch 1 thread, ` +
      `${(mlp('torch-2') / mlp('nabla-1')).toFixed(2)}× vs 2; 2 gemm threads ${(mlp('torch-1') / mlp('nabla-2')).toFixed(2)}× vs PyTorch 1 thread, ` +
      `${(mlp('torch-2') / mlp('nabla-2')).toFixed(2)}× vs 2.`,
  );
  return lines.join('\n');
}

const ms: Record<string, Record<string, number[]>> = {};
for (let r = 0; r < rounds; r++) {
  const order = SYSTEMS.map((_, i) => SYSTEMS[(i + r) % SYSTEMS.length]);
  for (const s of order) {
    const p = spawnSync(s.cmd, s.args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...s.env } });
    if (p.status !== 0) throw new Error(`${s.id} failed: ${p.stderr}`);
    const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { results: Record<string, { ms: number }> };
    for (const [w, v] of Object.entries(out.results)) {
      const key = w === s.mlp ? 'mlp' : w;
      ((ms[s.id] ??= {})[key] ??= []).push(v.ms);
    }
    process.stderr.write(`round ${r + 1} ${s.id} done\n`);
  }
  // the table so far after each round (a long run on a loaded machine can be stopped with what it has)
  console.log(table(r + 1));
}
