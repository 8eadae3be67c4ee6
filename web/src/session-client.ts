// The page's handle on the session worker (session.worker.ts) and the GPU worker (gpu.worker.ts): requests
// by id, outputs of a run streamed to its sinks, and restart as a fresh worker (which also stops a cell
// that never ends). The GPU worker lives as long as the page; each session worker gets its own
// MessageChannel to it. Shared memory (and so the webgpu backend) needs a cross-origin isolated page:
// web/serve.ts sends the COOP/COEP headers; elsewhere the session still runs, without webgpu.
// The JupyterLite kernel (lite/src/kernel.ts) drives the same two workers through this class, with the
// interrupt flag and input() answers in shared memory.
import { STDIN_CAPACITY, type CallName, type Calls, type Init, type Reply, type Request } from './protocol';
import { stdinBuffer, writeStdin } from '../../compiler/stdin-channel';
import type { MimeBundle } from './notebook';

export interface RunSinks {
  stream(name: 'stdout' | 'stderr', text: string): void;
  display(bundle: MimeBundle, displayId?: string, update?: boolean): void;
  /** clear_output(); ignored where absent. */
  clear?(wait: boolean): void;
  /** Answers input(): a rejected promise declines. Runs asked with stdin: true need it. */
  input?(prompt: string, password: boolean): Promise<string>;
}

/** Where the two workers' scripts are (a bundler that hashes file names passes its names). */
export interface WorkerUrls {
  session: URL | string;
  gpu: URL | string;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  sinks?: RunSinks;
}

export class SessionClient {
  private worker!: Worker;
  private gpu: Worker | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private readonly urls: WorkerUrls;
  /** Shared with each session worker (null where the page cannot share memory): see protocol.ts Init. */
  private readonly interruptFlag: Int32Array | null;
  private readonly stdinBuf: SharedArrayBuffer | null;
  /** Run requests not yet answered, oldest first: the worker runs them in order, so the first is running. */
  private runs: number[] = [];

  private get runningId(): number {
    return this.runs[0] ?? 0;
  }

  constructor(urls?: WorkerUrls) {
    this.urls = urls ?? {
      session: new URL('./session.worker.js', import.meta.url),
      gpu: new URL('./gpu.worker.js', import.meta.url),
    };
    const shared = SessionClient.gpuWorkerPossible();
    this.interruptFlag = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
    this.stdinBuf = shared ? stdinBuffer(STDIN_CAPACITY) : null;
    this.start();
  }

  /** Whether this page can give the session a GPU worker (shared memory needs cross-origin isolation). */
  static gpuWorkerPossible(): boolean {
    return (
      typeof SharedArrayBuffer !== 'undefined' &&
      (self as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
    );
  }

  private start(): void {
    this.worker = new Worker(this.urls.session, { type: 'module', name: 'nabla-session' });
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.receive(e.data);
    this.worker.onerror = (e) => this.failAll(`the session worker failed: ${e.message || 'it could not start'}`);
    let gpuPort: MessagePort | null = null;
    if (SessionClient.gpuWorkerPossible() && typeof MessageChannel !== 'undefined') {
      this.gpu ??= new Worker(this.urls.gpu, { type: 'module', name: 'nabla-gpu' });
      const channel = new MessageChannel();
      this.gpu.postMessage({ port: channel.port2 }, [channel.port2]);
      gpuPort = channel.port1;
    }
    if (this.interruptFlag) Atomics.store(this.interruptFlag, 0, 0);
    const init: Init = {
      init: true,
      gpuPort,
      interrupt: (this.interruptFlag?.buffer as SharedArrayBuffer | undefined) ?? null,
      stdin: this.stdinBuf,
    };
    this.worker.postMessage(init, gpuPort ? [gpuPort] : []);
  }

  private receive(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('output' in m) {
      const o = m.output;
      if (o.kind === 'display') p.sinks?.display(o.bundle, o.displayId, o.update);
      else if (o.kind === 'clear') p.sinks?.clear?.(o.wait);
      else if (o.kind === 'input') this.answerInput(m.id, p.sinks?.input?.(o.prompt, o.password) ?? null);
      else p.sinks?.stream(o.kind, o.text);
      return;
    }
    this.pending.delete(m.id);
    this.runs = this.runs.filter((r) => r !== m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.message));
  }

  private failAll(message: string): void {
    this.runs = [];
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  /** Writes the front end's answer to input() where the blocked worker reads it (state 1), or declines (2). */
  private answerInput(id: number, answer: Promise<string> | null): void {
    const buf = this.stdinBuf;
    if (!buf) return;
    const give = (code: 1 | 2, text = '') => {
      if (this.runningId !== id) return; // the run ended (interrupted) before the answer came
      writeStdin(buf, code, text);
    };
    if (!answer) return give(2);
    answer.then(
      (text) => give(1, text),
      () => give(2),
    );
  }

  call<K extends CallName>(call: K, args: Calls[K]['req'], sinks?: RunSinks): Promise<Calls[K]['reply']> {
    const id = this.nextId++;
    if (call === 'run') this.runs.push(id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, sinks });
      this.worker.postMessage({ id, call, args } as Request);
    });
  }

  /** Whether a request (a run, most likely) is still unanswered. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Whether interrupt() can stop a run and keep the session (shared memory); otherwise only restart() can. */
  get canInterrupt(): boolean {
    return this.interruptFlag !== null;
  }

  /**
   * Stops the run in progress at its next interrupt check (a loop's back-edge, any tensor op), keeping the
   * session's variables; its reply is a KeyboardInterrupt error. True when a run was in progress.
   */
  interrupt(): boolean {
    if (!this.interruptFlag || !this.runningId) return false;
    Atomics.store(this.interruptFlag, 0, this.runningId);
    return true;
  }

  /** Ends both workers for good (the JupyterLite kernel's shutdown). */
  dispose(): void {
    this.worker.terminate();
    this.gpu?.terminate();
    this.gpu = null;
    this.failAll('the session was shut down');
  }

  /** Ends the session worker (and whatever it was running) and starts a fresh one. */
  restart(): void {
    this.worker.terminate();
    this.failAll('the session was restarted');
    this.start();
  }
}
