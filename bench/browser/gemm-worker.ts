/**
 * The browser side of bench/gemm-browser.ts, run in a Worker (where Atomics.wait may block): times the
 * float32 matmul on one and two threads, with or without relaxed-SIMD FMA (decided once per thread, before
 * the first product), and trains the MLP of test/runtime/gemm-threads.test.ts to compare its losses with Node's.
 */
import * as nb from '../../runtime';
import { wasmGemm, gemmFma } from '../../runtime/backends/js/wasm/gemm';
import { gemmThreads, setGemmThreads } from '../../runtime/backends/js/wasm/gemm-threads';
import { gemmWorkload, mlpLosses } from './gemm-workload';

interface Job {
  fma: boolean;
  sizes: number[];
  rounds: number;
  ms: number;
  steps: number;
}

self.onmessage = async (e: MessageEvent<Job>) => {
  const { fma, sizes, rounds, ms, steps } = e.data;
  gemmFma.wanted = fma;
  const work = sizes.map((n) => gemmWorkload(n));
  // the first product starts the second thread; it answers a moment later
  for (let i = 0; i < 100 && !gemmThreads().ready; i++) {
    wasmGemm(work[0].A, work[0].B, work[0].n, work[0].n, work[0].n, work[0].C, 0);
    await new Promise((r) => setTimeout(r, 20));
  }
  const gflops: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++)
    for (const threads of [1, 2] as const) {
      setGemmThreads(threads);
      for (const w of work) {
        const run = () => wasmGemm(w.A, w.B, w.n, w.n, w.n, w.C, 0);
        run();
        let k = 0;
        const t0 = performance.now();
        let t = t0;
        while (t - t0 < ms) {
          run();
          k++;
          t = performance.now();
        }
        (gflops[`${w.n}/${threads}`] ??= []).push((2 * w.n ** 3 * k) / ((t - t0) * 1e6));
      }
    }
  setGemmThreads(2);
  const losses = mlpLosses(nb, steps);
  (self as unknown as Worker).postMessage({
    fma: gemmFma.on,
    threads: gemmThreads(),
    gflops,
    products: Object.fromEntries(work.map((w) => [w.n, Array.from(w.C)])),
    losses,
  });
};
