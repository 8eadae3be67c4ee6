/**
 * Per-call time of each gpu.js kernel family against the js kernel, by size, on this machine; and the
 * crossover (the smallest size from which gpu.js stays faster) that runtime/backends/gpujs/policy.ts
 * takes its thresholds from. Run: `npx tsx bench/kernels.ts` (about a minute a pass; `--passes 3` keeps
 * each cell's best of three passes, `--quick` is a rough pass).
 * Kernels are called directly from the registry, past `takes`, so the table shows the engines themselves.
 */
import { cpus } from 'node:os';
import '../runtime';
import { getKernel, type KernelAttrs, type KernelOutput } from '../runtime/kernels';
import { contiguousStrides } from '../runtime/shape';
import { Storage, type View } from '../runtime/storage';

const quick = process.argv.includes('--quick');
const ENGINES = ['js', 'cpu', 'webasm'] as const;

interface Case {
  family: string; // the policy.ts family whose threshold this row informs
  label: string;
  size: number; // in the family's threshold unit
  make: () => { kernel: string; inputs: View[]; attrs: KernelAttrs; out: KernelOutput };
}

function tensor(shape: number[], transposed = false): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 2);
  const strides = contiguousStrides(shape);
  if (transposed && shape.length === 2)
    return { storage: new Storage(data, 'float32'), shape, strides: [1, shape[0]], offset: 0, dtype: 'float32' };
  return { storage: new Storage(data, 'float32'), shape, strides, offset: 0, dtype: 'float32' };
}

const square = (n: number): number[] => {
  const r = 2 ** Math.floor(Math.log2(n) / 2);
  return [r, n / r];
};

function cases(): Case[] {
  const sizes = quick ? [64, 1024, 16384, 262144] : [16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];
  const out: Case[] = [];
  const ew = (
    family: string,
    label: string,
    kernel: string,
    attrs: KernelAttrs,
    arity: number,
    opts: { transposed?: boolean; bool?: boolean } = {},
  ) => {
    for (const n of sizes)
      out.push({
        family,
        label,
        size: n,
        make: () => {
          const shape = square(n);
          const inputs = Array.from({ length: arity }, (_, k) => tensor(shape, opts.transposed && k === arity - 1));
          return { kernel, inputs, attrs, out: { shape, dtype: 'float32' } };
        },
      });
  };
  ew('unary', 'unary relu', 'unary', { fn: 'relu' }, 1);
  ew('unary', 'unary neg', 'unary', { fn: 'neg' }, 1);
  ew('unaryMath', 'unary tanh', 'unary', { fn: 'tanh' }, 1);
  ew('unaryMath', 'unary exp', 'unary', { fn: 'exp' }, 1);
  ew('binary', 'binary add', 'binary', { fn: 'add' }, 2);
  ew('strided', 'binary mul, b transposed', 'binary', { fn: 'mul' }, 2, { transposed: true });
  ew('strided', 'unary relu, transposed', 'unary', { fn: 'relu' }, 1, { transposed: true });
  ew('binaryMath', 'binary pow', 'binary', { fn: 'pow' }, 2);
  ew('where', 'where', 'where', {}, 3);
  ew('clamp', 'clamp', 'clamp', { min: -1, max: 1 }, 1);
  ew('copy', 'copy, transposed', 'copy', {}, 1, { transposed: true });
  for (const n of sizes) {
    out.push({
      family: 'reduce',
      label: 'reduce sum, all',
      size: n,
      make: () => ({
        kernel: 'reduce',
        inputs: [tensor(square(n))],
        attrs: { fn: 'sum', axes: [0, 1] },
        out: { shape: [], dtype: 'float32' },
      }),
    });
    out.push({
      family: 'reduce',
      label: 'reduce max, last axis',
      size: n,
      make: () => ({
        kernel: 'reduce',
        inputs: [tensor(square(n))],
        attrs: { fn: 'max', axes: [1] },
        out: { shape: [square(n)[0]], dtype: 'float32' },
      }),
    });
  }
  for (const m of quick ? [8, 32, 128] : [4, 8, 16, 32, 64, 128, 256]) {
    const make = (transposed: boolean) => () => ({
      kernel: 'matmul',
      inputs: [tensor([m, m]), tensor([m, m], transposed)],
      attrs: {},
      out: { shape: [m, m], dtype: 'float32' } as KernelOutput,
    });
    out.push({ family: 'matmul', label: 'matmul n×n', size: m ** 3, make: make(false) });
    out.push({ family: 'matmul', label: 'matmul n×n, b transposed', size: m ** 3, make: make(true) });
  }
  return out;
}

/**
 * µs per call: the engines take turns for 5 rounds of ≥ `budget` ms each and each keeps its best round, so
 * a burst of load from other processes (this 2-core machine is shared) spoils one round, not the row.
 * Each engine runs 3 warm-up calls first, so kernel builds are not counted.
 */
function timeAll(fs: Record<string, () => unknown>, budget = quick ? 4 : 12): Record<string, number> {
  const best: Record<string, number> = {};
  for (const [e, f] of Object.entries(fs)) {
    for (let i = 0; i < 3; i++) f();
    best[e] = Infinity;
  }
  for (let r = 0; r < 5; r++)
    for (const [e, f] of Object.entries(fs)) {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < budget) {
        f();
        n++;
        t = performance.now();
      }
      best[e] = Math.min(best[e], ((t - t0) * 1000) / n);
    }
  return best;
}

// --passes N walks the whole list N times and keeps each cell's best: load from other processes comes in
// bursts of seconds, so passes a minute apart rarely all catch one
const passes = Number(process.argv[process.argv.indexOf('--passes') + 1]) || 1;
const all = cases();
const rows = all.map((c) => ({ c, us: { js: Infinity, cpu: Infinity, webasm: Infinity } as Record<string, number> }));
for (let p = 0; p < passes; p++)
  for (const row of rows) {
    const { kernel, inputs, attrs, out } = row.c.make();
    const us = timeAll(Object.fromEntries(ENGINES.map((e) => [e, () => getKernel(e, kernel)!(inputs, attrs, out)])));
    for (const e of ENGINES) row.us[e] = Math.min(row.us[e], us[e]);
  }

console.log(
  `# gpu.js kernels vs js — ${cpus()[0]?.model ?? 'unknown CPU'} ×${cpus().length}, Node ${process.version}, ${passes} pass(es)\n`,
);
console.log('| kernel | size | js µs | gpu.js-cpu µs | gpu.js-webasm µs |');
console.log('|---|---:|---:|---:|---:|');
const f = (x: number) => (x < 100 ? x.toFixed(1) : x.toFixed(0));
for (const { c, us } of rows) console.log(`| ${c.label} | ${c.size} | ${f(us.js)} | ${f(us.cpu)} | ${f(us.webasm)} |`);

/** The smallest size from which `engine` beats js in every row of that label; Infinity when it never does. */
function crossover(label: string, engine: string): number {
  const mine = rows.filter((r) => r.c.label === label).sort((a, b) => a.c.size - b.c.size);
  let at = Infinity;
  for (let i = mine.length - 1; i >= 0 && mine[i].us[engine] < mine[i].us.js; i--) at = mine[i].c.size;
  return at;
}

console.log('\n| kernel | family | cpu wins from | webasm wins from |');
console.log('|---|---|---:|---:|');
const labels = [...new Set(rows.map((r) => r.c.label))];
for (const label of labels) {
  const family = rows.find((r) => r.c.label === label)!.c.family;
  console.log(`| ${label} | ${family} | ${crossover(label, 'cpu')} | ${crossover(label, 'webasm')} |`);
}

// a family's threshold is the largest crossover among its rows, so no measured kernel of it loses
console.log('\nsuggested THRESHOLDS (policy.ts):');
for (const engine of ['cpu', 'webasm']) {
  const byFamily: Record<string, number> = {};
  for (const label of labels) {
    const family = rows.find((r) => r.c.label === label)!.c.family;
    byFamily[family] = Math.max(byFamily[family] ?? 0, crossover(label, engine));
  }
  console.log(`  ${engine}: ${JSON.stringify(byFamily).replace(/null/g, 'Infinity')}`);
}

// strided inputs: indexing in the kernel (what plans.ts does) against copying to contiguous with the js
// `copy` kernel first (the alternative layout.ts rejects)
{
  const shape = [512, 512];
  const [a, bt] = [tensor(shape), tensor(shape, true)];
  const out: KernelOutput = { shape, dtype: 'float32' };
  const copy = getKernel('js', 'copy')!;
  const fs: Record<string, () => unknown> = {};
  for (const e of ['cpu', 'webasm']) {
    const k = getKernel(e, 'binary')!;
    fs[`${e} in-kernel strides`] = () => k([a, bt], { fn: 'mul' }, out);
    fs[`${e} js copy, then kernel`] = () => {
      const b = { ...bt, storage: new Storage(copy([bt], {}, out), 'float32'), strides: [512, 1] };
      return k([a, b], { fn: 'mul' }, out);
    };
  }
  console.log('\n| 512×512 mul, b transposed | µs |\n|---|---:|');
  for (const [label, us] of Object.entries(timeAll(fs))) console.log(`| ${label} | ${us.toFixed(0)} |`);
}
