/**
 * The Burgers PINN (notebooks/pde/burgers.nabla, issue 14) timed in Nabla and in PyTorch in the same run, from
 * the same initial weights and points: the script exports them (`--export`, an .npz) and
 * bench/burgers_torch.py loads them with numpy.load + torch.from_numpy. Reports ms per Adam step (both after the
 * first five steps: Nabla's compiled step traces at the first two, first replays at the third and still warms up
 * at the fourth and fifth), ms per L-BFGS closure evaluation (wall time of the L-BFGS phase / evaluations, so both
 * include the optimizer's own work) and the relative L2 error against the Cole–Hopf reference. PyTorch runs on one
 * thread.
 *
 * With enough iterations (the script's defaults: --steps 2000 --lbfgs 10000) both also report the wall time at
 * which the error first reached --target (1e-3), checked at the same points (every --every L-BFGS iterations; both
 * restart L-BFGS after a step that stops early, and refine from the same candidates, as the script does).
 *
 * Run: npx tsx bench/burgers.ts [--steps 20] [--lbfgs 20] [--points 10000] [--seed 0] [--dtype float64] [--target 1e-3]
 *                                [--min-curvature 0] [--every 500] [--rar 100] [--repeat 1] [--log PREFIX] [--json]
 * --every N, --rar K: the script's (checks every N iterations; with K > 0, residual-based refinement, which the
 * twin does from the same candidate points, carried in the export). --log PREFIX writes each run's whole output to
 * PREFIX.nabla.txt and PREFIX.torch.txt.
 * --min-curvature C: both L-BFGS keep a curvature pair only when y·s > C (0, the script's default; PyTorch fixes
 * it at 1e-10, so the twin runs torch.optim.LBFGS with that one constant changed unless C is 1e-10).
 * --dtype: both train in that type, the script's default float64 unless told (the export is in it too: the same
 * weights and points to the last bit).
 * With --repeat R the two alternate R times and the fastest of each is kept (the least disturbed by other
 * work on the machine). Needs /usr/bin/python3 with Debian's python3-torch and python3-numpy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { torchEnv } from './torch-env';

const { values: opt } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    lbfgs: { type: 'string', default: '20' },
    points: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '0' },
    dtype: { type: 'string', default: 'float64' },
    repeat: { type: 'string', default: '1' },
    target: { type: 'string', default: '1e-3' },
    'min-curvature': { type: 'string', default: '0' },
    rar: { type: 'string', default: '100' },
    every: { type: 'string', default: '500' },
    log: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
/** What NABLA_GEMM_THREADS says for the Nabla runs (both cores where a product pays, unless it is 1). */
const gemmThreads = process.env.NABLA_GEMM_THREADS === '1' ? '1 (NABLA_GEMM_THREADS=1)' : 'up to 2';
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nabla-burgers-bench-'));
const data = join(dir, 'init.npz');

export interface BurgersResult {
  adamMsPerStep: number;
  lbfgsMsPerEval: number;
  lbfgsEvals: number;
  error: number;
  /** Seconds from the start of training until a check first saw the error at or below --target (null: never). */
  secondsToTarget: number | null;
}

function runNabla(): BurgersResult {
  const args = [
    join(root, 'bin', 'nabla.mjs'),
    'run',
    join(root, 'notebooks', 'pde', 'burgers.nabla'),
    '--steps',
    opt.steps!,
    '--lbfgs',
    opt.lbfgs!,
    '--points',
    opt.points!,
    '--seed',
    opt.seed!,
    '--dtype',
    opt.dtype!,
    '--min-curvature',
    opt['min-curvature']!,
    '--rar',
    opt.rar!,
    '--every',
    opt.every!,
    '--export',
    data,
  ];
  const p = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 4 * 3_600_000 });
  if (opt.log) writeFileSync(`${opt.log}.nabla.txt`, p.stdout + p.stderr);
  if (p.status !== 0) throw new Error(`burgers.nabla failed:\n${p.stderr}\n${p.stdout}`);
  const num = (re: RegExp) => {
    const m = p.stdout.match(re);
    if (!m) throw new Error(`burgers.nabla printed no ${re}:\n${p.stdout}`);
    return Number(m[1]);
  };
  const adamSeconds = Number(opt.steps) > 1 ? num(/^Adam: \d+ steps in (\S+) s/m) : 0;
  const hit = [
    ...p.stdout.matchAll(/^lbfgs \d+ iterations, \d+ evaluations: relative L2 error (\S+)\s+(\S+) s$/gm),
  ].find((m) => Number(m[1]) <= Number(opt.target));
  return {
    secondsToTarget: hit ? adamSeconds + Number(hit[2]) : null,
    adamMsPerStep: Number(opt.steps) > 1 ? num(/\( (\S+) ms\/step after the first/) : NaN,
    lbfgsMsPerEval: num(/\( (\S+) ms\/evaluation\)/),
    lbfgsEvals: num(/L-BFGS: \d+ iterations, (\d+) evaluations/),
    error: num(/^relative L2 error: (\S+)$/m),
  };
}

function runTorch(): BurgersResult & { version: string } {
  const p = spawnSync(
    '/usr/bin/python3',
    [
      join(root, 'bench', 'burgers_torch.py'),
      '--data',
      data,
      '--steps',
      opt.steps!,
      '--lbfgs',
      opt.lbfgs!,
      '--threads',
      '1',
      '--dtype',
      opt.dtype!,
      '--target',
      opt.target!,
      '--min-curvature',
      opt['min-curvature']!,
      '--rar',
      opt.rar!,
      '--every',
      opt.every!,
    ],
    { cwd: root, encoding: 'utf8', timeout: 4 * 3_600_000, env: { ...process.env, ...torchEnv(1) } },
  );
  if (opt.log) writeFileSync(`${opt.log}.torch.txt`, p.stderr + p.stdout);
  if (p.status !== 0) throw new Error(`burgers_torch.py failed:\n${p.stderr}`);
  const r = JSON.parse(p.stdout.trim().split('\n').pop()!);
  return {
    adamMsPerStep: r.adam_ms_per_step,
    lbfgsMsPerEval: r.lbfgs_wall_ms_per_eval,
    lbfgsEvals: r.lbfgs_evals,
    error: r.error,
    secondsToTarget: r.seconds_to_target,
    version: r.torch,
  };
}

const best = <T extends BurgersResult>(rs: T[]): T => ({
  ...rs[0],
  adamMsPerStep: Math.min(...rs.map((r) => r.adamMsPerStep)),
  lbfgsMsPerEval: Math.min(...rs.map((r) => r.lbfgsMsPerEval)),
});
try {
  const nabla: BurgersResult[] = [];
  const torch: (BurgersResult & { version: string })[] = [];
  for (let i = 0; i < Number(opt.repeat); i++) {
    nabla.push(runNabla()); // writes the export the PyTorch run starts from
    torch.push(runTorch());
  }
  const n = best(nabla);
  const t = best(torch);
  if (opt.json)
    console.log(
      JSON.stringify({
        nabla: n,
        torch: t,
        steps: Number(opt.steps),
        lbfgs: Number(opt.lbfgs),
        points: Number(opt.points),
        dtype: opt.dtype,
        rar: Number(opt.rar),
        every: Number(opt.every),
        gemmThreads,
      }),
    );
  else {
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
    console.log(
      `Burgers PINN, 9 layers x 20 tanh, N_u 100, N_f ${opt.points}, ${opt.dtype}; ${opt.steps} Adam steps then up to ${opt.lbfgs} L-BFGS iterations${Number(opt.rar) > 0 ? `, refining ${opt.rar} points every ${opt.every}` : ''}; Nabla's matmul threads: ${gemmThreads}; fastest of ${opt.repeat}`,
    );
    const s = (x: number | null) => (x === null ? 'not reached' : x.toFixed(1));
    console.log(
      `| | ms per Adam step | ms per L-BFGS evaluation | evaluations | relative L2 error | s to error ≤ ${opt.target} |`,
    );
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(
      `| Nabla (compiled steps and closure) | ${f(n.adamMsPerStep)} | ${f(n.lbfgsMsPerEval)} | ${n.lbfgsEvals} | ${n.error.toExponential(3)} | ${s(n.secondsToTarget)} |`,
    );
    console.log(
      `| PyTorch ${t.version}, 1 thread | ${f(t.adamMsPerStep)} | ${f(t.lbfgsMsPerEval)} | ${t.lbfgsEvals} | ${t.error.toExponential(3)} | ${s(t.secondsToTarget)} |`,
    );
    console.log(
      `| Nabla / PyTorch | ${(n.adamMsPerStep / t.adamMsPerStep).toFixed(2)}× | ${(n.lbfgsMsPerEval / t.lbfgsMsPerEval).toFixed(2)}× | | |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
