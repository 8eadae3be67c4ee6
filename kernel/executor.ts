import { getHeapStatistics } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AGENT_HOST, closeHostedAgents, hostWebGPUAgents } from '../runtime/devices-node';
import type { Completion, Executor, InspectResult, IsCompleteResult, RunResult, RunSinks } from './types';
import { STDIN_CAPACITY, type FromWorker, type ToWorker, type WorkerData } from './worker-protocol';
import { stdinBuffer, writeStdin } from '../compiler/stdin-channel';
import { failed, placeless } from '../diagnostic';

/**
 * Runs the Session in a worker thread (kernel/worker.ts). The main thread stays free: output is forwarded
 * as the worker produces it, interrupts are written into shared memory, and when the worker dies (out of
 * memory, a crash, or a cell that ignores an interrupt past `interruptGraceMs`) the running cell gets an
 * error that says its state is gone and a fresh worker takes over. The kernel process itself never dies of
 * a user's code.
 */
export interface WorkerExecutorOptions {
  /** Path or URL of a module exporting `createSession`. */
  sessionModule: string;
  /** After an interrupt, how long a cell may run on before its worker is replaced. */
  interruptGraceMs?: number;
  /** The worker's heap limit; reaching it ends the worker only. Default: the main thread's limit. */
  heapLimitMb?: number;
  log?: (message: string) => void;
}

interface Pending {
  op: ToWorker['op'];
  resolve(value: unknown): void;
  sinks?: RunSinks;
  fallback: unknown;
}

const MAX_FAILED_STARTS = 3;

export class WorkerExecutor implements Executor {
  private worker: Worker | null = null;
  private readonly interruptBuf = new SharedArrayBuffer(4);
  private readonly flag = new Int32Array(this.interruptBuf);
  private readonly stdinBuf = stdinBuffer(STDIN_CAPACITY);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private runningId = 0;
  private escalation: ReturnType<typeof setTimeout> | null = null;
  private readyOnce = false;
  private failedStarts = 0;
  private broken: string | null = null;
  private closing = false;
  private readonly sessionUrl: string;
  private readonly graceMs: number;
  private readonly heapMb: number;
  private readonly log: (m: string) => void;
  /** Resolves when the current worker has said it is ready (tests and start-up logging wait on it). */
  ready: Promise<string[]> = Promise.resolve([]);

  constructor(opts: WorkerExecutorOptions) {
    this.sessionUrl = /^[a-z]+:/i.test(opts.sessionModule)
      ? opts.sessionModule
      : pathToFileURL(opts.sessionModule).href;
    this.graceMs = opts.interruptGraceMs ?? 5000;
    this.heapMb = opts.heapLimitMb ?? Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
    this.log = opts.log ?? ((m) => process.stderr.write(`[nabla kernel] ${m}\n`));
    this.spawn();
  }

  private spawn(): void {
    Atomics.store(this.flag, 0, 0);
    const data: WorkerData = {
      sessionModule: this.sessionUrl,
      interrupt: this.interruptBuf,
      stdin: this.stdinBuf,
      heapLimitMb: this.heapMb,
      [AGENT_HOST]: true,
    };
    const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb },
    });
    // this thread may be ended (a restart, an ignored interrupt): its GPU agent lives here instead (agent-host.ts)
    hostWebGPUAgents(w);
    this.worker = w;
    this.readyOnce = false;
    let onReady: (warnings: string[]) => void = () => {};
    this.ready = new Promise((resolve) => (onReady = resolve));
    w.on('message', (m: FromWorker) => {
      if (this.worker !== w) return;
      if (m.op === 'ready') {
        this.readyOnce = true;
        this.failedStarts = 0;
        for (const warning of m.warnings) this.log(warning);
        onReady(m.warnings);
      } else this.fromWorker(m);
    });
    w.on('error', (e: Error & { code?: string }) => {
      const why =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the cell ran out of memory (the interpreter's heap limit is ${this.heapMb} MB)`
          : `the interpreter crashed: ${e.message}`;
      this.died(w, why);
    });
    w.on('exit', (code) => this.died(w, `the interpreter stopped (exit code ${code})`));
  }

  private fromWorker(m: Exclude<FromWorker, { op: 'ready' }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.op) {
      case 'stdout':
        p.sinks?.stdout(m.text);
        break;
      case 'stderr':
        p.sinks?.stderr(m.text);
        break;
      case 'display':
        p.sinks?.display(m.bundle, { displayId: m.displayId, update: m.update });
        break;
      case 'clear':
        p.sinks?.clearOutput(m.wait);
        break;
      case 'input':
        this.answerInput(m.id, p.sinks?.input?.(m.prompt, m.password) ?? null);
        break;
      case 'result':
        this.settle(m.id, m.value);
        break;
    }
  }

  private answerInput(id: number, answer: Promise<string> | null): void {
    const give = (code: 1 | 2, text = '') => {
      if (this.runningId !== id) return; // the cell ended (interrupted) before the front end answered
      writeStdin(this.stdinBuf, code, text);
    };
    if (!answer) return give(2);
    answer.then(
      (text) => give(1, text),
      () => give(2),
    );
  }

  private settle(id: number, value: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (id === this.runningId) {
      this.runningId = 0;
      if (this.escalation) clearTimeout(this.escalation);
      this.escalation = null;
    }
    p.resolve(value);
  }

  private died(w: Worker, why: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    if (this.closing) return;
    const lost = this.readyOnce
      ? 'all variables and definitions are gone; the kernel started a fresh interpreter (run the cells you need again)'
      : 'the interpreter could not start';
    this.log(`${why}; ${lost}`);
    if (!this.readyOnce && ++this.failedStarts >= MAX_FAILED_STARTS)
      this.broken = `${why} (${this.failedStarts} times in a row at start-up)`;
    const ename = why.startsWith('the cell did not stop') ? 'KeyboardInterrupt' : 'InterpreterDied';
    for (const [id, p] of [...this.pending]) {
      this.settle(id, p.op === 'run' ? failure(ename, `${why}; ${lost}`) : p.fallback);
    }
    if (!this.broken) this.spawn();
  }

  private call<T>(msg: ToWorker, fallback: T, sinks?: RunSinks): Promise<T> {
    if (this.broken || this.closing || !this.worker) {
      const why = this.broken ?? 'the kernel is shutting down';
      if (msg.id === this.runningId) this.runningId = 0;
      return Promise.resolve(msg.op === 'run' ? (failure('KernelSetupError', why) as T) : fallback);
    }
    return new Promise<T>((resolve) => {
      this.pending.set(msg.id, { op: msg.op, resolve: resolve as (v: unknown) => void, sinks, fallback });
      this.worker!.postMessage(msg);
    });
  }

  run(code: string, sinks: RunSinks, opts: { file?: string } = {}): Promise<RunResult> {
    const id = this.nextId++;
    this.runningId = id;
    return this.call<RunResult>(
      { op: 'run', id, code, file: opts.file, stdin: sinks.input !== null },
      failure('KernelError', 'no result'),
      sinks,
    );
  }

  complete(code: string, cursor: number): Promise<Completion> {
    return this.call({ op: 'complete', id: this.nextId++, code, cursor }, { matches: [], start: cursor, end: cursor });
  }

  inspect(code: string, cursor: number, detail: 0 | 1): Promise<InspectResult> {
    return this.call({ op: 'inspect', id: this.nextId++, code, cursor, detail }, { found: false, data: {} });
  }

  isComplete(code: string): Promise<IsCompleteResult> {
    return this.call({ op: 'isComplete', id: this.nextId++, code }, { status: 'unknown', indent: '' });
  }

  interrupt(): boolean {
    const id = this.runningId;
    if (!id || !this.worker) return false;
    Atomics.store(this.flag, 0, id);
    this.escalation ??= setTimeout(() => {
      this.escalation = null;
      if (this.runningId !== id || !this.worker) return;
      const w = this.worker;
      this.died(
        w,
        `the cell did not stop within ${this.graceMs / 1000} s of the interrupt (it was inside one long operation), so the kernel stopped its interpreter`,
      );
      void w.terminate();
    }, this.graceMs);
    return true;
  }

  async reset(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const [id, p] of [...this.pending])
      this.settle(id, p.op === 'run' ? failure('KeyboardInterrupt', 'the kernel was reset') : p.fallback);
    this.broken = null;
    this.failedStarts = 0;
    if (w) await w.terminate();
    this.spawn();
    await this.ready;
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    for (const [id, p] of [...this.pending])
      this.settle(id, p.op === 'run' ? failure('KernelError', 'the kernel shut down') : p.fallback);
    if (w) await w.terminate();
    await closeHostedAgents();
  }
}

function failure(ename: string, evalue: string): RunResult {
  return failed([placeless(ename, evalue)]);
}
