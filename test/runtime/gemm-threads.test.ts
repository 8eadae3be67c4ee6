import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { wasmGemm, type Mat } from '../../runtime/backends/js/wasm/gemm';
import {
  gemmThreads,
  pace,
  pacingFor,
  PACE_LIMIT,
  PACE_SKIP,
  setGemmPacing,
  setGemmThreads,
  SPLIT_FROM,
  SPLIT_FROM_EAGER,
} from '../../runtime/backends/js/wasm/gemm-threads';

/**
 * The matmul split between the calling thread and a worker (runtime/backends/js/wasm/gemm-threads.ts): the
 * same bits as on one thread for every size, layout, split and type, products below the threshold never
 * split, compiled plans split in place, a starved worker is paced off (a sleeping one's wake-up is not held
 * against it), the worker comes back from an idle spell and lets go of a dropped plan's kernel while busy, and
 * a process with the worker running still exits by itself.
 */

const root = new URL('../..', import.meta.url).pathname;

/** A strided operand over fresh storage with values from a seed (transposed: the storage holds its transpose). */
function operand(rows: number, cols: number, seed: number, transposed: boolean): Mat {
  const data = Float32Array.from({ length: rows * cols + 3 }, (_, i) => Math.sin(0.37 * i + seed) * 2);
  return transposed ? { data, off: 3, si: 1, sj: rows } : { data, off: 3, si: cols, sj: 1 };
}

function product(M: number, N: number, K: number, ta: boolean, tb: boolean): Float32Array {
  const res = new Float32Array(M * N);
  expect(wasmGemm(operand(M, K, 1, ta), operand(K, N, 2, tb), M, N, K, res, 0, SPLIT_FROM)).toBe(true);
  return res;
}

/** Runs a product big enough to split until the worker has answered (it starts on the first one). */
async function workerReady(): Promise<void> {
  for (let i = 0; i < 400 && !gemmThreads().ready; i++) {
    product(64, 64, 64, false, false);
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(gemmThreads()).toMatchObject({ threads: 2, ready: true });
}

// sizes around the threshold (64³ multiply-adds), odd sizes, few rows (split by panels), one panel
const SHAPES: [number, number, number][] = [
  [64, 64, 64],
  [63, 64, 65],
  [65, 63, 64],
  [67, 129, 61],
  [4, 1024, 100],
  [5, 40, 2000],
  [300, 8, 200],
  [257, 130, 300],
];

describe('float32 matmul on two threads', () => {
  beforeAll(async () => {
    setGemmThreads(2);
    setGemmPacing(false); // every product big enough splits, however loaded the machine running the tests is
    await workerReady();
  }, 60_000);
  afterAll(() => {
    setGemmThreads(2);
    setGemmPacing(true);
  });

  it('gives the same bits as one thread, for sizes around the threshold, odd sizes and transposes', () => {
    for (const [M, N, K] of SHAPES)
      for (const ta of [false, true])
        for (const tb of [false, true]) {
          setGemmThreads(2);
          const before = gemmThreads().splits;
          const two = product(M, N, K, ta, tb);
          const split = gemmThreads().splits > before;
          // split exactly when C, padded to the kernel's 4-row blocks and 8-column panels, reaches the threshold
          const [Mp, Np] = [Math.ceil(M / 4) * 4, Math.ceil(N / 8) * 8];
          expect(split, `${M}×${K}@${K}×${N} split`).toBe(Mp * Np * K >= SPLIT_FROM);
          setGemmThreads(1);
          const splitsBefore = gemmThreads().splits;
          const one = product(M, N, K, ta, tb);
          expect(gemmThreads().splits, 'one thread: no split').toBe(splitsBefore);
          const label = `${M}×${K}@${K}×${N} ${ta ? 'Aᵀ' : 'A'} ${tb ? 'Bᵀ' : 'B'}`;
          expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), label).toBe(true);
          // and right: against a float64 product of the same operands
          const A = operand(M, K, 1, ta);
          const B = operand(K, N, 2, tb);
          for (const [i, j] of [
            [0, 0],
            [M - 1, N - 1],
            [M >> 1, N >> 1],
          ]) {
            let want = 0;
            for (let k = 0; k < K; k++)
              want += A.data[A.off + i * A.si + k * A.sj] * B.data[B.off + k * B.si + j * B.sj];
            expect(Math.abs(two[i * N + j] - want), label).toBeLessThanOrEqual(1e-5 * K);
          }
        }
    setGemmThreads(2);
  });

  it('splits float64 products too (4-column panels, its own kernel on the same memory), to the one-thread bits', () => {
    const f64 = (rows: number, cols: number, seed: number, transposed: boolean): Mat => {
      const m = operand(rows, cols, seed, transposed);
      return { ...m, data: Float64Array.from(m.data, (v) => v / 3) };
    };
    for (const [M, N, K] of [
      [64, 64, 64],
      [4, 1024, 100],
      [257, 130, 300],
    ])
      for (const ta of [false, true]) {
        const run = (threads: 1 | 2) => {
          setGemmThreads(threads);
          const res = new Float64Array(M * N);
          expect(wasmGemm(f64(M, K, 1, ta), f64(K, N, 2, !ta), M, N, K, res, 0, SPLIT_FROM)).toBe(true);
          return res;
        };
        const before = gemmThreads().splits;
        const two = run(2);
        expect(gemmThreads().splits, `${M}×${K}@${K}×${N} split`).toBe(before + 1);
        // a float32 product between (the worker holds both kernels on the eager memory)
        product(64, 64, 64, false, false);
        const one = run(1);
        expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), `${M}×${K}@${K}×${N}`).toBe(true);
      }
    setGemmThreads(2);
  });

  it('never splits below the threshold', () => {
    setGemmThreads(2);
    const before = gemmThreads().splits;
    product(63, 64, 64, false, false); // 63 rows pad to 64: 64³ multiply-adds of padded C
    product(60, 60, 60, false, false);
    product(2, 2048, 16, false, false);
    expect(gemmThreads().splits - before).toBe(1);
  });

  it('splits eager products (nb.matmul) only from SPLIT_FROM_EAGER: a PINN step’s 1024×32×32 stays on one thread', () => {
    setGemmThreads(2);
    const a = nb.randn([1024, 32], { seed: 3 });
    const w = nb.randn([32, 32], { seed: 4 });
    const big = nb.randn([128, 256], { seed: 5 });
    const wide = nb.randn([256, 128], { seed: 6 });
    expect(1024 * 32 * 32).toBeLessThan(SPLIT_FROM_EAGER);
    expect(128 * 256 * 128).toBe(SPLIT_FROM_EAGER);
    const before = gemmThreads().splits;
    nb.matmul(a, w);
    expect(gemmThreads().splits).toBe(before);
    nb.matmul(big, wide);
    expect(gemmThreads().splits).toBe(before + 1);
  });

  it('splits a compiled plan’s matmuls in place, to the eager losses bit for bit', async () => {
    const step = (seed: number) => {
      const model = nb.mlp([3, 96, 96, 1], { seed });
      const X = nb.randn([256, 3], { seed: seed + 1 });
      const Y = nb.sin(nb.sum(X, { axis: 1, keepdim: true }));
      const opt = nb.adam(model.params, { lr: 1e-2 });
      return () => {
        opt.zeroGrad();
        const L = nb.mean(nb.pow(nb.sub(model(X), Y), 2));
        L.backward();
        opt.step();
        return L;
      };
    };
    const losses = (f: () => Tensor) => Array.from({ length: 12 }, () => f().item() as number);
    setGemmThreads(1);
    const eagerOne = losses(step(5));
    setGemmThreads(2);
    const eagerTwo = losses(step(5));
    const compiled = nb.compile(step(5));
    const traced = compiled().item() as number; // the trace runs the ops eagerly
    const before = gemmThreads().splits;
    const compiledTwo = [traced, ...losses(compiled).slice(0, 11)];
    // replays: forward 256×96 @ 96×96, and two products of that size backward, per step
    expect(gemmThreads().splits - before).toBeGreaterThanOrEqual(12 * 3);
    expect(eagerTwo).toEqual(eagerOne);
    expect(compiledTwo).toEqual(eagerOne);
    expect(compiled.info.source).toMatch(/matmul 256×96 @ 96×96 \(wasm, in place\)/);
  });

  it('finds the worker again after an idle spell (back in its event loop), and leaves its wake-up out of pacing', async () => {
    setGemmThreads(2);
    const [M, N, K] = [257, 130, 300];
    const first = product(M, N, K, false, true);
    setGemmPacing(true); // every size class afresh: ratio 0
    try {
      for (let round = 0; round < 3; round++) {
        // past the worker's spin and its sleep before it goes back to its messages
        await new Promise((r) => setTimeout(r, 250));
        const before = gemmThreads().splits;
        const again = product(M, N, K, false, true);
        expect(gemmThreads().splits).toBe(before + 1);
        expect(Buffer.from(again.buffer).equals(Buffer.from(first.buffer))).toBe(true);
        // the product woke a sleeping worker: that wait is its wake-up, not a starved worker's
        expect(pacingFor(260 * 136 * K).ratio).toBe(0);
      }
    } finally {
      setGemmPacing(false);
    }
  });

  it('says how it runs, and runs on one thread on request', () => {
    setGemmThreads(1);
    expect(gemmThreads()).toMatchObject({ threads: 1, reason: expect.stringMatching(/one thread by request/) });
    const before = gemmThreads().splits;
    product(128, 128, 128, false, false);
    expect(gemmThreads().splits).toBe(before);
    setGemmThreads(2);
    expect(gemmThreads().threads).toBe(2);
  });
});

describe('pacing: products run alone while the worker is starved of a core', () => {
  it('backs off when the wait for the worker outgrows the caller’s own half, and not before', () => {
    const p = { ratio: 0, skip: 0 };
    // the worker's half done about when the caller's is: it keeps splitting
    for (let i = 0; i < 50; i++) expect(pace(p, 1, 0.2)).toBe(false);
    expect(p.ratio).toBeLessThan(PACE_LIMIT);
    // one slow wait is not enough (a moving average)
    expect(pace(p, 1, 2)).toBe(false);
    // a worker that keeps finishing long after: the next PACE_SKIP products run alone, then it tries again
    let backedOff = false;
    for (let i = 0; i < 5 && !backedOff; i++) backedOff = pace(p, 1, 3);
    expect(backedOff).toBe(true);
    expect(p).toEqual({ ratio: 0, skip: PACE_SKIP });
  });

  it("paces each size of product on its own: small products backing off leave a large one's split", () => {
    setGemmPacing(true); // starts every class afresh
    const small = pacingFor(1024 * 32 * 32); // a PINN step's product: the hand-off outweighs its halves
    const large = pacingFor(512 * 512 * 512);
    let backedOff = false;
    for (let i = 0; i < 5 && !backedOff; i++) backedOff = pace(small, 0.05, 0.2);
    expect(backedOff).toBe(true);
    expect(pacingFor(1024 * 32 * 32).skip).toBe(PACE_SKIP);
    expect(pacingFor(1000 * 33 * 32)).toBe(small); // within a factor of 4: the same class
    expect(large).not.toBe(small);
    expect(large.skip).toBe(0);
    setGemmPacing(true);
    expect(pacingFor(1024 * 32 * 32).skip).toBe(0);
  });
});

describe('the worker in a process', () => {
  /** A child process (asynchronously: a blocked test thread would starve vitest's own messages). */
  interface Ran {
    status: number;
    stdout: string;
    stderr: string;
  }
  const run = (code: string, env: Record<string, string> = {}, flags: string[] = []) =>
    new Promise<Ran>((ok) =>
      execFile(
        process.execPath,
        [...flags, '--import', 'tsx', '--input-type=module', '-e', code],
        { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 },
        (err, stdout, stderr) => ok({ status: err ? ((err.code as number) ?? 1) : 0, stdout, stderr }),
      ),
    );
  const script = (prelude: string) => `${prelude}
const nb = await import('./runtime/index.ts');
const { gemmThreads } = await import('./runtime/backends/js/wasm/gemm-threads.ts');
const a = nb.randn([256, 256], { seed: 1 });
const first = nb.matmul(a, a).toHost();
// the worker answers a moment after the first product started it (longer on a loaded machine)
for (let i = 0; i < 400 && gemmThreads().threads === 2 && !gemmThreads().ready; i++) await new Promise((r) => setTimeout(r, 50));
const again = nb.matmul(a, a).toHost();
console.log(JSON.stringify({ ...gemmThreads(), same: Buffer.from(first.buffer).equals(Buffer.from(again.buffer)), sum: first.reduce((s, x) => s + x, 0) }));
`;
  const report = (r: Ran) => {
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as ReturnType<typeof gemmThreads> & {
      same: boolean;
      sum: number;
    };
  };

  it('does not keep the process alive, and splits once started', async () => {
    const r = report(await run(script('')));
    expect(r).toMatchObject({ threads: 2, ready: true, same: true });
    expect(r.splits).toBe(1);
    // (a process the worker kept alive would be killed at the 120 s timeout: status not 0, above)
  }, 150_000);

  it('lets go of a dropped plan’s kernel (and memory) while it is kept busy with jobs from other plans', async () => {
    const code = `
const nb = await import('./runtime/index.ts');
const { gemmThreads, setGemmPacing } = await import('./runtime/backends/js/wasm/gemm-threads.ts');
nb.setBackend('js');
setGemmPacing(false);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const a = nb.randn([256, 256], { seed: 1 });
for (let i = 0; i < 400 && !gemmThreads().ready; i++) { nb.matmul(a, a); await sleep(25); }
const x = nb.randn([512, 96], { seed: 2 });
const w = nb.randn([96, 96], { seed: 3 });
// each compiled plan splits its 512×96×96 products on its own shared memory: a kernel of its own in the worker
const stepOf = () => nb.compile(() => nb.sum(nb.matmul(nb.tanh(nb.matmul(x, w)), w)));
const busy = stepOf();
// jobs without a pause, so the worker never idles into its event loop on its own
const work = (ms) => { const until = performance.now() + ms; while (performance.now() < until) busy().item(); };
work(50);
const peaks = [];
const after = [];
for (let round = 0; round < 4; round++) {
  let dropped = stepOf();
  for (let i = 0; i < 3; i++) dropped().item();
  work(20);
  peaks.push(gemmThreads().workerKernels);
  dropped = null;
  globalThis.gc();
  // the FinalizationRegistry's callback runs in a later task; the pauses stay well under the worker's idle spell
  for (let i = 0; i < 50 && gemmThreads().workerKernels > 2; i++) { await sleep(10); work(20); }
  after.push(gemmThreads().workerKernels);
}
console.log(JSON.stringify({ peaks, after }));
`;
    const r = await run(code, {}, ['--expose-gc']);
    expect(r.status, r.stderr).toBe(0);
    const { peaks, after } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { peaks: number[]; after: number[] };
    // the eager memory's kernel, the busy plan's and the dropped plan's; then the dropped one is gone
    expect(peaks).toEqual([3, 3, 3, 3]);
    expect(after).toEqual([2, 2, 2, 2]);
  }, 120_000);

  it('falls back to one thread, saying why, on a page that is not cross-origin isolated and with NABLA_GEMM_THREADS=1', async () => {
    const [isolated, page, env] = (
      await Promise.all([
        run(script('')),
        run(script('globalThis.crossOriginIsolated = false;')),
        run(script(''), { NABLA_GEMM_THREADS: '1' }),
      ])
    ).map(report);
    expect(page).toMatchObject({ threads: 1, splits: 0, same: true });
    expect(page.reason).toMatch(/not cross-origin isolated/);
    expect(env).toMatchObject({ threads: 1, splits: 0, reason: expect.stringMatching(/NABLA_GEMM_THREADS=1/) });
    // the same answer either way
    expect(page.sum).toBe(isolated.sum);
    expect(env.sum).toBe(isolated.sum);
  }, 120_000);

  it('uses relaxed-SIMD FMA only when asked and validated; eager and compiled still agree bit for bit with it', async () => {
    const code = `
const nb = await import('./runtime/index.ts');
const { gemmFma, relaxedSimdValidates } = await import('./runtime/backends/js/wasm/gemm.ts');
const step = () => {
  const model = nb.mlp([3, 96, 96, 1], { seed: 5 });
  const X = nb.randn([256, 3], { seed: 6 });
  const Y = nb.sin(nb.sum(X, { axis: 1, keepdim: true }));
  const opt = nb.adam(model.params, { lr: 1e-2 });
  return () => { opt.zeroGrad(); const L = nb.mean(nb.pow(nb.sub(model(X), Y), 2)); L.backward(); opt.step(); return L; };
};
const losses = (f) => Array.from({ length: 15 }, () => f().item());
const eager = losses(step());
const compiled = losses(nb.compile(step()));
console.log(JSON.stringify({ fma: gemmFma.on, validates: relaxedSimdValidates(), eager, compiled }));
`;
    const parse = (r: Ran) => {
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        fma: boolean;
        validates: boolean;
        eager: number[];
        compiled: number[];
      };
    };
    const flag = ['--experimental-wasm-relaxed-simd'];
    const [plain, asked, notAsked, askedNoFlag] = (
      await Promise.all([
        run(code),
        run(code, { NABLA_RELAXED_SIMD: '1' }, flag),
        run(code, {}, flag),
        run(code, { NABLA_RELAXED_SIMD: '1' }),
      ])
    ).map(parse);
    expect(plain.fma).toBe(false);
    expect(notAsked).toMatchObject({ fma: false, validates: true });
    expect(asked).toMatchObject({ fma: true, validates: true });
    // asked where the engine does not validate it (Node 20 without the flag): the default kernel
    expect(askedNoFlag.fma).toBe(askedNoFlag.validates);
    for (const r of [plain, asked, notAsked, askedNoFlag]) expect(r.compiled).toEqual(r.eager);
    expect(notAsked.eager).toEqual(plain.eager);
    // FMA rounds once per product-and-add: other bits (and close: the same training)
    expect(asked.eager).not.toEqual(plain.eager);
    asked.eager.forEach((l, i) => expect(Math.abs(l - plain.eager[i]) / plain.eager[i]).toBeLessThan(1e-3));
  }, 180_000);
});
