/**
 * What the language costs over the runtime it drives: the same work written in Nabla and directly against
 * the runtime in TypeScript, in the same process. Goal (issue 3): the language adds under 20%.
 * Run: npx tsx bench/lang.ts
 */
import * as nb from '../runtime';
import { createSession } from '../compiler';
import { median } from './stats';

const quiet = { stdout: () => {}, stderr: () => {}, display: () => {} };

/**
 * Medians of a and b, sampled alternately after both have warmed up for about a second each (JIT tiers,
 * kernel caches, the garbage collector's steady state), so load on the machine hits both alike.
 */
function timePair(a: () => void, b: () => void, reps: number): [number, number] {
  for (const fn of [a, b]) {
    const until = performance.now() + 1000;
    while (performance.now() < until) fn();
  }
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < reps; i++) {
    for (const [fn, out] of [
      [a, sa],
      [b, sb],
    ] as const) {
      const t0 = performance.now();
      fn();
      out.push(performance.now() - t0);
    }
  }
  return [median(sa), median(sb)];
}

function nablaRunner(code: string) {
  const s = createSession();
  return () => {
    const r = s.run(code, quiet);
    if (!r.ok) throw new Error(r.traceback.join('\n'));
  };
}

const rows: [string, number, number][] = [];

// 1. a scalar loop of 100,000 iterations
{
  const lang = nablaRunner('s = 0\nfor i in range(100000) { s = s + i * 0.5 }\ns');
  const ts = () => {
    let s = 0;
    for (let i = 0; i < 100000; i++) s = s + i * 0.5;
    if (s < 0) throw new Error();
  };
  rows.push(['scalar loop, 100,000 iterations', ...timePair(lang, ts, 31)]);
}

// 2. an eager chain of 1,000 small elementwise ops with backward
{
  const lang = nablaRunner(
    'x = param(linspace(0, 1, 64))\ny = x\nfor i in range(250) { y = tanh(y * 0.9 + 0.1) }\nsum(y).backward()',
  );
  const ts = () => {
    const x = nb.param(nb.linspace(0, 1, 64).tolist());
    let y = x;
    for (let i = 0; i < 250; i++) y = nb.tanh(nb.add(nb.mul(y, 0.9), 0.1));
    nb.sum(y).backward();
  };
  rows.push(['eager chain, 1,000 ops + backward', ...timePair(lang, ts, 31)]);
}

console.log(`backend: ${nb.backendReport().chosen}; node ${process.version}`);
console.log('| work | Nabla (ms) | TypeScript (ms) | language overhead |');
console.log('|---|---|---|---|');
for (const [name, a, b] of rows)
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(((a - b) / b) * 100).toFixed(0)}% |`);
