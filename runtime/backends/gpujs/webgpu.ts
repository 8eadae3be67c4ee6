import type { DeviceData } from '../../storage';
import { AGENT_HOST, canBlock, SyncChannel, type AgentArg, type Endpoint, type RunRequest } from './channel';
import { dawnBinding } from './dawn';
import { argKinds, type Plan } from './plans';
import { countRead, gpuResident, gpuTraffic } from './resident';
import { bug, gpuBug } from '../../errors';

/**
 * The webgpu backend: a synchronous face over WebGPU's asynchronous API (channel.ts). The runtime's thread
 * blocks in Atomics.wait while a GPU agent (agent.ts) that owns the GPUDevice runs the gpu.js webgpu
 * kernel and writes the result into shared memory. Where the agent lives:
 * - in a browser, a dedicated worker the page starts (web/src/gpu.worker.ts), connected by a MessagePort
 *   to the worker the session runs in (the page's main thread may not block); the page attaches it with
 *   `attachWebGPUAgent(port)`. Shared memory needs a cross-origin isolated page (COOP/COEP headers);
 * - in Node, a worker_thread (node-agent.ts) with the npm package 'webgpu' (Dawn), started by the probe
 *   when the Dawn binding loads; the probe then blocks until the agent says whether an adapter answered
 *   and a check kernel came back exact.
 * The probe's answer is the agent's: null when it is ready, else its reason (or why no agent could start).
 */
let channel: SyncChannel | null = null;
let answer: string | null | undefined;
let device = '';
let fallback = false;
let storageBuffers = 8;
/** How long the probe waits for the agent's hello (a cold worker compiles the runtime first) and for a kernel. */
const HELLO_MS = 60_000;
const RUN_MS = 120_000;

export interface AgentOptions {
  helloTimeoutMs?: number;
  runTimeoutMs?: number;
}
let helloTimeoutMs = HELLO_MS;

/** Uses the GPU agent at the other end of `endpoint` (a MessagePort) from now on; the next probe asks it. */
export function attachWebGPUAgent(endpoint: Endpoint, opts: AgentOptions = {}): void {
  channel = new SyncChannel(endpoint, opts.runTimeoutMs ?? RUN_MS);
  live = 0; // webgpuLiveBuffers counts the results of this agent
  helloTimeoutMs = opts.helloTimeoutMs ?? HELLO_MS;
  answer = undefined;
  device = '';
  fallback = false;
}

/**
 * Why the webgpu backend cannot run here, or null when its agent answered ready (asked once). The automatic
 * choice (`auto`) also passes over a CPU emulation of a GPU (llvmpipe, SwiftShader: slower than webasm and
 * js), and in Node on Linux does not start an agent where no GPU device node exists, since only such an
 * emulation could answer there; naming the backend (NABLA_BACKEND=webgpu, setBackend) uses them anyway.
 */
export function probeWebGPU(auto = false): string | null {
  if (auto && answer === undefined && !channel) {
    const none = noGpuDevice();
    if (none) return none;
  }
  const why = probeAgent();
  if (why || !auto || !fallback) return why;
  return `its only adapter is a CPU emulation (${device}), slower here than webasm; choose webgpu by name to use it anyway (NABLA_BACKEND=webgpu)`;
}

/** Linux in Node: why no GPU can be there (no /dev/dri render node, no /dev/nvidia*), or null. */
function noGpuDevice(): string | null {
  if (!isNode() || process.platform !== 'linux') return null;
  const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  const has = (dir: string, prefix: string) => {
    try {
      return fs.readdirSync(dir).some((f) => f.startsWith(prefix));
    } catch {
      return false;
    }
  };
  if (has('/dev/dri', 'renderD') || has('/dev', 'nvidia')) return null;
  return 'no GPU here (no /dev/dri/renderD* or /dev/nvidia* device), so only a CPU emulation could answer; NABLA_BACKEND=webgpu tries anyway';
}

function probeAgent(): string | null {
  if (answer !== undefined) return answer;
  const blocked = canBlock();
  if (blocked) return (answer = blocked);
  if (!channel) {
    if (!isNode()) {
      return (answer =
        'no GPU agent is attached to this worker (the page starts one and calls attachWebGPUAgent; see runtime/backends/gpujs/README.md)');
    }
    const why = dawnBinding();
    if (why) return (answer = why);
    const started = startNodeAgent();
    if (started) return (answer = started);
  }
  try {
    const hello = channel!.hello(helloTimeoutMs);
    if (hello.ready) {
      device = hello.says;
      fallback = hello.fallback ?? false;
      storageBuffers = hello.storageBuffers ?? 8;
      return (answer = null);
    }
    answer = `the GPU agent says: ${hello.says}`;
  } catch (e) {
    answer = `the GPU agent did not start: ${(e as Error).message}`;
  }
  void agentWorker?.terminate(); // a Node agent that cannot serve is not kept
  agentWorker = null;
  return answer;
}

/** Storage buffers one kernel may bind on the agent's device (WebGPU's default 8 unless it said more). */
export function webgpuStorageBuffers(): number {
  return storageBuffers;
}

/** The device the agent runs on ("WebGPU adapter: google swiftshader"), once the probe passed. */
export function webgpuDevice(): string {
  return device;
}

/** Runs a plan on the agent, blocking until its result is back on the host. */
export function runOnAgent(plan: Plan): Float32Array {
  const ch = ready();
  gpuTraffic.webgpu.dispatches++;
  const result = ch.run(request(plan));
  countRead('webgpu', result.length);
  return result;
}

/**
 * Runs a plan on the agent and leaves the result on the GPU: the request is posted without waiting, and the
 * result is an AgentBuffer that later plans pass by id and that copies itself back when the host needs it.
 * Every FENCE_EVERY such posts the runtime waits for the agent to catch up, so a loop that never reads a
 * value cannot queue unbounded work.
 */
export function keepOnAgent(plan: Plan): AgentBuffer | Float32Array {
  if (!gpuResident()) return runOnAgent(plan);
  const ch = ready();
  const id = ++lastId;
  flushFrees(ch);
  ch.post({ ...request(plan), keep: id });
  gpuTraffic.webgpu.dispatches++;
  if (++postedSinceWait >= FENCE_EVERY) {
    ch.fence();
    postedSinceWait = 0;
  }
  live++;
  return new AgentBuffer(id, plan.cells, ch);
}

/**
 * Has the agent build the kernel of `plan` now, before its first real run (a compiled plan builds every
 * kernel it will run when it is made: compiled-plan.ts). Only the arguments' lengths and kinds travel (the
 * agent runs the kernel once over zeros); counted as one dispatch, no floats. `plan.args` may hold stand-ins
 * for device values (any non-array DeviceData): only `length` is read.
 */
export function buildOnAgent(plan: Plan): void {
  const ch = ready();
  flushFrees(ch);
  ch.post({
    type: 'build',
    key: `${plan.key}#${argKinds(plan.args)}`,
    params: plan.params,
    body: plan.body(),
    cells: plan.cells,
    args: plan.args.map((a) => ({ length: a.length, kept: !ArrayBuffer.isView(a) })),
  });
  gpuTraffic.webgpu.dispatches++;
  if (++postedSinceWait >= FENCE_EVERY) {
    ch.fence();
    postedSinceWait = 0;
  }
}

const FENCE_EVERY = 256;
let lastId = 0;
let postedSinceWait = 0;
let live = 0;
let pendingFrees: number[] = [];

/**
 * Runs a plan on the agent and leaves its result on the GPU as consecutive parts of `lengths` values each, every
 * part a device value of its own over the one GPU buffer (an optimizer's fused update writes a param's new
 * values and its state in one kernel: optim-kernels.ts). The buffer is freed when every part is released.
 */
export function keepPartsOnAgent(plan: Plan, lengths: readonly number[]): AgentBuffer[] {
  if (lengths.reduce((a, b) => a + b, 0) !== plan.cells) throw bug('the parts of a kept result do not add up to it');
  const whole = keepOnAgent(plan);
  if (!(whole instanceof AgentBuffer)) throw bug('webgpu kept no device result for a plan in parts');
  return whole.split(lengths);
}

/** The GPU buffer behind one or more AgentBuffers, freed on the agent when the last of them is released. */
interface KeptResult {
  id: number;
  length: number;
  /** AgentBuffers over it not yet released */
  holders: number;
}

/**
 * A kernel result the GPU agent keeps (runtime/storage.ts DeviceData): the whole of it, or a part that starts
 * at `base` (kernels read it with that offset: layout.ts `operand`; a read copies back only the part).
 */
export class AgentBuffer implements DeviceData {
  readonly backend = 'webgpu';
  private released = false;
  private readonly kept: KeptResult;
  constructor(
    readonly id: number,
    readonly length: number,
    private readonly ch: SyncChannel,
    readonly base = 0,
    kept?: KeptResult,
  ) {
    this.kept = kept ?? { id, length, holders: 1 };
  }
  /** This whole result as parts of `lengths` values each (this one is not used again). */
  split(lengths: readonly number[]): AgentBuffer[] {
    if (this.released || this.base !== 0 || this.kept.holders !== 1)
      throw bug('only a whole, unshared result is split');
    this.released = true;
    this.kept.holders = lengths.length;
    let at = 0;
    return lengths.map((n) => {
      const part = new AgentBuffer(this.id, n, this.ch, at, this.kept);
      at += n;
      return part;
    });
  }
  read(): Float32Array {
    postedSinceWait = 0;
    countRead('webgpu', this.length);
    try {
      return this.ch.read(this.id, this.length, this.base);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw gpuBug(`the gpu.js webgpu backend, reading a result back`, why);
    }
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    if (--this.kept.holders > 0) return;
    if (this.ch === channel) live--; // a result of an agent replaced since is not counted (attachWebGPUAgent)
    // possibly called by the garbage collector between two requests: the ids go with the next post
    pendingFrees.push(this.id);
    if (pendingFrees.length >= 64 && this.ch === channel) flushFrees(this.ch);
  }
}

function flushFrees(ch: SyncChannel): void {
  if (!pendingFrees.length || ch.broken) return;
  ch.post({ type: 'free', ids: pendingFrees });
  pendingFrees = [];
}

/** Kernel results the current GPU agent keeps for this thread now (freed ones not counted). */
export function webgpuLiveBuffers(): number {
  return live;
}

function ready(): SyncChannel {
  if (!channel || answer !== null) throw new Error(`webgpu is not ready: ${answer ?? 'probe it first'}`);
  return channel;
}

/**
 * The request for a plan. Arguments the agent keeps go by id; the key notes which arguments those are,
 * since gpu.js fixes each argument's kind (array or GPU buffer) when it builds a kernel.
 */
function request(plan: Plan): RunRequest {
  const args: AgentArg[] = plan.args.map((a) => {
    if (a instanceof AgentBuffer) return { id: a.id };
    if (!ArrayBuffer.isView(a)) throw bug(`webgpu was handed ${a.backend}'s device values`);
    return own(a);
  });
  return {
    type: 'run',
    key: `${plan.key}#${argKinds(plan.args)}`,
    params: plan.params,
    body: plan.body(),
    cells: plan.cells,
    args,
  };
}

/** The agent's kernel cache counts and which gpu.js classes ran (tests check WebGPUKernel). */
export function webgpuAgentStats(): {
  mode: string;
  cache: Record<string, number>;
  classes: string[];
  kept: number;
  runs: number;
  floatsIn: number;
  floatsOut: number;
} | null {
  if (!channel || answer !== null) return null;
  flushFrees(channel); // so `kept` counts what is still in use, not frees waiting for their batch
  return channel.stats() as never;
}

/**
 * An input as its own buffer: structured clone copies a typed array's whole ArrayBuffer, and plan args
 * are often windows (subarrays) of a larger storage.
 */
function own(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

let agentWorker: { terminate(): Promise<number> } | null = null;

/**
 * At exit, waits (up to 10 s) for the agent to finish what was posted without waiting: Node ends a
 * worker_thread mid-call otherwise, and Dawn aborts the process if that call was building a pipeline.
 */
function drainAtExit(worker: object): void {
  if (worker !== agentWorker || !channel || channel.broken || answer !== null) return;
  try {
    channel.fence(10_000);
  } catch {
    // exiting anyway: a failure among the posted kernels has no one left to tell
  }
}

const isNode = () => typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function';

/**
 * Starts a GPU agent in a worker_thread and attaches it; returns why it could not start, or null.
 * `entry` is the module the worker runs (default node-agent.ts; tests pass a stand-in that serves a fake
 * asynchronous device). The worker loads TypeScript through tsx (node-agent-boot.mjs), and is unref'd so
 * an idle agent never keeps the process alive.
 */
export function startNodeAgent(
  entry: URL = new URL('./node-agent.ts', import.meta.url),
  opts: AgentOptions = {},
): string | null {
  const wt = process.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (!wt) return 'node:worker_threads is unavailable';
  if (!wt.isMainThread && wt.parentPort && (wt.workerData as Record<string, unknown> | null)?.[AGENT_HOST]) {
    // a thread that may be ended (the kernel's interpreter) gets a port to the agent its parent hosts
    const { port1, port2 } = new wt.MessageChannel();
    wt.parentPort.postMessage({ nablaAgentPort: port2, entry: entry.href }, [port2]);
    attachWebGPUAgent(port1, opts);
    return null;
  }
  try {
    void agentWorker?.terminate(); // a restarted agent replaces the last one
    const worker = new wt.Worker(new URL('./node-agent-boot.mjs', import.meta.url), {
      workerData: { entry: entry.href },
      execArgv: [],
    });
    agentWorker = worker;
    worker.unref();
    // an agent that dies leaves the caller to its timeout; say why on stderr meanwhile
    worker.on('error', (e) => process.stderr.write(`[nabla webgpu] the GPU agent failed: ${e.message}\n`));
    attachWebGPUAgent(worker, opts);
    process.once('exit', () => drainAtExit(worker));
    return null;
  } catch (e) {
    return `the GPU agent's worker_thread did not start: ${(e as Error).message}`;
  }
}
