import { answerer, isEnvelope, type BuildRequest, type Executor, type Hello, type RunRequest } from './channel';
import { isGpuBuffer, kernelCacheStats, kernelClasses, runPlanKept, type GpuBuffer } from './cache';
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
  /** the adapter is a CPU emulation (WebGPU's isFallbackAdapter: llvmpipe, SwiftShader) */
  fallback?: boolean;
  /** the device's maxStorageBuffersPerShaderStage, where it was asked for more than WebGPU's default 8 */
  storageBuffers?: number;
}

/** A result the agent holds for the runtime: a GPU buffer, or (a stand-in device) host values. */
type Kept = Float32Array | GpuBuffer;
const onHost = async (r: Kept): Promise<Float32Array> => (isGpuBuffer(r) ? r.toArray() : r);

/**
 * An executor on gpu.js mode `mode`. `prepare` makes the device available (asks for an adapter); hello
 * then runs check.ts's kernel and says ready only when its result is exact and gpu.js ran it as
 * `kernelClass` (WebGPUKernel), not a fallback. `run` runs a plan with its arguments (default: cache.ts on
 * `mode`, whose webgpu results stay on the GPU; a test's stand-in device wraps it). Results the runtime
 * asks to keep are held by id until it frees them, and passed where a later request names that id.
 */
export function gpujsExecutor(
  mode: Mode,
  prepare: () => Promise<Prepared>,
  kernelClass: string,
  run: (plan: Plan, args: unknown[]) => Promise<Kept> = (plan, args) => runPlanKept(mode, plan, args),
): Executor {
  const kept = new Map<number, Kept>();
  // what this agent did, counted on its side of the channel: the runtime's own counters (gpuTraffic) must agree
  const did = { runs: 0, floatsIn: 0, floatsOut: 0, builds: 0 };
  const held = (id: number) => {
    const r = kept.get(id);
    if (!r) throw new Error(`no kept result #${id} (it was freed, or the kernel that made it failed)`);
    return r;
  };
  const release = (r: Kept | undefined) => {
    if (r && isGpuBuffer(r)) r.delete();
  };
  const runRequest = async (req: RunRequest) => {
    const plan: Plan = { key: req.key, cells: req.cells, params: req.params, body: () => req.body, args: [] };
    did.runs++;
    for (const a of req.args) if (ArrayBuffer.isView(a)) did.floatsIn += a.length;
    const result = await run(
      plan,
      req.args.map((a) => (ArrayBuffer.isView(a) ? a : held(a.id))),
    );
    if (req.keep !== undefined) {
      kept.set(req.keep, result);
      return null;
    }
    try {
      const values = await onHost(result);
      did.floatsOut += values.length;
      return values;
    } finally {
      release(result);
    }
  };
  // a build runs the kernel once over zeros, so gpu.js compiles its pipeline now rather than at its first real
  // run; a kept argument must be a GPU buffer (gpu.js fixes each argument's kind when it compiles), made here
  // by the same upload kernel the runtime's device copies use. Counted as one run (the kernel's), like the
  // runtime counts it as one dispatch; the scratch buffers cross no channel.
  const buildRequest = async (req: BuildRequest) => {
    did.runs++;
    did.builds++;
    const scratch: Kept[] = [];
    try {
      const args: unknown[] = [];
      for (const a of req.args) {
        const zeros = new Float32Array(Math.max(a.length, 1));
        if (!a.kept) {
          args.push(zeros);
          continue;
        }
        const upload: Plan = {
          key: `upload|${zeros.length}#h`,
          cells: zeros.length,
          params: ['in0'],
          body: () => 'return in0[this.thread.x];',
          args: [],
        };
        const buffer = await run(upload, [zeros]);
        scratch.push(buffer);
        args.push(buffer);
      }
      const plan: Plan = { key: req.key, cells: req.cells, params: req.params, body: () => req.body, args: [] };
      scratch.push(await run(plan, args));
    } catch {
      // not kept in the cache (cache.ts drops a kernel whose first run failed): its real run fails again and
      // says so to the request that waits for it, with that request's context
    } finally {
      scratch.forEach(release);
    }
  };
  let said: Promise<Hello> | null = null;
  const hello = async (): Promise<Hello> => {
    const p = await prepare();
    if (p.why) return { ready: false, says: p.why };
    try {
      const { plan, verify } = checkPlan(mode);
      const result = await run(plan, plan.args);
      const wrong = verify(await onHost(result));
      release(result);
      if (wrong) return { ready: false, says: wrong };
      const ran = kernelClasses(mode).get(plan.key);
      if (ran !== kernelClass)
        return { ready: false, says: `gpu.js ran its ${mode} check kernel as ${ran}, not ${kernelClass}` };
    } catch (e) {
      return {
        ready: false,
        says: `gpu.js ${mode} failed its check kernel: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      };
    }
    return {
      ready: true,
      says: p.device ?? mode,
      fallback: p.fallback ?? false,
      ...(p.storageBuffers ? { storageBuffers: p.storageBuffers } : {}),
    };
  };
  return {
    hello: () => (said ??= hello()),
    run: runRequest,
    build: buildRequest,
    read: async (id, offset, length) => {
      const whole = await onHost(held(id));
      const values = offset === 0 && length === whole.length ? whole : whole.slice(offset, offset + length);
      did.floatsOut += values.length;
      return values;
    },
    free: (ids) => {
      for (const id of ids) {
        release(kept.get(id));
        kept.delete(id);
      }
    },
    freeAll: () => {
      kept.forEach(release);
      kept.clear();
    },
    stats: () => ({
      mode,
      cache: kernelCacheStats(mode),
      classes: [...new Set(kernelClasses(mode).values())],
      kept: kept.size,
      ...did,
    }),
  };
}

interface NavigatorGpu {
  requestAdapter(): Promise<{ info?: AdapterInfo; isFallbackAdapter?: boolean } | null>;
}

/** What WebGPU's GPUAdapterInfo says of an adapter (isFallbackAdapter: on info since 2024, on the adapter before). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** The adapter, named, and whether it is a CPU emulation. */
export function describeAdapter(
  adapter: { info?: AdapterInfo; isFallbackAdapter?: boolean },
  label: string,
): { device: string; fallback: boolean } {
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
  return {
    device: `${label}: ${name || 'unnamed'}`,
    fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
  };
}

/** The browser's WebGPU (navigator.gpu), as gpu.js will find it: an adapter, named. */
export async function browserWebGPU(): Promise<Prepared> {
  const gpu = (globalThis as { navigator?: { gpu?: NavigatorGpu } }).navigator?.gpu;
  if (!gpu)
    return {
      why: 'this browser offers no WebGPU (no navigator.gpu; Chromium needs a secure context, and some builds a flag)',
    };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { why: 'navigator.gpu is there but no WebGPU adapter answered' };
    return { why: null, ...describeAdapter(adapter, 'WebGPU adapter') };
  } catch (e) {
    return { why: `the WebGPU adapter request failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Serves channel requests that arrive on `port` (a MessagePort, a worker's `self`, Node's parentPort).
 * Other messages are left to whoever else listens there. `idle` resolves once every request so far is
 * answered (and its GPU work done).
 */
export function serveAgent(
  port: { addEventListener?: unknown; on?: unknown },
  executor: Executor,
): { idle(): Promise<void> } {
  const { answer, idle } = answerer(executor);
  const onMessage = (m: unknown) => {
    if (isEnvelope(m)) void answer(m);
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
  return { idle };
}
