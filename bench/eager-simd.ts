/**
 * The eager SIMD path (runtime/backends/js/wasm/eager.ts) against the generated JS loops, by size: where
 * `eagerSimd.min` should sit. Per size and op, the median CPU µs per call of each, measured in turns in one
 * process (`npx tsx bench/eager-simd.ts [--rounds N]`).
 */
import * as nb from '../runtime';
import type { Tensor } from '../runtime';
import { eagerSimd } from '../runtime/backends/js/wasm/eager';
import { median } from './stats';

const argv = process.argv.slice(2);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : 5;
nb.setBackend('js');
const MIN = eagerSimd.min;

const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
  ['mul', nb.mul],
  ['add (row broadcast)', (a, b) => nb.add(a, nb.reshape(nb.index(b, [0]), [1, -1]))],
  ['tanh', (a) => nb.tanh(a)],
];

/** CPU µs of this process per call of f, over calls that take about 20 ms (CPU time: the machine is shared). */
function time(f: () => unknown): number {
  let k = 0;
  const c0 = process.cpuUsage();
  let used = 0;
  while (used < 20000) {
    f();
    k++;
    const c = process.cpuUsage(c0);
    used = c.user + c.system;
  }
  return used / k;
}

console.log('| elements | op | JS loop µs | SIMD µs | JS / SIMD |');
console.log('|---:|---|---:|---:|---:|');
for (const n of [512, 1024, 2048, 4096, 32768, 262144]) {
  const a = nb.reshape(nb.randn([n]), [n / 32, 32]);
  const b = nb.reshape(nb.randn([n]), [n / 32, 32]);
  for (const [name, op] of ops) {
    const js: number[] = [];
    const simd: number[] = [];
    for (let r = 0; r < rounds; r++) {
      eagerSimd.min = Infinity;
      js.push(time(() => op(a, b)));
      eagerSimd.min = 1;
      simd.push(time(() => op(a, b)));
    }
    eagerSimd.min = MIN;
    const [j, s] = [median(js), median(simd)];
    console.log(`| ${n} | ${name} | ${j.toFixed(1)} | ${s.toFixed(1)} | ${(j / s).toFixed(2)} |`);
  }
}
