/**
 * A synchronous call over an asynchronous agent: the caller posts a request and blocks in `Atomics.wait`
 * on a SharedArrayBuffer until the agent (another thread, whose event loop is free to await the GPU)
 * writes the reply there and calls `Atomics.notify`. This is how the eager, synchronous runtime reaches
 * WebGPU, whose readback (`mapAsync`) exists only as a Promise. The caller must be a thread that may
 * block: a worker in a browser (the main thread may not `Atomics.wait`), any thread in Node.
 *
 * Replies land in shared memory rather than in a message because a blocked thread cannot receive one.
 * Control words (Int32): [state, kind, byteLength, seq]. The data buffer grows (a new SharedArrayBuffer,
 * sent with the next request) when a reply needs more room than it has.
 *
 * Kernels whose results stay on the GPU need no reply: those requests are posted without waiting, so the
 * runtime's thread goes on while the GPU works, and the agent answers everything in arrival order. A
 * failure among them is told in the reply to the next request that waits.
 *
 * Browser-safe: no Node imports. Endpoints are anything with postMessage (a MessagePort, a Worker, Node's
 * worker_threads ports).
 */

/** The workerData key that says a thread's parent hosts GPU agents for it (agent-host.ts). */
export const AGENT_HOST = 'nablaAgentHost';

export interface Endpoint {
  postMessage(message: unknown): void;
}

/** A kernel argument: host values, or the id of a result the agent keeps. */
export type AgentArg = Float32Array | { id: number };

/** A request as the agent receives it (the caller adds `seq`, `control` and `data`). */
export type AgentRequest =
  | { type: 'hello' }
  /** `keep`: leave the result on the GPU under this id (posted without waiting); else reply with it */
  | { type: 'run'; key: string; params: string[]; body: string; cells: number; args: AgentArg[]; keep?: number }
  /**
   * Build a kernel ahead of its first use (posted without waiting): the agent runs it once over scratch
   * arguments of these lengths (zeros; `kept`: a GPU buffer, as a kept result is passed) and drops the result
   */
  | { type: 'build'; key: string; params: string[]; body: string; cells: number; args: BuildArg[] }
  /** `length` values of a kept result from `offset` (0: from its start) */
  | { type: 'read'; id: number; length: number; offset?: number }
  | { type: 'free'; ids: number[] }
  | { type: 'fence' }
  | { type: 'stats' };

export type RunRequest = Extract<AgentRequest, { type: 'run' }>;
export type BuildRequest = Extract<AgentRequest, { type: 'build' }>;
/** A scratch argument of a build: how many values, and whether the kernel reads it as a kept result. */
export interface BuildArg {
  length: number;
  kept: boolean;
}

/** A request and where to answer it; `async` ones (kept kernels, frees) get no answer. */
export interface Envelope {
  nablaAgent: AgentRequest;
  seq: number;
  control?: SharedArrayBuffer;
  data?: SharedArrayBuffer;
  async?: boolean;
}

/** What an agent answers to hello: whether it can run kernels, and a line about its device or why not. */
export interface Hello {
  ready: boolean;
  /** the device when ready ("WebGPU adapter: google swiftshader"), else why not */
  says: string;
  /** the device is a CPU emulation (llvmpipe, SwiftShader) */
  fallback?: boolean;
  /** storage buffers one kernel may bind (the device's maxStorageBuffersPerShaderStage; WebGPU's default 8 when absent) */
  storageBuffers?: number;
}

const IDLE = 0;
const PENDING = 1;
const DONE = 2;

const FLOATS = 1;
const TEXT = 2;
const FAILED = 3;

/** Whether this thread can block on shared memory (SharedArrayBuffer exists and Atomics.wait is allowed). */
export function canBlock(): string | null {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') {
    return 'SharedArrayBuffer is unavailable here (a browser offers it only to cross-origin isolated pages: serve the page with COOP/COEP headers, as `npx nabla serve` does)';
  }
  const g = globalThis as { document?: unknown; crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated, so it cannot share memory with a GPU worker (serve it with COOP/COEP headers, as `npx nabla serve` does)';
  if (g.document !== undefined)
    return "a browser's main thread may not block (Atomics.wait), so the runtime must run in a worker to wait for the GPU";
  return null;
}

export class ChannelError extends Error {}

/** The caller's side. Every method blocks this thread until the agent answers or `timeoutMs` passes. */
export class SyncChannel {
  private readonly control = new Int32Array(new SharedArrayBuffer(16));
  private data = new SharedArrayBuffer(1 << 20);
  private seq = 0;
  /** set when the agent failed to answer in time: later calls fail at once instead of waiting again */
  broken: string | null = null;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly timeoutMs = 120_000,
  ) {}

  hello(timeoutMs = this.timeoutMs): Hello {
    return JSON.parse(this.text({ type: 'hello' }, timeoutMs)) as Hello;
  }

  stats(): unknown {
    return JSON.parse(this.text({ type: 'stats' }));
  }

  run(req: RunRequest): Float32Array {
    return this.floats(req, req.cells);
  }

  /** Copies a kept result (or `length` of its values from `offset`) back to the host. */
  read(id: number, length: number, offset = 0): Float32Array {
    return this.floats({ type: 'read', id, length, ...(offset ? { offset } : {}) }, length);
  }

  /** Waits until the agent has worked through everything posted before (and tells a failure among it). */
  fence(timeoutMs = this.timeoutMs): void {
    this.text({ type: 'fence' }, timeoutMs);
  }

  /** Posts a request that needs no answer (a kept kernel, a free); the agent runs it in order. */
  post(req: AgentRequest): void {
    if (this.broken) throw new ChannelError(this.broken);
    const envelope: Envelope = { nablaAgent: req, seq: 0, async: true };
    this.endpoint.postMessage(envelope);
  }

  private floats(req: AgentRequest, length: number): Float32Array {
    const reply = this.call(req, length * 4, this.timeoutMs);
    if (reply.kind !== FLOATS)
      throw new ChannelError(
        `the GPU agent answered a '${req.type}' request with ${reply.kind === TEXT ? 'text' : 'nothing'}`,
      );
    // copy out: the shared buffer is overwritten by the next call
    return new Float32Array(this.data, 0, reply.bytes / 4).slice();
  }

  private text(req: AgentRequest, timeoutMs = this.timeoutMs): string {
    const reply = this.call(req, 0, timeoutMs);
    const bytes = new Uint8Array(this.data, 0, reply.bytes).slice(); // TextDecoder refuses shared memory
    const text = new TextDecoder().decode(bytes);
    if (reply.kind !== TEXT)
      throw new ChannelError(`the GPU agent answered with ${reply.kind === FLOATS ? 'floats' : 'nothing'}`);
    return text;
  }

  private call(req: AgentRequest, bytes: number, timeoutMs: number): { kind: number; bytes: number } {
    if (this.broken) throw new ChannelError(this.broken);
    if (bytes > this.data.byteLength) this.data = new SharedArrayBuffer(Math.max(bytes, this.data.byteLength * 2));
    const seq = ++this.seq;
    const c = this.control;
    Atomics.store(c, 0, PENDING);
    const envelope: Envelope = { nablaAgent: req, seq, control: c.buffer as SharedArrayBuffer, data: this.data };
    this.endpoint.postMessage(envelope);
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(c, 0) === PENDING) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(c, 0, PENDING, left) === 'timed-out') {
        if (Atomics.load(c, 0) !== PENDING) break;
        this.broken = `the GPU agent did not answer a '${req.type}' request within ${Math.round(timeoutMs / 1000)} s (it may have crashed); WebGPU is off for this session`;
        throw new ChannelError(this.broken);
      }
    }
    if (Atomics.load(c, 3) !== seq) throw new ChannelError('the GPU agent answered another request (a bug in Nabla)');
    const kind = Atomics.load(c, 1);
    const len = Atomics.load(c, 2);
    Atomics.store(c, 0, IDLE);
    if (kind === FAILED) {
      const message = new TextDecoder().decode(new Uint8Array(this.data, 0, len).slice());
      throw new ChannelError(message);
    }
    return { kind, bytes: len };
  }
}

/** The agent's side: what runs the requests. */
export interface Executor {
  hello(): Promise<Hello>;
  /** the result, or null when it was kept (`req.keep`) */
  run(req: RunRequest): Promise<Float32Array | null>;
  /** builds the kernel (its pipeline) without a result for anyone; a failure is left to the kernel's real run */
  build(req: BuildRequest): Promise<void>;
  /** `length` values of a kept result from `offset` */
  read(id: number, offset: number, length: number): Promise<Float32Array>;
  free(ids: number[]): void;
  /** frees every result it keeps (its runtime thread is gone) */
  freeAll(): void;
  stats(): unknown;
}

/** Whether a message is a channel request (an agent may share its port with other traffic). */
export function isEnvelope(m: unknown): m is Envelope {
  return typeof m === 'object' && m !== null && 'nablaAgent' in m;
}

/**
 * Answers envelopes in arrival order, one at a time (a kept kernel must exist before a later request reads
 * it): an async one is run and its failure, if any, held for the next reply; any other is answered in the
 * caller's shared memory.
 */
export function answerer(executor: Executor): { answer(envelope: Envelope): Promise<void>; idle(): Promise<void> } {
  let queue = Promise.resolve();
  let failure: string | null = null;
  const runAsync = async (req: AgentRequest) => {
    try {
      if (req.type === 'free') executor.free(req.ids);
      else if (req.type === 'run') await executor.run(req);
      else if (req.type === 'build') await executor.build(req);
    } catch (e) {
      failure ??= describeFailure(req, e);
    }
  };
  return {
    answer: (envelope) =>
      (queue = queue.then(() => {
        if (envelope.async) return runAsync(envelope.nablaAgent);
        const earlier = envelope.nablaAgent.type === 'hello' || envelope.nablaAgent.type === 'stats' ? null : failure;
        if (earlier) failure = null;
        return answer(envelope, executor, earlier);
      })),
    /** resolves once everything that arrived so far has been answered */
    idle: () => queue,
  };
}

function describeFailure(req: AgentRequest, e: unknown): string {
  const why = e instanceof Error ? e.message : String(e);
  return req.type === 'run' ? `kernel ${req.key}: ${why}` : why;
}

async function answer(envelope: Envelope, executor: Executor, earlier: string | null): Promise<void> {
  const { nablaAgent: req, seq } = envelope;
  const control = envelope.control!;
  const data = envelope.data!;
  const c = new Int32Array(control);
  let kind: number;
  let len: number;
  try {
    if (earlier) throw new Error(`a kernel sent earlier without waiting failed (${earlier})`);
    if (req.type === 'run' || req.type === 'read') {
      const result =
        req.type === 'run' ? await executor.run(req) : await executor.read(req.id, req.offset ?? 0, req.length);
      const cells = req.type === 'run' ? req.cells : req.length;
      if (!result || result.length !== cells)
        throw new Error(`the agent gave ${result ? result.length : 'no'} values for ${cells}`);
      new Float32Array(data, 0, result.length).set(result);
      [kind, len] = [FLOATS, result.byteLength];
    } else if (req.type === 'fence' || req.type === 'free') {
      if (req.type === 'free') executor.free(req.ids);
      [kind, len] = [TEXT, writeText(data, '')];
    } else {
      len = writeText(data, JSON.stringify(req.type === 'hello' ? await executor.hello() : executor.stats()));
      kind = TEXT;
    }
  } catch (e) {
    len = writeText(data, e instanceof Error ? e.message : String(e));
    kind = FAILED;
  }
  Atomics.store(c, 1, kind);
  Atomics.store(c, 2, len);
  Atomics.store(c, 3, seq);
  Atomics.store(c, 0, DONE);
  Atomics.notify(c, 0);
}

function writeText(data: SharedArrayBuffer, text: string): number {
  const bytes = new TextEncoder().encode(text);
  const n = Math.min(bytes.length, data.byteLength);
  new Uint8Array(data, 0, n).set(bytes.subarray(0, n));
  return n;
}
