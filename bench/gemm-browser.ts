/**
 * The float32 matmul in Chromium beside Node (issue 19 item 3): GFLOP/s on one and two threads, with and
 * without relaxed-SIMD FMA (Chromium validates f32x4.relaxed_madd; Node 20 only behind a flag), and how far
 * Chromium's numbers are from Node's (the products, and a compiled MLP's losses over training).
 * `npx tsx bench/gemm-browser.ts [--rounds 3] [--ms 300] [--steps 300]`; Debian's Chromium, headless.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nb from '../runtime';
import { wasmGemm, gemmFma } from '../runtime/backends/js/wasm/gemm';
import { launch } from '../test/web/browser';
import { buildBrowserModule } from '../web/build';
import { serve } from '../web/serve';
import { gemmWorkload, mlpLosses } from './browser/gemm-workload';
import { median } from './stats';

const argv = process.argv.slice(2);
const opt = (name: string, d: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : d);
const job = {
  sizes: [256, 512, 1024],
  rounds: Number(opt('--rounds', '3')),
  ms: Number(opt('--ms', '300')),
  steps: Number(opt('--steps', '300')),
};

interface Answer {
  fma: boolean;
  threads: { threads: number; reason: string; splits: number };
  gflops: Record<string, number[]>;
  products: Record<string, number[]>;
  losses: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'nabla-gemm-browser-'));
await buildBrowserModule(new URL('./browser/gemm-worker.ts', import.meta.url).pathname, join(dir, 'gemm-worker.js'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>gemm</title>');
const served = await serve({
  port: 0,
  dir,
  build: false,
  site: { name: 'matmul harness', isBuilt: () => true, build: async () => {} },
});
const browser = await launch();
const answers: Answer[] = [];
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(served.url);
  for (const fma of [false, true])
    answers.push(
      await page.evaluate(
        (j) =>
          new Promise<Answer>((ok, fail) => {
            const w = new Worker('/gemm-worker.js', { type: 'module' });
            w.onmessage = (e) => (w.terminate(), ok(e.data));
            w.onerror = (e) => fail(new Error(e.message));
            w.postMessage(j);
          }),
        { ...job, fma },
      ),
    );
} finally {
  await browser.close();
  await served.close();
  rmSync(dir, { recursive: true, force: true });
}

// Node: the same products and training, default kernel
const nodeProducts = Object.fromEntries(
  job.sizes.map((n) => {
    const w = gemmWorkload(n);
    wasmGemm(w.A, w.B, n, n, n, w.C, 0);
    return [n, Array.from(w.C)];
  }),
);
const nodeLosses = mlpLosses(nb, job.steps);
/** The largest difference relative to the product's largest magnitude (elements near 0 cancel: no ratio of their own). */
const maxRel = (a: number[], b: number[]) => {
  const scale = b.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0) / scale;
};
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (max ${Math.max(...xs).toFixed(1)})`;
const lines = [
  `Chromium, ${job.rounds} rounds of ${job.ms} ms per size; Node ${process.version} (fma ${gemmFma.on ? 'on' : 'off'}) for the reference numbers`,
  '',
  '| Chromium kernel | ' +
    job.sizes.flatMap((n) => [`${n}, 1 thread`, `${n}, 2 threads`]).join(' | ') +
    ' | products vs Node (max diff. / max) | MLP loss after ' +
    job.steps +
    ' steps vs Node (rel.) |',
  '|---|' + job.sizes.flatMap(() => ['---:', '---:']).join('|') + '|---:|---:|',
];
for (const a of answers) {
  const rel = Math.max(...job.sizes.map((n) => maxRel(a.products[n], nodeProducts[n])));
  const last = job.steps - 1;
  lines.push(
    `| ${a.fma ? 'relaxed-SIMD FMA' : 'default (mul + add)'} | ` +
      job.sizes.flatMap((n) => [fmt(a.gflops[`${n}/1`]), fmt(a.gflops[`${n}/2`])]).join(' | ') +
      ` | ${rel.toExponential(1)} | ${(Math.abs(a.losses[last] - nodeLosses[last]) / nodeLosses[last]).toExponential(1)} |`,
  );
}
lines.push(
  '',
  `threads in Chromium: ${answers[0].threads.threads} (${answers[0].threads.reason}), GFLOP/s median (max)`,
);
console.log(lines.join('\n'));
