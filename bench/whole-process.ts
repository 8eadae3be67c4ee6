/**
 * Whole processes, as users run them (issue 19): the natural PINN script (bench/scripts/pinn-natural.nabla: a
 * plain for loop with zero_grad, grad twice with create_graph, backward, opt.step, loss.item() every step)
 * and notebooks/pde/poisson.nabla, each with loops compiling themselves (the default) and with
 * NABLA_AUTO_COMPILE=0, beside the same script in PyTorch (bench/pinn_poisson.py, one thread, the same
 * initial weights). Each process is timed from start to exit: wall time and CPU time (user + system, from
 * /usr/bin/time), the second less disturbed by other jobs on a shared machine. Rounds rotate the order.
 *
 * Standalone: npx tsx bench/whole-process.ts [--rounds 1] [--steps 2000] [--quick]   (prints the Markdown)
 * `npm run bench` calls wholeProcess() and puts the table in RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { torchLayers } from './mlp-weights';
import { median } from './stats';
import { torchEnv } from './torch-env';

const root = fileURLToPath(new URL('..', import.meta.url));
const python = process.env.PYTHON || '/usr/bin/python3';
const TIME = '/usr/bin/time';

interface Run {
  wall: number;
  cpu: number | null;
  error: number | null;
}

interface Job {
  id: string;
  label: string;
  cmd: string[];
  env?: Record<string, string>;
}

function runJob(j: Job): Run | string {
  const timed = existsSync(TIME) ? [TIME, '-f', 'CPU %U %S', ...j.cmd] : j.cmd;
  const t0 = performance.now();
  const p = spawnSync(timed[0], timed.slice(1), {
    cwd: root,
    encoding: 'utf8',
    timeout: 1_200_000,
    env: { ...process.env, NABLA_BACKEND: '', ...j.env },
  });
  const wall = (performance.now() - t0) / 1000;
  if (p.status !== 0)
    return `${j.label}: exit ${p.status}: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`;
  const cpuLine = (p.stderr ?? '')
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('CPU '));
  const cpu = cpuLine
    ? cpuLine
        .split(' ')
        .slice(1)
        .reduce((a, x) => a + Number(x), 0)
    : null;
  const out = p.stdout ?? '';
  const json = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  const error = json
    ? (JSON.parse(json).error as number)
    : Number(out.match(/^relative L2 error: (\S+)$/m)?.[1] ?? NaN);
  return { wall, cpu, error: Number.isFinite(error) ? error : null };
}

export function wholeProcess(opts: { rounds: number; steps: number; quick: boolean }): {
  lines: string[];
  failures: string[];
} {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-whole-'));
  const weights = join(dir, 'weights.json');
  writeFileSync(weights, JSON.stringify(torchLayers([1, 32, 32, 1], 0)));
  const steps = String(opts.steps);
  const lbfgs = opts.quick ? '1' : '10';
  const nabla = (file: string, args: string[]) => [process.execPath, 'bin/nabla.mjs', 'run', file, ...args];
  const natural = join(dir, 'poisson-natural.nabla');
  // the same script in PyTorch, 1 thread, from the same weights
  const torchJob = (id: string, args: string[]): Job => ({
    id,
    label: 'PyTorch, 1 thread',
    cmd: [python, 'bench/pinn_poisson.py', '--weights', weights, '--steps', steps, ...args, '--threads', '1'],
    env: torchEnv(1),
  });
  // poisson.nabla as a user writes it without knowing about compile: its one @compile removed
  writeFileSync(natural, readFileSync(join(root, 'notebooks/pde/poisson.nabla'), 'utf8').replace(/^@compile\n/m, ''));
  const groups: { title: string; jobs: Job[] }[] = [
    {
      title: `Natural PINN script (bench/scripts/pinn-natural.nabla): 1-32-32-1 tanh, 1,024 points, ${steps} Adam steps`,
      jobs: [
        {
          id: 'pinn-auto',
          label: 'Nabla, auto-compile on (default)',
          cmd: nabla('bench/scripts/pinn-natural.nabla', ['--steps', steps]),
        },
        {
          id: 'pinn-eager',
          label: 'Nabla, NABLA_AUTO_COMPILE=0',
          cmd: nabla('bench/scripts/pinn-natural.nabla', ['--steps', steps]),
          env: { NABLA_AUTO_COMPILE: '0' },
        },
        torchJob('pinn-torch', ['--lbfgs', '0', '--points', '1024']),
      ],
    },
    {
      title: `notebooks/pde/poisson.nabla: 64 points, ${steps} Adam steps, then ${lbfgs} L-BFGS steps`,
      jobs: [
        {
          id: 'pde-written',
          label: 'Nabla, as written (@compile on its step)',
          cmd: nabla('notebooks/pde/poisson.nabla', ['--steps', steps, '--lbfgs', lbfgs]),
        },
        {
          id: 'pde-auto',
          label: 'Nabla, @compile removed, auto-compile on',
          cmd: nabla(natural, ['--steps', steps, '--lbfgs', lbfgs]),
        },
        {
          id: 'pde-eager',
          label: 'Nabla, @compile removed, NABLA_AUTO_COMPILE=0',
          cmd: nabla(natural, ['--steps', steps, '--lbfgs', lbfgs]),
          env: { NABLA_AUTO_COMPILE: '0' },
        },
        torchJob('pde-torch', ['--lbfgs', lbfgs]),
      ],
    },
  ];
  const runs = new Map<string, Run[]>();
  const failures: string[] = [];
  for (let r = 0; r < opts.rounds; r++) {
    for (const g of groups) {
      for (let k = 0; k < g.jobs.length; k++) {
        const j = g.jobs[(k + r) % g.jobs.length];
        const res = runJob(j);
        if (typeof res === 'string') failures.push(res);
        else runs.set(j.id, [...(runs.get(j.id) ?? []), res]);
        process.stderr.write(
          `whole process, round ${r + 1}/${opts.rounds}: ${j.id} ${typeof res === 'string' ? 'FAILED' : `${res.wall.toFixed(1)} s`}\n`,
        );
      }
    }
  }
  const med = (id: string, k: 'wall' | 'cpu') => {
    const xs = (runs.get(id) ?? []).map((x) => x[k]).filter((x): x is number => x !== null);
    return xs.length ? median(xs) : null;
  };
  const s = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  const ratio = (a: number | null, b: number | null) => (a === null || b === null ? '–' : `${(a / b).toFixed(2)}×`);
  const lines: string[] = [];
  lines.push(
    `Each process timed from start to exit (${opts.rounds} round(s), order rotating; median). CPU = user + system seconds. Ratios are against PyTorch 1 thread in the same run.`,
    '',
  );
  for (const g of groups) {
    const torch = g.jobs[g.jobs.length - 1].id;
    lines.push(`### ${g.title}`, '');
    lines.push(
      '| system | wall (s) | CPU (s) | wall / PyTorch | CPU / PyTorch | relative L2 error |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const j of g.jobs) {
      const err = runs.get(j.id)?.[0]?.error;
      lines.push(
        `| ${j.label} | ${s(med(j.id, 'wall'))} | ${s(med(j.id, 'cpu'))} | ${ratio(med(j.id, 'wall'), med(torch, 'wall'))} | ${ratio(med(j.id, 'cpu'), med(torch, 'cpu'))} | ${err == null ? '–' : err.toExponential(3)} |`,
      );
    }
    lines.push('');
  }
  return { lines, failures };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
  const quick = argv.includes('--quick');
  const { lines, failures } = wholeProcess({
    rounds: Number(opt('--rounds', '1')),
    steps: Number(opt('--steps', quick ? '200' : '2000')),
    quick,
  });
  console.log([...lines, ...failures.map((f) => `- failed: ${f}`)].join('\n'));
}
