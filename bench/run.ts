/**
 * `npm run bench`: Nabla beside PyTorch (Debian's python3-torch, CPU, 1 and 2 threads) and TensorFlow.js
 * (wasm backend) on the same workloads from the same data, written to bench/RESULTS.md.
 *
 * Each round starts every system once, as its own process (bench/nabla.ts with the js backend and with the
 * automatic choice, bench/peers/torch_bench.py, bench/peers/tfjs.ts), in an order that rotates between
 * rounds; each process reports a median per workload; the table shows the median over rounds. Other jobs
 * share this 2-core machine, so interleaving the systems is what makes their numbers comparable: a burst
 * of load hits one process of one round, not one system's whole column.
 *
 * Options: --rounds N (default 5), --budget ms per workload and process (default 1000), --quick (1 round,
 * 400 ms), --out FILE (default bench/RESULTS.md), --gpu (the GPU machine, bench/gpu/run.sh: Nabla on the
 * webgpu backend and on js beside PyTorch CUDA eager and PyTorch CPU; the table of every number, and the
 * GPU target), --whole-rounds N (rounds of bench/whole-process.ts, default 1), --no-whole (skip it). Both add
 * bench/webgpu-counters.ts's table (training steps on webgpu counted: dispatches, compilations, floats each way;
 * where no webgpu adapter answers it says so). --burgers-full trains the Burgers twin (bench/burgers.ts) to the
 * end, with each system's time to an error of 1e-3 (an hour or more). PYTHON names the interpreter that has torch (default
 * /usr/bin/python3, Debian's).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchData } from './data';
import { median } from './stats';
import { torchEnv } from './torch-env';
import { wholeProcess } from './whole-process';

const argv = process.argv.slice(2);
const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const quick = argv.includes('--quick');
const rounds = Number(opt('--rounds', quick ? '1' : '5'));
const budget = opt('--budget', quick ? '400' : '1000');
const outFile = opt('--out', new URL('./RESULTS.md', import.meta.url).pathname);
const root = new URL('..', import.meta.url).pathname;
const gpu = argv.includes('--gpu');
const python = process.env.PYTHON || '/usr/bin/python3';

const dir = mkdtempSync(join(tmpdir(), 'nabla-bench-'));
const dataFile = join(dir, 'data.json');
writeFileSync(dataFile, JSON.stringify(benchData()));

interface Report {
  system: string;
  backend?: string;
  threads?: number;
  version?: string;
  results: Record<string, { ms: number; samples: number }>;
  losses: Record<string, number[]>;
  /** workloads a peer could not run, with the reason (printed under their table) */
  skipped?: Record<string, string>;
}

interface System {
  id: string;
  label: string;
  cmd: string;
  args: string[];
  /** The process environment (a PyTorch peer's sizes its thread pool), or this process's. */
  env?: NodeJS.ProcessEnv;
}

// tsx through the node running this script (the GPU machine carries its own node, not on PATH as `node`)
const node = process.execPath;
const tsx = ['--import', 'tsx'];
const nabla = (id: string, label: string, backend: string): System => ({
  id,
  label,
  cmd: node,
  args: [...tsx, 'bench/nabla.ts', dataFile, '--backend', backend, '--budget', budget],
});
const torch = (id: string, label: string, extra: string[], threads = 1): System => ({
  id,
  label,
  cmd: python,
  args: ['bench/peers/torch_bench.py', dataFile, ...extra, '--budget', budget],
  env: { ...process.env, ...torchEnv(threads) },
});
const SYSTEMS: System[] = gpu
  ? [
      nabla('nabla-webgpu', 'Nabla (webgpu backend)', 'webgpu'),
      nabla('nabla-js', 'Nabla (js backend)', 'js'),
      torch('torch-cuda', 'PyTorch CUDA (eager)', ['--device', 'cuda']),
      torch('torch-1', 'PyTorch CPU, 1 thread', ['--threads', '1']),
    ]
  : [
      nabla('nabla-js', 'Nabla (js backend)', 'js'),
      nabla('nabla-auto', 'Nabla (automatic backend)', 'auto'),
      torch('torch-1', 'PyTorch, 1 thread', ['--threads', '1']),
      torch('torch-2', 'PyTorch, 2 threads', ['--threads', '2'], 2),
      {
        id: 'tfjs',
        label: 'TF.js (wasm)',
        cmd: node,
        args: [...tsx, 'bench/peers/tfjs.ts', dataFile, '--budget', budget],
      },
      {
        id: 'jaxjs',
        label: 'jax-js (wasm)',
        cmd: node,
        args: [...tsx, 'bench/peers/jaxjs.ts', dataFile, '--budget', budget],
      },
    ];

const reports = new Map<string, Report[]>();
const failures: string[] = [];
const load0 = loadavg();
const t0 = Date.now();
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < SYSTEMS.length; k++) {
    const s = SYSTEMS[(k + r) % SYSTEMS.length];
    const t = Date.now();
    const p = spawnSync(s.cmd, s.args, {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...(s.env ?? process.env), NABLA_BACKEND: '' },
    });
    const line = (p.stdout ?? '')
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    if (p.status !== 0 || !line) {
      failures.push(
        `${s.label}, round ${r + 1}: exit ${p.status}${p.error ? ` (${p.error.message})` : ''}: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`,
      );
      process.stderr.write(`  ${s.id}: FAILED\n`);
      continue;
    }
    const rep = JSON.parse(line) as Report;
    reports.set(s.id, [...(reports.get(s.id) ?? []), rep]);
    process.stderr.write(`round ${r + 1}/${rounds} ${s.id} ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
}
const wall = (Date.now() - t0) / 1000;
const load1 = loadavg();

// ---- the table ------------------------------------------------------------------------------------
const ms = (sys: string, work: string): number | null => {
  const xs = (reports.get(sys) ?? []).map((r) => r.results[work]?.ms).filter((x): x is number => typeof x === 'number');
  return xs.length ? median(xs) : null;
};
const spread = (sys: string, work: string): string => {
  const xs = (reports.get(sys) ?? []).map((r) => r.results[work]?.ms).filter((x): x is number => typeof x === 'number');
  return xs.length > 1 ? `${(((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100).toFixed(0)}%` : '–';
};
const fmt = (x: number | null, d = 1) => (x === null ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(d));
const gflops = (n: number, t: number | null) => (t === null ? null : (2 * n ** 3) / (t * 1e6));
const perSec = (t: number | null) => (t === null ? null : 1000 / t);
const ratio = (a: number | null, b: number | null) => (a === null || b === null ? '–' : `${(a / b).toFixed(2)}×`);

const version = (f: () => string) => {
  try {
    return f().trim();
  } catch {
    return 'unknown';
  }
};
const torchVersion =
  reports.get('torch-1')?.[0]?.version ??
  version(() => execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }));
const tfjsVersion = reports.get('tfjs')?.[0]?.version ?? 'unknown';
const jaxjsVersion = reports.get('jaxjs')?.[0]?.version ?? 'unknown';
const commit = version(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }));
const dirty = version(() =>
  execFileSync('git', ['status', '--porcelain', '--', 'runtime', 'bench'], { cwd: root, encoding: 'utf8' }),
)
  ? ' (with uncommitted changes)'
  : '';
const autoBackend = reports.get(gpu ? 'nabla-webgpu' : 'nabla-auto')?.[0]?.backend ?? 'unknown';
const data = benchData();

const L: string[] = [];
L.push(
  gpu
    ? '# Benchmarks on the GPU machine: Nabla (webgpu, js) beside PyTorch CUDA'
    : '# Benchmarks: Nabla beside PyTorch and TensorFlow.js',
  '',
);
L.push(
  `Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. ${rounds} round(s); in each, every system ran once as its own process, in an order rotating between rounds; each cell is the median over rounds of each process's median (spread: (max − min) / median over rounds). Whole run: ${wall.toFixed(0)} s.`,
  '',
);
L.push('## Machine', '');
L.push(
  `- CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory (${(freemem() / 2 ** 30).toFixed(0)} free at the end); ${platform()} ${release()}`,
);
L.push(
  `- Load average (1, 5, 15 min) at the start: ${load0.map((x) => x.toFixed(2)).join(', ')}; at the end: ${load1.map((x) => x.toFixed(2)).join(', ')} (other jobs share this machine)`,
);
L.push(`- Node ${process.version}; Nabla at ${commit}${dirty}; automatic backend choice here: \`${autoBackend}\``);
if (gpu)
  L.push(
    `- PyTorch ${torchVersion} (\`${python}\`), CUDA eager and CPU with \`torch.set_num_threads(1)\`; GPU and driver: gpu-info.txt beside this file`,
    '',
  );
else {
  L.push(`- PyTorch ${torchVersion} (Debian's python3-torch, CPU), \`torch.set_num_threads(1)\` and \`(2)\``);
  L.push(`- TensorFlow.js ${tfjsVersion} with @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD, one thread)`);
  L.push(
    `- jax-js ${jaxjsVersion} on its wasm device (generated WebAssembly kernels; its webgpu device needs a browser), each training step one \`jit\` of valueAndGrad + Adam`,
    '',
  );
}

if (gpu) gpuReport();
else {
  L.push('## Matrix multiply (float32, n × n @ n × n)', '');
  L.push(
    '| n | Nabla js GFLOP/s | Nabla automatic | PyTorch 1 thread | PyTorch 2 threads | TF.js wasm | jax-js wasm | Nabla js / PyTorch 1t | spread (Nabla js, PyTorch 1t) |',
  );
  L.push('|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const n of data.matmul.sizes) {
    const w = `matmul_${n}`;
    const g = (s: string) => gflops(n, ms(s, w));
    L.push(
      `| ${n} | ${fmt(g('nabla-js'))} | ${fmt(g('nabla-auto'))} | ${fmt(g('torch-1'))} | ${fmt(g('torch-2'))} | ${fmt(g('tfjs'))} | ${fmt(g('jaxjs'))} | ${ratio(g('nabla-js'), g('torch-1'))} | ${spread('nabla-js', w)}, ${spread('torch-1', w)} |`,
    );
  }
  L.push('');

  L.push('## Training steps (steps per second; higher is better)', '');
  L.push(`- MLP: ${data.mlp.sizes.join(' → ')}, tanh, batch ${data.mlp.X.length}, MSE, Adam (lr ${data.mlp.lr}).`);
  L.push(
    `- PINN: ${data.pinn.sizes.join(' → ')}, tanh, ${data.pinn.x.length} points; u_xx by differentiating twice with create_graph; loss mean((u_xx + f)²) + u(0)² + u(1)²; Adam (lr ${data.pinn.lr}). TF.js computes tanh as sinh/cosh here (it cannot differentiate its own tanh twice, tfjs#3252); jax-js sums u² against a mask of the two ends for the boundary term.`,
    '',
  );
  L.push(
    '| step | Nabla eager (js) | Nabla compiled (js) | Nabla eager (automatic) | Nabla compiled (automatic) | PyTorch 1 thread | PyTorch 2 threads | TF.js wasm | jax-js wasm (jit) | best Nabla / PyTorch 1t |',
  );
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [label, w] of [
    ['MLP', 'mlp_step'],
    ['PINN', 'pinn_step'],
  ] as const) {
    const cells = [
      perSec(ms('nabla-js', w)),
      perSec(ms('nabla-js', `${w}_compiled`)),
      perSec(ms('nabla-auto', w)),
      perSec(ms('nabla-auto', `${w}_compiled`)),
    ];
    const best = Math.max(...cells.map((c) => c ?? 0)) || null;
    L.push(
      `| ${label} | ${cells.map((c) => fmt(c)).join(' | ')} | ${fmt(perSec(ms('torch-1', w)))} | ${fmt(perSec(ms('torch-2', w)))} | ${fmt(perSec(ms('tfjs', w)))} | ${fmt(perSec(ms('jaxjs', w)))} | ${ratio(best, perSec(ms('torch-1', w)))} |`,
    );
  }
  L.push('');

  L.push('## Eager overhead: a chain of 1,000 small elementwise ops with backward', '');
  L.push(
    `x has ${data.chain.n} elements; ${data.chain.length / 4} rounds of y = tanh(y * 0.9 + 0.1) * 1.01 (4 ops each), then sum(y).backward(). Time per op, forward and backward included (µs; lower is better).`,
    '',
  );
  L.push(
    '| Nabla (js) | Nabla (automatic) | PyTorch 1 thread | PyTorch 2 threads | TF.js wasm | Nabla js / PyTorch 1t |',
  );
  L.push('|---:|---:|---:|---:|---:|---:|');
  const us = (s: string) => {
    const t = ms(s, 'chain_1000');
    return t === null ? null : (t * 1000) / data.chain.length;
  };
  L.push(
    `| ${fmt(us('nabla-js'), 2)} | ${fmt(us('nabla-auto'), 2)} | ${fmt(us('torch-1'), 2)} | ${fmt(us('torch-2'), 2)} | ${fmt(us('tfjs'), 2)} | ${ratio(us('nabla-js'), us('torch-1'))} |`,
    '',
  );
  const chainSkipped = reports.get('jaxjs')?.[0]?.skipped?.chain_1000;
  if (chainSkipped) L.push(`jax-js is not in this table: ${chainSkipped}.`, '');

  L.push('## Same numbers: losses after 1 and 20 steps from the shared initial weights', '');
  L.push('| system | MLP step 1 | MLP step 20 | PINN step 1 | PINN step 20 |');
  L.push('|---|---:|---:|---:|---:|');
  const lossRow = (label: string, rep: Report | undefined, suffix = '') => {
    if (!rep) return;
    const l = (k: string, i: number) => (rep.losses[k + suffix]?.[i] ?? NaN).toPrecision(8);
    L.push(`| ${label} | ${l('mlp', 0)} | ${l('mlp', 1)} | ${l('pinn', 0)} | ${l('pinn', 1)} |`);
  };
  lossRow('Nabla eager (js)', reports.get('nabla-js')?.[0]);
  lossRow('Nabla compiled (js)', reports.get('nabla-js')?.[0], '_compiled');
  lossRow('Nabla eager (automatic)', reports.get('nabla-auto')?.[0]);
  lossRow('Nabla compiled (automatic)', reports.get('nabla-auto')?.[0], '_compiled');
  lossRow('PyTorch', reports.get('torch-1')?.[0]);
  lossRow('TF.js', reports.get('tfjs')?.[0]);
  lossRow('jax-js', reports.get('jaxjs')?.[0]);
  L.push('');
  {
    // a peer whose numbers differ is reported, not hidden (issue 19)
    const torchPinn = reports.get('torch-1')?.[0]?.losses.pinn?.[1];
    for (const [id, label] of [
      ['tfjs', 'TF.js'],
      ['jaxjs', 'jax-js'],
    ] as const) {
      const l = reports.get(id)?.[0]?.losses.pinn?.[1];
      if (l === undefined || torchPinn === undefined) continue;
      const rel = Math.abs(l - torchPinn) / Math.abs(torchPinn);
      L.push(
        `- ${label}'s PINN loss after 20 steps differs from PyTorch's by ${(rel * 100).toPrecision(2)}%${rel > 1e-4 ? ' (more than float32 rounding over 20 steps: its second derivative or its optimizer computes something else)' : ' (float32 rounding)'}.`,
      );
    }
    L.push('');
  }

  // ---- targets --------------------------------------------------------------------------------------
  const targets: [string, boolean | null, string][] = [];
  {
    const c = perSec(ms('nabla-js', 'pinn_step_compiled'));
    const t = perSec(ms('torch-1', 'pinn_step'));
    targets.push([
      'compiled PINN step ≥ PyTorch 1 thread',
      c !== null && t !== null ? c >= t : null,
      `${fmt(c)} vs ${fmt(t)} steps/s (${ratio(c, t)})`,
    ]);
    const m = Math.min(...['mlp_step', 'mlp_step_compiled'].map((w) => ms('nabla-js', w) ?? Infinity));
    const tm = ms('torch-1', 'mlp_step');
    targets.push([
      'MLP step within 1.5× of PyTorch 1 thread',
      tm !== null && Number.isFinite(m) ? m <= 1.5 * tm : null,
      `${fmt(m, 2)} vs ${fmt(tm, 2)} ms a step (${ratio(m, tm)} the time)`,
    ]);
    const u = us('nabla-js');
    const tu = us('torch-1');
    targets.push([
      'eager per-op overhead within 2× of PyTorch',
      u !== null && tu !== null ? u <= 2 * tu : null,
      `${fmt(u, 2)} vs ${fmt(tu, 2)} µs an op (${ratio(u, tu)})`,
    ]);
    const g = gflops(512, ms('nabla-js', 'matmul_512'));
    targets.push(['matmul 512 ≥ 30 GFLOP/s', g !== null ? g >= 30 : null, `${fmt(g)} GFLOP/s`]);
  }
  L.push('## Targets (issue 7)', '');
  L.push('| target | met | measured |');
  L.push('|---|---|---|');
  for (const [t, ok, m] of targets) L.push(`| ${t} | ${ok === null ? 'not measured' : ok ? 'yes' : 'no'} | ${m} |`);
  L.push('');
  if (!argv.includes('--no-whole')) {
    // issue 19: the scripts users write, whole process, auto-compile on and off, beside PyTorch
    const whole = wholeProcess({ rounds: Number(opt('--whole-rounds', '1')), steps: quick ? 200 : 2000, quick });
    L.push(
      '## Whole process: the natural PINN script and a PDE script as users write them (issue 19)',
      '',
      ...whole.lines,
    );
    failures.push(...whole.failures);
  }
}
if (!gpu) burgersReport();
countersSection();
allNumbers();
if (failures.length) L.push('## Failures', '', ...failures.map((f) => `- ${f}`), '');

// notes kept by hand below this marker survive a rerun
const MARK = '<!-- notes: kept across runs -->';
let notes = '';
try {
  const old = readFileSync(outFile, 'utf8');
  if (old.includes(MARK)) notes = old.slice(old.indexOf(MARK));
} catch {
  /* first run */
}
writeFileSync(outFile, L.join('\n') + '\n' + (notes || `${MARK}\n`));
process.stderr.write(`wrote ${outFile} (${wall.toFixed(0)} s)\n`);

/** Training steps on webgpu counted (dispatches, compilations, floats each way): bench/webgpu-counters.ts's table. */
function countersSection(): void {
  // six rows of 100 lavapipe steps: 23 min at load 20 on the 2-core machine (bench/RESULTS.md), so 40 min allowed
  const p = spawnSync(node, [...tsx, 'bench/webgpu-counters.ts', '--markdown', '--steps', quick ? '20' : '100'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 2_400_000,
    env: { ...process.env, NABLA_BACKEND: '' },
  });
  const out = (p.stdout ?? '').trim();
  if (p.status === 0 && out.startsWith('## ')) L.push(out, '');
  else if (p.status === 0) L.push('## Training steps on webgpu, counted (issue 16)', '', out, '');
  else
    failures.push(
      `bench/webgpu-counters.ts: exit ${p.status}${p.error ? ` (${p.error.message})` : ''}: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`,
    );
}

/** Every measured number, ms per iteration (median over rounds), one column per system. */
function allNumbers(): void {
  const works = [...new Set([...reports.values()].flatMap((rs) => rs.flatMap((r) => Object.keys(r.results))))];
  const ids = SYSTEMS.map((s) => s.id).filter((id) => reports.has(id));
  L.push('## Every number (ms per iteration, median over rounds)', '');
  L.push(`| workload | ${ids.map((id) => SYSTEMS.find((s) => s.id === id)!.label).join(' | ')} |`);
  L.push(`|---|${ids.map(() => '---:').join('|')}|`);
  for (const w of works) L.push(`| ${w} | ${ids.map((id) => fmt(ms(id, w), 3)).join(' | ')} |`);
  L.push('');
}

/** The GPU machine's report: its target (compiled PINN step on webgpu ≥ 2× PyTorch CUDA eager). */
function gpuReport(): void {
  L.push('## GPU target (issue 7)', '');
  const c = perSec(ms('nabla-webgpu', 'pinn_step_compiled'));
  const t = perSec(ms('torch-cuda', 'pinn_step'));
  const ok = c !== null && t !== null ? c >= 2 * t : null;
  L.push('| target | met | measured |', '|---|---|---|');
  L.push(
    `| compiled PINN step on webgpu ≥ 2× PyTorch CUDA eager | ${ok === null ? 'not measured' : ok ? 'yes' : 'no'} | ${fmt(c)} vs ${fmt(t)} steps/s (${ratio(c, t)}) |`,
    '',
  );
}

/** The Burgers PINN of issue 14 (bench/burgers.ts): Nabla and PyTorch from the same exported weights and points. */
function burgersReport(): void {
  L.push('## Burgers PINN (issue 14; bench/burgers.ts)', '');
  // --burgers-full trains as the script does by default (float64), so both report their time to an error of 1e-3
  const full = argv.includes('--burgers-full');
  for (const dtype of full ? ['float64'] : ['float32', 'float64']) burgersRow(full, dtype);
}

function burgersRow(full: boolean, dtype: string): void {
  const [steps, lbfgs] = full ? ['2000', '10000'] : ['20', '20'];
  const args = ['bench/burgers.ts', '--json', '--steps', steps, '--lbfgs', lbfgs, '--dtype', dtype];
  const p = spawnSync(node, [...tsx, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: full ? 7_200_000 : 1_800_000,
  });
  if (p.status !== 0) {
    failures.push(`bench/burgers.ts (${dtype}): ${(p.stderr || p.stdout).trim().split('\n').slice(-3).join(' ')}`);
    L.push(`${dtype}: not measured (see Failures).`, '');
    return;
  }
  const r = JSON.parse(p.stdout.trim().split('\n').pop()!);
  L.push(
    `- **${dtype}**: 9 layers × 20 tanh, N_u 100, N_f ${r.points}; ${r.steps} Adam steps then up to ${r.lbfgs} L-BFGS iterations from the same exported initial weights and points; Nabla's Adam step and L-BFGS closure compiled; PyTorch 1 thread. ${full ? '' : 'The time to a relative L2 error of 1e-3 needs the full training: `npm run bench -- --burgers-full`.'}`,
    '',
  );
  const reach = (x: number | null) => (x === null ? 'not reached' : `${x.toFixed(0)} s`);
  L.push(
    '| | ms per Adam step | ms per L-BFGS evaluation | relative L2 error | time to 1e-3 | Nabla / PyTorch (Adam, L-BFGS) |',
    '|---|---:|---:|---:|---:|---|',
  );
  L.push(
    `| Nabla | ${fmt(r.nabla.adamMsPerStep)} | ${fmt(r.nabla.lbfgsMsPerEval)} | ${r.nabla.error.toExponential(2)} | ${reach(r.nabla.secondsToTarget)} | ${ratio(r.nabla.adamMsPerStep, r.torch.adamMsPerStep)}, ${ratio(r.nabla.lbfgsMsPerEval, r.torch.lbfgsMsPerEval)} |`,
  );
  L.push(
    `| PyTorch | ${fmt(r.torch.adamMsPerStep)} | ${fmt(r.torch.lbfgsMsPerEval)} | ${r.torch.error.toExponential(2)} | ${reach(r.torch.secondsToTarget)} | |`,
    '',
  );
}
