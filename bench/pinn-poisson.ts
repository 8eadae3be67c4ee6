/**
 * The 1D Poisson PINN of notebooks/pde/poisson.nabla, timed in Nabla and in PyTorch in the same run:
 * u'' = -pi^2 sin(pi x) on [0, 1], u(0) = u(1) = 0, mlp [1, 32, 32, 1] tanh, 64 points, Adam lr 5e-3, then
 * L-BFGS. Nabla runs the script itself (through the language, as `nabla run` does); PyTorch runs
 * bench/pinn_poisson.py from the same initial weights (Nabla's seeded draw, handed over as JSON), one thread
 * by default since Nabla's runtime runs on one.
 *
 * Run: npx tsx bench/pinn-poisson.ts [--steps 2000] [--lbfgs 10] [--seed 0] [--threads 1] [--repeat 1]
 * With --repeat R the two run alternately R times and the fastest run of each is reported (the least
 * disturbed by other work on the machine); the errors are the same every time.
 * Needs /usr/bin/python3 with Debian's python3-torch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as nb from '../runtime';
import { createSession, type MimeBundle } from '../compiler';
import { torchEnv } from './torch-env';

const { values: opt } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    lbfgs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '1' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'notebooks', 'pde', 'poisson.nabla');
const steps = Number(opt.steps);

interface Result {
  adam_s: number;
  lbfgs_s: number;
  lbfgs_evals: number;
  error_after_adam: number;
  error: number;
}

/** Runs poisson.nabla; the ends of the two phases are the final updates of its "adam" and "lbfgs" progress bars. */
function runNabla(): Result {
  const session = createSession({
    scriptArgs: new Map([
      ['steps', opt.steps!],
      ['lbfgs', opt.lbfgs!],
      ['seed', opt.seed!],
    ]),
  });
  let text = '';
  const ends = new Map<string, number>();
  const display = (b: MimeBundle, o: { final?: boolean } = {}) => {
    const line = String(b['text/plain'] ?? '');
    if (o.final) ends.set(line.split(' ')[0], performance.now());
  };
  const t0 = performance.now();
  const r = session.run(
    readFileSync(script, 'utf8'),
    { stdout: (t) => void (text += t), stderr: (t) => void (text += t), display },
    { file: script },
  );
  if (!r.ok) throw new Error(`poisson.nabla failed:\n${r.traceback.join('\n')}`);
  const num = (re: RegExp) => {
    const m = text.match(re);
    if (!m) throw new Error(`poisson.nabla printed no ${re}:\n${text}`);
    return Number(m[1]);
  };
  const adamEnd = ends.get('adam') ?? NaN;
  return {
    adam_s: (adamEnd - t0) / 1000,
    lbfgs_s: ((ends.get('lbfgs') ?? NaN) - adamEnd) / 1000,
    lbfgs_evals: num(/L-BFGS steps \((\d+) evaluations\)/),
    error_after_adam: num(/Adam steps: relative L2 error (\S+)/),
    error: num(/^relative L2 error: (\S+)$/m),
  };
}

/** PyTorch from the same initial weights: the script's mlp(seed=) is nb.mlp with that seed. */
function runTorch(): Result & { torch: string; threads: number } {
  const net = nb.mlp([1, 32, 32, 1], { seed: Number(opt.seed) });
  const layers = net.layers.map((l) => {
    const [nIn, nOut] = l.weight.shape;
    const w = Array.from(l.weight.toHost() as Float32Array);
    const torchW = Array.from({ length: nOut }, (_, o) => Array.from({ length: nIn }, (_, i) => w[i * nOut + o]));
    return [torchW, Array.from(l.bias!.toHost() as Float32Array)];
  });
  const dir = mkdtempSync(join(tmpdir(), 'nabla-bench-'));
  try {
    const weights = join(dir, 'weights.json');
    writeFileSync(weights, JSON.stringify(layers));
    const p = spawnSync(
      '/usr/bin/python3',
      [
        join(root, 'bench', 'pinn_poisson.py'),
        '--weights',
        weights,
        '--steps',
        opt.steps!,
        '--lbfgs',
        opt.lbfgs!,
        '--threads',
        opt.threads!,
      ],
      { encoding: 'utf8', env: { ...process.env, ...torchEnv(opt.threads!) } },
    );
    if (p.status !== 0) throw new Error(`bench/pinn_poisson.py failed (is python3-torch installed?):\n${p.stderr}`);
    return JSON.parse(p.stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fastest = <T extends Result>(runs: T[]): T =>
  runs.reduce((a, b) => (b.adam_s + b.lbfgs_s < a.adam_s + a.lbfgs_s ? b : a));
const torchRuns: ReturnType<typeof runTorch>[] = [];
const nablaRuns: Result[] = [];
for (let i = 0; i < Math.max(1, Number(opt.repeat)); i++) {
  torchRuns.push(runTorch());
  nablaRuns.push(runNabla());
}
const torch = fastest(torchRuns);
const nabla = fastest(nablaRuns);
const s = (x: number) => x.toFixed(2);
const e = (x: number) => x.toExponential(2);
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
console.log(
  `1D Poisson PINN (notebooks/pde/poisson.nabla): mlp [1, 32, 32, 1] tanh, 64 points, Adam lr 5e-3 × ${steps}, then L-BFGS × ${opt.lbfgs}; seed ${opt.seed}, same initial weights; fastest of ${nablaRuns.length} run(s) each`,
);
console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores); node ${process.version}, Nabla backend ${nb.backendReport().chosen}; torch ${torch.torch}, ${torch.threads} thread(s)`,
);
console.log('| | Nabla | PyTorch | Nabla / PyTorch |');
console.log('|---|---|---|---|');
console.log(
  `| Adam, ${steps} steps (s) | ${s(nabla.adam_s)} | ${s(torch.adam_s)} | ${ratio(nabla.adam_s, torch.adam_s)} |`,
);
console.log(`| Adam, ms per step | ${s((1000 * nabla.adam_s) / steps)} | ${s((1000 * torch.adam_s) / steps)} | |`);
console.log(
  `| L-BFGS, ${opt.lbfgs} steps (s) | ${s(nabla.lbfgs_s)} (${nabla.lbfgs_evals} evaluations) | ${s(torch.lbfgs_s)} (${torch.lbfgs_evals} evaluations) | ${ratio(nabla.lbfgs_s / nabla.lbfgs_evals, torch.lbfgs_s / torch.lbfgs_evals)} per evaluation |`,
);
console.log(
  `| total (s) | ${s(nabla.adam_s + nabla.lbfgs_s)} | ${s(torch.adam_s + torch.lbfgs_s)} | ${ratio(nabla.adam_s + nabla.lbfgs_s, torch.adam_s + torch.lbfgs_s)} |`,
);
console.log(`| relative L2 error after Adam | ${e(nabla.error_after_adam)} | ${e(torch.error_after_adam)} | |`);
console.log(`| relative L2 error after L-BFGS | ${e(nabla.error)} | ${e(torch.error)} | |`);
