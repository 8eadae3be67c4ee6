import { answer, isEnvelope, type AgentRequest, type Executor, type Hello } from './channel';
import { kernelCacheStats, kernelClasses, runPlanAsync } from './cache';
import { checkPlan } from './check';
import type { Mode, Plan } from './plans';

/**
 * The GPU agent: the thread that owns the GPUDevice and runs the kernels the synchronous runtime asks for
 * over channel.ts. In a browser it is a dedicated worker (web/src/gpu.worker.ts); in Node a worker_thread
 * (node-agent.ts) with the 'webgpu' package's Dawn. Kernels are gpu.js webgpu kernels built from the
 * caller's plan (same planners, sources and keys as every gpu.js mode) and cached here by key.
 */

/** What `prepare` resolves: null when the device is there (then `device` names it), else why not. */
export interface Prepared {
  why: string | null;
  device?: string;
}

/**
 * An executor on gpu.js mode `mode`. `prepare` makes the device available (asks for an adapter); hello
 * then runs check.ts's kernel and says ready only when its result is exact and gpu.js ran it as
 * `kernelClass` (WebGPUKernel), not a fallback. `run` runs a plan (default: cache.ts on `mode`; a test's
 * stand-in device wraps it).
 */
export function gpujsExecutor(
  mode: Mode,
  prepare: () => Promise<Prepared>,
  kernelClass: string,
  run: (plan: Plan) => Promise<Float32Array> = (plan) => runPlanAsync(mode, plan),
): Executor {
  let said: Promise<Hello> | null = null;
  const hello = async (): Promise<Hello> => {
    const p = await prepare();
    if (p.why) return { ready: false, says: p.why };
    try {
      const { plan, verify } = checkPlan(mode);
      const wrong = verify(await run(plan));
      if (wrong) return { ready: false, says: wrong };
      const ran = kernelClasses(mode).get(plan.key);
      if (ran !== kernelClass) return { ready: false, says: `gpu.js ran its ${mode} check kernel as ${ran}, not ${kernelClass}` };
    } catch (e) {
      return { ready: false, says: `gpu.js ${mode} failed its check kernel: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
    return { ready: true, says: p.device ?? mode };
  };
  return {
    hello: () => (said ??= hello()),
    run: (req: Extract<AgentRequest, { type: 'run' }>) => run({ key: req.key, cells: req.cells, params: req.params, body: () => req.body, args: req.args }),
    stats: () => ({ mode, cache: kernelCacheStats(mode), classes: [...new Set(kernelClasses(mode).values())] }),
  };
}

interface NavigatorGpu {
  requestAdapter(): Promise<{ info?: Record<string, string>; requestAdapterInfo?: () => Promise<Record<string, string>> } | null>;
}

/** The browser's WebGPU (navigator.gpu), as gpu.js will find it: an adapter, named. */
export async function browserWebGPU(): Promise<Prepared> {
  const gpu = (globalThis as { navigator?: { gpu?: NavigatorGpu } }).navigator?.gpu;
  if (!gpu) return { why: 'this browser offers no WebGPU (no navigator.gpu; Chromium needs a secure context, and some builds a flag)' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { why: 'navigator.gpu is there but no WebGPU adapter answered' };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
    return { why: null, device: `WebGPU adapter: ${name || 'unnamed'}` };
  } catch (e) {
    return { why: `the WebGPU adapter request failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Serves channel requests that arrive on `port` (a MessagePort, a worker's `self`, Node's parentPort).
 * Other messages are left to whoever else listens there.
 */
export function serveAgent(port: { addEventListener?: unknown; on?: unknown }, executor: Executor): void {
  const onMessage = (m: unknown) => {
    if (isEnvelope(m)) void answer(m, executor);
  };
  const p = port as {
    on?: (ev: 'message', f: (m: unknown) => void) => void;
    addEventListener?: (ev: 'message', f: (e: { data: unknown }) => void) => void;
    start?: () => void;
  };
  if (typeof p.on === 'function') p.on('message', onMessage);
  else if (typeof p.addEventListener === 'function') {
    p.addEventListener('message', (e) => onMessage(e.data));
    p.start?.();
  } else throw new Error('serveAgent: the port has neither on() nor addEventListener()');
}
