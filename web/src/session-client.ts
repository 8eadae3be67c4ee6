// The page's handle on the session worker (session.worker.ts) and the GPU worker (gpu.worker.ts): requests
// by id, outputs of a run streamed to its sinks, and restart as a fresh worker (which also stops a cell
// that never ends). The GPU worker lives as long as the page; each session worker gets its own
// MessageChannel to it. Shared memory (and so the webgpu backend) needs a cross-origin isolated page:
// web/serve.ts sends the COOP/COEP headers; elsewhere the session still runs, without webgpu.
import type { CallName, Calls, Init, Reply, Request } from './protocol';
import type { MimeBundle } from './notebook';

export interface RunSinks {
  stream(name: 'stdout' | 'stderr', text: string): void;
  display(bundle: MimeBundle, displayId?: string, update?: boolean): void;
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

  constructor() {
    this.start();
  }

  /** Whether this page can give the session a GPU worker (shared memory needs cross-origin isolation). */
  static gpuWorkerPossible(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && (self as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  }

  private start(): void {
    this.worker = new Worker(new URL('./session.worker.js', import.meta.url), { type: 'module', name: 'nabla-session' });
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.receive(e.data);
    this.worker.onerror = (e) => this.failAll(`the session worker failed: ${e.message || 'it could not start'}`);
    let gpuPort: MessagePort | null = null;
    if (SessionClient.gpuWorkerPossible() && typeof MessageChannel !== 'undefined') {
      this.gpu ??= new Worker(new URL('./gpu.worker.js', import.meta.url), { type: 'module', name: 'nabla-gpu' });
      const channel = new MessageChannel();
      this.gpu.postMessage({ port: channel.port2 }, [channel.port2]);
      gpuPort = channel.port1;
    }
    const init: Init = { init: true, gpuPort };
    this.worker.postMessage(init, gpuPort ? [gpuPort] : []);
  }

  private receive(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('output' in m) {
      const o = m.output;
      if (o.kind === 'display') p.sinks?.display(o.bundle, o.displayId, o.update);
      else p.sinks?.stream(o.kind, o.text);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.message));
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  call<K extends CallName>(call: K, args: Calls[K]['req'], sinks?: RunSinks): Promise<Calls[K]['reply']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, sinks });
      this.worker.postMessage({ id, call, args } as Request);
    });
  }

  /** Whether a request (a run, most likely) is still unanswered. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Ends the session worker (and whatever it was running) and starts a fresh one. */
  restart(): void {
    this.worker.terminate();
    this.failAll('the session was restarted');
    this.start();
  }
}
