/**
 * Two checkouts' training steps in one process, interleaved, so both see the same load: on a shared machine
 * two processes run minutes apart can differ by 30 % on the same code, which hides a 10 % change.
 * `npx tsx bench/ab-steps.ts OTHER_DIR [--workload pinn|mlp] [--backend js|auto] [--compiled] [--samples N]`,
 * where OTHER_DIR is another checkout with its node_modules (e.g. `git worktree add /tmp/old REV` and a link to
 * this one's node_modules). Prints min, first quartile and median ms a step for this checkout and the other.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchData, type BenchData } from './data';

const argv = process.argv.slice(2);
const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const other = argv[0];
if (!other || other.startsWith('--')) {
  console.error('usage: npx tsx bench/ab-steps.ts OTHER_DIR [--workload pinn|mlp] [--backend js|auto] [--compiled]');
  process.exit(2);
}
const workload = opt('--workload', 'pinn');
const backend = opt('--backend', 'js');
const samples = Number(opt('--samples', '30'));
const per = Number(opt('--steps', '30'));
const data: BenchData = argv.includes('--data') ? JSON.parse(readFileSync(opt('--data', ''), 'utf8')) : benchData();

type Step = () => unknown;
const load = createRequire(import.meta.url);
/** One checkout's step: its own runtime and bench/steps.ts, loaded from its directory. */
function stepOf(dir: string): Step {
  const nb = load(resolve(dir, 'runtime'));
  const steps = load(resolve(dir, 'bench/steps'));
  if (backend !== 'auto') nb.setBackend(backend);
  const step = (workload === 'mlp' ? steps.mlpStep : steps.pinnStep)(data);
  return argv.includes('--compiled') ? nb.compile(step) : step;
}

const sides: [string, Step][] = [
  ['this', stepOf(fileURLToPath(new URL('..', import.meta.url)))],
  ['other', stepOf(other)],
];
for (const [, s] of sides) for (let i = 0; i < 200; i++) s();
const times: Record<string, number[]> = { this: [], other: [] };
for (let r = 0; r < samples; r++)
  for (const [name, s] of r % 2 ? sides : [...sides].reverse()) {
    const t = performance.now();
    for (let i = 0; i < per; i++) s();
    times[name].push((performance.now() - t) / per);
  }
for (const [name, v] of Object.entries(times)) {
  v.sort((a, b) => a - b);
  const at = (q: number) => v[Math.floor(q * (v.length - 1))].toFixed(3);
  console.log(`${name.padEnd(5)} ms a step: min ${at(0)}, first quartile ${at(0.25)}, median ${at(0.5)}`);
}
