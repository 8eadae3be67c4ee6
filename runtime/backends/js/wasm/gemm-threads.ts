/**
 * The matmul (float32 and float64) on two cores: a worker thread runs the same wasm blocked loop (./gemm.ts) on one share
 * of C while the calling thread runs the other, both on one shared WebAssembly.Memory. C is split by rows
 * (or by panels of columns when it has few rows); each output is computed whole by one thread, adding its
 * products in the same order as one thread would, so the result has the same bits either way.
 *
 * The worker (worker_threads in Node, a Worker in the browser) starts on the first product big enough and
 * is unref'd (it never keeps a process alive). Until it says it is ready, products run on one thread. A
 * kernel (a module on a memory) goes to it once by postMessage; each job then goes through a shared control
 * block, the worker spinning on it for a moment after each job and the caller spinning for its share before
 * either sleeps in Atomics.wait (WORKER_SOURCE says why). Where any of this is missing (no
 * SharedArrayBuffer, e.g. a page that is not cross-origin isolated; a thread that may not block, a page's
 * main thread; no Worker; NABLA_GEMM_THREADS=1), everything runs on one thread, and gemmThreads() says why.
 */

/**
 * Multiply-adds (M·N·K) from which a product is split. Measured on the 2-core development machine
 * (bench/README.md, "Matmul on two cores"): below about 64³ the halves (~10 µs) are too short for the
 * split's own costs (the worker reading operands another core wrote) to pay.
 */
export const SPLIT_FROM = 64 * 64 * 64;

/**
 * Where eager products (runtime/backends/js/reduce.ts through wasmGemm) split: from 2²² multiply-adds, ~150 µs on
 * one thread. With the eager PINN step's 1024×32×32 products split, the step took 5.2–5.5 ms against 4.2–4.5 ms
 * on one thread (js backend, the middle three of five alternating processes each, Dec 6 2026). The likely cause
 * (not profiled): an eager step allocates as it goes, V8 collects garbage partly on helper threads, and the
 * worker, spinning between products, holds the second core they would run on. Compiled plans allocate nothing a
 * step and split from SPLIT_FROM.
 */
export const SPLIT_FROM_EAGER = 1 << 22;

/** How long the caller waits for the worker's share before it computes it itself (a stuck worker). */
const STUCK_MS = 30_000;

/** What gemmThreads() reports. */
export interface GemmThreads {
  /** threads a product of at least `splitFrom` multiply-adds runs on: 1 or 2 */
  threads: number;
  /** why: the fallback's reason where threads is 1 */
  reason: string;
  splitFrom: number;
  /** where eager products split (SPLIT_FROM_EAGER) */
  splitFromEager: number;
  /** the worker has started and answered (products are split from now on) */
  ready: boolean;
  /** products split so far */
  splits: number;
  /** products big enough to split that ran on one thread because the worker was being starved (pacing) */
  paced: number;
  /** kernels (a module on a memory: the eager one, each compiled plan's that splits) the worker holds */
  workerKernels: number;
}

/**
 * Pacing. A worker that finishes its half well after the caller finished its own is not getting a core (the
 * machine is busy with other work), and such a product would have been quicker on one thread: the hand-off
 * and the wait cost more than the half saved. The caller keeps a moving average of its wait for the worker
 * over the time of its own half, per size class (below); past PACE_LIMIT it runs the next PACE_SKIP products
 * of that class alone, then tries two again. (On the 2-core development machine with four other processes
 * running, the split and the wait were 40 % of an eager PINN step's time.)
 */
export const PACE_LIMIT = 1;
/** A sample's ratio counts at most this much: one hiccup (a page fault, the OS's tick) does not back off alone. */
export const PACE_SAMPLE_MAX = 2;
export const PACE_SKIP = 256;
export interface Pacing {
  /** moving average of wait / own */
  ratio: number;
  /** products still to run alone */
  skip: number;
}

/**
 * Products keep a pacing per size class (multiply-adds within a factor of 4): the worker's wake-up (tens of µs)
 * outweighs the halves of a small product but not a large one's, so a PINN step's 1024×32×32 products may pace
 * themselves off while a 512² product still splits. (With one pacing for all, the small products of a training
 * step kept the next 256 products, large ones included, on one thread: matmul 512 measured 26 GFLOP/s instead
 * of ~50 in half the benchmark's rounds, on a quiet machine.)
 */
export const sizeClass = (macs: number) => Math.floor(Math.log2(Math.max(macs, 1)) / 2);

/** Folds one split product's times (ms) into the pacing; true when the next PACE_SKIP products run alone. */
export function pace(p: Pacing, ownMs: number, waitedMs: number): boolean {
  p.ratio = 0.75 * p.ratio + 0.25 * Math.min(waitedMs / Math.max(ownMs, 0.01), PACE_SAMPLE_MAX);
  if (p.ratio <= PACE_LIMIT) return false;
  p.skip = PACE_SKIP;
  p.ratio = 0;
  return true;
}

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

/** The control block's slots (Int32Array indices) past [0] ready, [1] jobs finished, [2] jobs failed. */
const SEQ = 3; // jobs posted
const JOB_ID = 4; // the posted job's kernel
const AWAKE = 5; // 1 while the worker spins for the next job, 0 while it sleeps or is elsewhere
const MESSAGES = 6; // 1 when a message waits for the worker (a kernel to forget): it reads them before the next job
const KERNELS = 7; // kernels the worker holds (gemmThreads().workerKernels)
const JOB_ARGS = 8; // its 13 arguments (the blocked loop's, in bytes)
const CTL_INTS = JOB_ARGS + 13;
/** How long the worker (and a caller waiting for it) spins before sleeping: a training step's products come ~0.1 ms apart. */
const SPIN_MS = 1;
/** How long the worker sleeps before it looks at its messages (a kernel to forget). */
const IDLE_MS = 100;

interface Pool {
  worker: WorkerLike;
  /** [0] the worker is ready (1), [1] jobs it finished, [2] jobs that failed in it, then SEQ, JOB_ID, JOB_ARGS */
  ctl: Int32Array;
  posted: number;
  /** the worker's instance of each kernel (a module on a memory: the eager memory has one per type) */
  ids: WeakMap<object, number>;
  next: number;
  /** drops the worker's instance of a kernel the caller no longer holds */
  forget: FinalizationRegistry<number> | null;
}

let wanted = typeof process === 'undefined' || process.env?.NABLA_GEMM_THREADS !== '1';
let pool: Pool | null = null;
/** why there is no worker ('' while it may still start) */
let offReason = '';
let splits = 0;
let paced = 0;
let pacingOn = true;
/** by size class (sizeClass) */
const pacings = new Map<number, Pacing>();
/** The pacing of products of this many multiply-adds (tests). */
export function pacingFor(macs: number): Pacing {
  const c = sizeClass(macs);
  let p = pacings.get(c);
  if (!p) pacings.set(c, (p = { ratio: 0, skip: 0 }));
  return p;
}

/** Why this thread cannot share a matmul with a worker, or '' where it can. */
function unsupported(): string {
  if (!wanted) return 'one thread by request (NABLA_GEMM_THREADS=1 or setGemmThreads(1))';
  if (offReason) return offReason;
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined')
    return 'SharedArrayBuffer is unavailable here (a page must be cross-origin isolated: COOP/COEP headers)';
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false)
    return 'this page is not cross-origin isolated (COOP/COEP headers), so memory cannot be shared with a worker';
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return 'this thread may not block on Atomics.wait (a page’s main thread), which waiting for the worker needs';
  }
  if (!nodeWorkers() && typeof Worker === 'undefined') return 'no worker threads here';
  return '';
}

const nodeWorkers = () =>
  typeof process !== 'undefined'
    ? (process.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined)
    : undefined;

/**
 * A fresh wasm memory for matmul operands: shared where products may be split with the worker, so the
 * worker sees the operands in place; unshared otherwise (or where a shared one cannot be reserved).
 */
export function gemmMemory(pages: number): WebAssembly.Memory {
  if (!unsupported())
    try {
      return new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
    } catch (e) {
      offReason = `a shared wasm memory could not be reserved (${(e as Error).message})`;
    }
  return new WebAssembly.Memory({ initial: pages });
}

/**
 * A compiled plan's arena: shared (fixed size) where one of its products is big enough to split, so the
 * worker reads the plan's buffers where they lie; otherwise the unshared memory it always had.
 */
export function planMemory(pages: number, splitsProducts: boolean): WebAssembly.Memory {
  if (splitsProducts && !unsupported())
    try {
      return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch (e) {
      offReason = `a shared wasm memory could not be reserved (${(e as Error).message})`;
    }
  return new WebAssembly.Memory({ initial: pages });
}

/** Whether a product of this many multiply-adds would be split (threads permitting). */
export const splitWorthy = (macs: number) => macs >= SPLIT_FROM;

// The worker's whole program. A job's kernel (a module on a memory) comes once by message; every job then comes
// through the shared control block: the caller writes the kernel's id and the arguments and bumps SEQ, and the
// worker, spinning on SEQ for SPIN_MS after each job before it sleeps in Atomics.wait, runs its share, counts it
// done and wakes the caller. (Waking a sleeping thread, by message or by futex alike, cost ~40 µs each way on the
// 2-core machine, ~85 µs a round trip, against ~0.5 µs with both spinning: the hand-off, not the halves, is what
// kept a PINN step's 1024×32×32 products, ~65 µs on one thread, from splitting.) A job whose
// kernel the worker has not instantiated yet sends it back to its event loop, where that kernel's message waits;
// so does a "forget" message (MESSAGES says one waits: a dropped plan's memory is freed there), and a long idle
// spell. A trap counts as failed (the caller then computes
// that share itself, and reports the failure).
const WORKER_SOURCE = `
const kernels = new Map();
let ctl = null;
let seen = 0;
let inLoop = false;
let later = false;
// spin: whether to spin before sleeping (not when coming back from an idle spell)
function loop(spin) {
  if (inLoop || !ctl) return;
  inLoop = true;
  try {
    for (;;) {
      let seq = Atomics.load(ctl, ${SEQ});
      if (seq === seen && spin) {
        Atomics.store(ctl, ${AWAKE}, 1);
        const t = performance.now();
        while (seq === seen && performance.now() - t < ${SPIN_MS}) seq = Atomics.load(ctl, ${SEQ});
      }
      if (seq === seen) {
        Atomics.store(ctl, ${AWAKE}, 0);
        if (Atomics.wait(ctl, ${SEQ}, seen, ${IDLE_MS}) === 'timed-out') {
          if (!later) { later = true; setTimeout(() => { later = false; loop(false); }, 0); }
          return;
        }
        seq = Atomics.load(ctl, ${SEQ});
        if (seq === seen) continue;
      }
      if (Atomics.exchange(ctl, ${MESSAGES}, 0) === 1) {
        // a kernel to forget: its message is read in the event loop (then onMessage, or the timer, comes back)
        if (!later) { later = true; setTimeout(() => { later = false; loop(true); }, 0); }
        return;
      }
      const gemm = kernels.get(Atomics.load(ctl, ${JOB_ID}));
      if (!gemm) return; // its message is on its way: onMessage comes back here
      seen = seq;
      try {
        gemm(${[...Array(13).keys()].map((i) => `ctl[${JOB_ARGS + i}]`).join(', ')});
      } catch (e) {
        Atomics.add(ctl, 2, 1);
      }
      Atomics.store(ctl, ${AWAKE}, 1);
      Atomics.add(ctl, 1, 1);
      Atomics.notify(ctl, 1);
      spin = true;
    }
  } finally {
    Atomics.store(ctl, ${AWAKE}, 0);
    inLoop = false;
  }
}
function onMessage(m) {
  if (m.ctl) { ctl = new Int32Array(m.ctl); Atomics.store(ctl, 0, 1); }
  else if (m.forget !== undefined) kernels.delete(m.forget);
  else kernels.set(m.id, new WebAssembly.Instance(m.module, { env: { mem: m.memory } }).exports.gemm);
  Atomics.store(ctl, ${KERNELS}, kernels.size);
  loop(true);
}
if (typeof require === 'function') require('node:worker_threads').parentPort.on('message', onMessage);
else self.onmessage = (e) => onMessage(e.data);
`;

function startPool(): Pool | null {
  try {
    const ctl = new Int32Array(new SharedArrayBuffer(4 * CTL_INTS));
    const wt = nodeWorkers();
    let worker: WorkerLike;
    if (wt) {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      w.unref();
      w.on('error', (e) => stop(`the matmul worker failed: ${e.message}`));
      worker = w;
    } else {
      const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
      const w = new Worker(url, { name: 'nabla-gemm' });
      // (an Event without a message where the script never loaded: a policy refusing blob: workers)
      w.onerror = (e) =>
        stop(
          `the matmul worker failed: ${e.message || 'its script did not load (does the page’s Content-Security-Policy allow blob: workers?)'}`,
        );
      worker = w;
    }
    worker.postMessage({ ctl: ctl.buffer });
    const forget =
      typeof FinalizationRegistry === 'undefined'
        ? null
        : new FinalizationRegistry<number>((id) => {
            // the worker, busy with jobs from the control block, reads this message before its next job
            pool?.worker.postMessage({ forget: id });
            if (pool) Atomics.store(pool.ctl, MESSAGES, 1);
          });
    return { worker, ctl, posted: 0, ids: new WeakMap(), next: 0, forget };
  } catch (e) {
    offReason = `the matmul worker did not start (${(e as Error).message})`;
    return null;
  }
}

function stop(reason: string): void {
  offReason = reason;
  const p = pool;
  pool = null;
  try {
    p?.worker.terminate();
  } catch {
    // already gone
  }
}

/**
 * Runs the product on two threads when it is big enough, the memory is shared and the worker is ready;
 * returns false (having done nothing) otherwise, and the caller runs it on one. `args` are the blocked
 * loop's first eight arguments; C has `rowBlocks` blocks of `rows` rows and `panels` panels.
 */
export function splitGemm(
  k: {
    gemm: (...a: number[]) => void;
    memory: WebAssembly.Memory;
    module: WebAssembly.Module;
    panelCols: number;
  },
  args: readonly number[],
  rowBlocks: number,
  panels: number,
  K: number,
  rows: number,
  /** multiply-adds from which this product splits (the eager path's are SPLIT_FROM_EAGER) */
  splitFrom = SPLIT_FROM,
): boolean {
  const macs = rowBlocks * rows * panels * k.panelCols * K;
  if (!wanted || macs < splitFrom || (rowBlocks < 2 && panels < 2)) return false;
  if (typeof SharedArrayBuffer === 'undefined' || !(k.memory.buffer instanceof SharedArrayBuffer)) return false;
  if (!pool) {
    if (unsupported()) return false;
    pool = startPool();
    return false; // it answers ready in a while; until then, one thread
  }
  const p = pool;
  if (Atomics.load(p.ctl, 0) !== 1) return false;
  const pacing = pacingFor(macs);
  if (pacingOn && pacing.skip > 0) {
    pacing.skip--;
    paced++;
    return false;
  }
  // the caller takes the first half, the worker the second
  const Mp = rowBlocks * rows;
  let mine: number[];
  let theirs: number[];
  if (rowBlocks >= panels) {
    const mid = Math.ceil(rowBlocks / 2) * rows;
    mine = [0, mid, 0, panels];
    theirs = [mid, Mp, 0, panels];
  } else {
    const mid = Math.ceil(panels / 2);
    mine = [0, Mp, 0, mid];
    theirs = [0, Mp, mid, panels];
  }
  let id = p.ids.get(k);
  if (id === undefined) {
    // the worker instantiates it from this message (it leaves its spin for it: the job below names it)
    id = p.next++;
    p.ids.set(k, id);
    p.forget?.register(k, id);
    p.worker.postMessage({ id, module: k.module, memory: k.memory });
  }
  const ctl = p.ctl;
  const target = ++p.posted;
  const failedBefore = Atomics.load(ctl, 2);
  // a sleeping worker's wake-up (~40 µs here) is a one-off, not a sign of a starved worker: pacing leaves it out
  const woken = Atomics.load(ctl, AWAKE) === 0;
  const start = performance.now();
  [...args, ...theirs, K].forEach((v, i) => (ctl[JOB_ARGS + i] = v));
  Atomics.store(ctl, JOB_ID, id);
  Atomics.add(ctl, SEQ, 1);
  Atomics.notify(ctl, SEQ);
  k.gemm(...args, ...mine, K);
  const own = performance.now() - start;
  const spinUntil = performance.now() + SPIN_MS;
  let done = Atomics.load(ctl, 1);
  while (done < target && performance.now() < spinUntil) done = Atomics.load(ctl, 1);
  const t0 = Date.now();
  for (; done < target; done = Atomics.load(ctl, 1)) {
    if (Atomics.wait(ctl, 1, done, 1000) === 'timed-out' && Date.now() - t0 > STUCK_MS) {
      stop(`the matmul worker did not answer within ${STUCK_MS / 1000} s`);
      k.gemm(...args, ...theirs, K);
      return true;
    }
  }
  if (Atomics.load(p.ctl, 2) !== failedBefore) {
    // its share may be missing or partial: compute it here (same loop, same bits) and stop sharing
    stop('the matmul worker failed on a job (a trap in wasm); products run on one thread');
    k.gemm(...args, ...theirs, K);
    return true;
  }
  splits++;
  if (pacingOn && !woken) pace(pacing, own, performance.now() - start - own);
  return true;
}

/** How matmuls run here: on how many threads, and why not two where it is one. */
export function gemmThreads(): GemmThreads {
  const why = unsupported();
  return {
    threads: why ? 1 : 2,
    reason: why || (pool ? 'a worker thread runs half of each product' : 'a worker thread starts at the first product'),
    splitFrom: SPLIT_FROM,
    splitFromEager: SPLIT_FROM_EAGER,
    ready: !!pool && Atomics.load(pool.ctl, 0) === 1,
    splits,
    paced,
    workerKernels: pool ? Atomics.load(pool.ctl, KERNELS) : 0,
  };
}

/**
 * Sets how many threads a big matmul runs on (1 or 2), where this platform allows two (gemmThreads().reason
 * says otherwise). A worker already started stays, idle, for when two are asked for again.
 */
export function setGemmThreads(n: 1 | 2): void {
  wanted = n === 2;
  pacings.clear();
}

/** Turns pacing (above) off or on; off, every product big enough splits (tests that count splits). */
export function setGemmPacing(on: boolean): void {
  pacingOn = on;
  pacings.clear();
}
