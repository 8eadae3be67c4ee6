/**
 * `npx tsx bench/libm.ts`: ns per call of runtime/backends/js/libm.ts against the engine's Math.*, over a
 * Float64Array of arguments in the range networks see (|x| < 10; pow: bases in (0, 10)), median of 7 rounds.
 */
import * as libm from '../runtime/backends/js/libm';

const N = 1 << 16;
const xs = Float64Array.from({ length: N }, (_, i) => ((i * 0.618033988749895) % 1) * 20 - 10);
const ps = Float64Array.from({ length: N }, (_, i) => ((i * 0.7548776662466927) % 1) * 10);
const units = Float64Array.from({ length: N }, (_, i) => ((i * 0.5698402909980532) % 1) * 2 - 1);
const out = new Float64Array(N);

type Fn = (a: number, b: number) => number;

/** A loop of its own per function (new Function), so each call site sees one callee, as a kernel's does. */
function time(f: Fn, a: Float64Array, b: Float64Array): number {
  const loop = new Function('f', 'a', 'b', 'out', 'n', 'for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);') as (
    f: Fn,
    a: Float64Array,
    b: Float64Array,
    out: Float64Array,
    n: number,
  ) => void;
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let k = 0; k < 8; k++) loop(f, a, b, out, N);
    rounds.push(((performance.now() - t0) * 1e6) / (8 * N));
  }
  return rounds.sort((p, q) => p - q)[3];
}

const NAMES = [
  'exp',
  'expm1',
  'log',
  'log1p',
  'sin',
  'cos',
  'tan',
  'tanh',
  'sinh',
  'cosh',
  'asinh',
  'atan',
  'asin',
  'atan2',
  'pow',
] as const;
console.log('function   Math.* ns   libm ns');
for (const name of NAMES) {
  const args = name === 'log' || name === 'pow' ? ps : name === 'asin' ? units : xs;
  const m = Math[name] as (a: number, b: number) => number;
  const l = libm[name] as (a: number, b: number) => number;
  const tm = time(m, args, name === 'pow' ? units : xs);
  const tl = time(l, args, name === 'pow' ? units : xs);
  console.log(`${name.padEnd(10)} ${tm.toFixed(1).padStart(9)} ${tl.toFixed(1).padStart(9)}`);
}
