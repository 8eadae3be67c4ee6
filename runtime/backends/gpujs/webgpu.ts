import { canBlock, SyncChannel, type Endpoint } from './channel';
import { dawnBinding } from './dawn';
import type { Plan } from './plans';

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
  helloTimeoutMs = opts.helloTimeoutMs ?? HELLO_MS;
  answer = undefined;
  device = '';
}

/** Why the webgpu backend cannot run here, or null when its agent answered ready. Asked once. */
export function probeWebGPU(): string | null {
  if (answer !== undefined) return answer;
  const blocked = canBlock();
  if (blocked) return (answer = blocked);
  if (!channel) {
    if (!isNode()) {
      return (answer = 'no GPU agent is attached to this worker (the page starts one and calls attachWebGPUAgent; see runtime/backends/gpujs/README.md)');
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

/** The device the agent runs on ("WebGPU adapter: google swiftshader"), once the probe passed. */
export function webgpuDevice(): string {
  return device;
}

/** Runs a plan on the agent, blocking until its result is back. */
export function runOnAgent(plan: Plan): Float32Array {
  if (!channel || answer !== null) throw new Error(`webgpu is not ready: ${answer ?? 'probe it first'}`);
  return channel.run({ type: 'run', key: plan.key, params: plan.params, body: plan.body(), cells: plan.cells, args: plan.args.map(own) });
}

/** The agent's kernel cache counts and which gpu.js classes ran (tests check WebGPUKernel). */
export function webgpuAgentStats(): { mode: string; cache: Record<string, number>; classes: string[] } | null {
  return channel && answer === null ? (channel.stats() as never) : null;
}

/**
 * An input as its own buffer: structured clone copies a typed array's whole ArrayBuffer, and plan args
 * are often windows (subarrays) of a larger storage.
 */
function own(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

let agentWorker: { terminate(): Promise<number> } | null = null;

const isNode = () => typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function';

/**
 * Starts a GPU agent in a worker_thread and attaches it; returns why it could not start, or null.
 * `entry` is the module the worker runs (default node-agent.ts; tests pass a stand-in that serves a fake
 * asynchronous device). The worker loads TypeScript through tsx (node-agent-boot.mjs), and is unref'd so
 * an idle agent never keeps the process alive.
 */
export function startNodeAgent(entry: URL = new URL('./node-agent.ts', import.meta.url), opts: AgentOptions = {}): string | null {
  const wt = process.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (!wt) return 'node:worker_threads is unavailable';
  try {
    void agentWorker?.terminate(); // a restarted agent replaces the last one
    const worker = new wt.Worker(new URL('./node-agent-boot.mjs', import.meta.url), { workerData: { entry: entry.href }, execArgv: [] });
    agentWorker = worker;
    worker.unref();
    // an agent that dies leaves the caller to its timeout; say why on stderr meanwhile
    worker.on('error', (e) => process.stderr.write(`[nabla webgpu] the GPU agent failed: ${e.message}\n`));
    attachWebGPUAgent(worker, opts);
    return null;
  } catch (e) {
    return `the GPU agent's worker_thread did not start: ${(e as Error).message}`;
  }
}
