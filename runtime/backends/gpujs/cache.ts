import { GPU } from 'gpu.js';
import { argKinds, type Mode, type Plan } from './plans';

/**
 * One gpu.js instance per mode, and the kernels built on it, keyed by plan key (op, fn, coalesced shape and
 * strides: everything the source depends on). A kernel is built on its key's first call and reused after,
 * never rebuilt per call (ARCHITECTURE principle 3). The cache is LRU-bounded because each webasm kernel
 * holds its own WebAssembly.Memory, which the garbage collector barely sees (gpu.js #870); a training loop
 * uses a few dozen keys, far below the bound.
 *
 * NABLA_DEBUG=kernels (a comma list may hold other words) prints each new kernel's source and, at exit,
 * the hit and miss counts per mode.
 */
type GpuKernel = ((...args: unknown[]) => unknown) & {
  kernel?: { constructor: { name: string } };
  destroy(): void;
  toString(...args: unknown[]): string;
};

/** A webgpu kernel's result left on the GPU (gpu.js pipeline mode's WebGPUBufferResult). */
export interface GpuBuffer {
  toArray(): Promise<Float32Array>;
  delete(): void;
}
export const isGpuBuffer = (x: unknown): x is GpuBuffer => typeof (x as GpuBuffer | null)?.toArray === 'function';

/** A webgl2 kernel's result left on the GPU (gpu.js pipeline mode's texture); read synchronously. */
export interface GlTexture {
  toArray(): Float32Array;
  delete(): void;
}
const isTexture = (x: unknown): x is GlTexture => typeof (x as GlTexture | null)?.toArray === 'function';

interface Entry {
  kernel: GpuKernel;
  source: string;
  ranAs: string | null;
}

export interface CacheStats {
  built: number;
  hits: number;
  misses: number;
  evicted: number;
  /** kernels cached now */
  size: number;
}

const LIMIT = 512;
const gpus = new Map<Mode, GPU>();
const caches = new Map<Mode, Map<string, Entry>>();
const stats = new Map<Mode, CacheStats>();
const debug = typeof process !== 'undefined' && (process.env.NABLA_DEBUG ?? '').split(',').includes('kernels');

function statsOf(mode: Mode): CacheStats {
  let s = stats.get(mode);
  if (!s) stats.set(mode, (s = { built: 0, hits: 0, misses: 0, evicted: 0, size: 0 }));
  return s;
}

function gpuOf(mode: Mode): GPU {
  let g = gpus.get(mode);
  if (!g) gpus.set(mode, (g = new GPU({ mode })));
  return g;
}

function cacheOf(mode: Mode): Map<string, Entry> {
  let c = caches.get(mode);
  if (!c) caches.set(mode, (c = new Map()));
  return c;
}

/** The gpu.js source of a plan, as given to createKernel. */
export function sourceOf(plan: Plan): string {
  return `function (${plan.params.join(', ')}) {\n${plan.body()}\n}`;
}

/** Runs `plan` on `mode`'s kernel for its key, building that kernel on the key's first call; the result on the host. */
export function runPlan(mode: Mode, plan: Plan): Float32Array {
  const result = runPlanKeptHere(mode, plan);
  if (!isTexture(result)) return result;
  try {
    return result.toArray();
  } finally {
    result.delete();
  }
}

/**
 * The same, leaving a webgl2 result on the GPU (webgl2 kernels run in gpu.js pipeline mode, each result a
 * texture of its own, which later plans may pass: device arguments go as their `handle`).
 */
export function runPlanKeptHere(mode: Mode, plan: Plan): Float32Array | GlTexture {
  let args: unknown[] = plan.args;
  if (!plan.args.every((a) => ArrayBuffer.isView(a))) {
    plan = { ...plan, key: `${plan.key}#${argKinds(plan.args)}` };
    args = plan.args.map((a) => (ArrayBuffer.isView(a) ? a : a.handle));
  }
  const entry = kernelFor(mode, plan);
  if (entry.ranAs !== null) return entry.kernel(...args) as Float32Array | GlTexture;
  try {
    const result = entry.kernel(...args) as Float32Array | GlTexture;
    firstRun(mode, plan, entry);
    return result;
  } catch (e) {
    cacheOf(mode).delete(plan.key); // gpu.js compiles on the first call: do not keep a kernel that never ran
    throw e;
  }
}

/** The same for gpu.js modes whose kernels return Promises (webgpu), with the result on the host. */
export async function runPlanAsync(mode: Mode, plan: Plan, args: unknown[] = plan.args): Promise<Float32Array> {
  const result = await runPlanKept(mode, plan, args);
  if (!isGpuBuffer(result)) return result;
  try {
    return await result.toArray();
  } finally {
    result.delete();
  }
}

/**
 * The same, leaving a webgpu result on the GPU (webgpu kernels run in gpu.js pipeline mode, each result in a
 * buffer of its own, which `args` of later calls may be). Other modes give the array.
 */
export async function runPlanKept(
  mode: Mode,
  plan: Plan,
  args: unknown[] = plan.args,
): Promise<Float32Array | GpuBuffer> {
  const entry = kernelFor(mode, plan);
  try {
    const result = (await entry.kernel(...args)) as Float32Array | GpuBuffer;
    if (entry.ranAs === null) firstRun(mode, plan, entry);
    return result;
  } catch (e) {
    if (entry.ranAs === null) cacheOf(mode).delete(plan.key);
    throw e;
  }
}

function kernelFor(mode: Mode, plan: Plan): Entry {
  const cache = cacheOf(mode);
  const s = statsOf(mode);
  let entry = cache.get(plan.key);
  if (entry) {
    s.hits++;
    // Map order is LRU order: refresh on hit
    cache.delete(plan.key);
    cache.set(plan.key, entry);
  } else {
    s.misses++;
    entry = build(mode, plan);
    cache.set(plan.key, entry);
    if (cache.size > LIMIT) evictOldest(mode, cache);
  }
  return entry;
}

function build(mode: Mode, plan: Plan): Entry {
  const source = sourceOf(plan);
  statsOf(mode).built++;
  // every loop in our sources has a literal bound, which gpu.js runs uncapped (loopMaxIterations caps the rest).
  // tactic 'precision' makes gpu.js declare highp in GLSL: left alone it picks lowp or mediump from the
  // texture size, which on many GPUs means 10- or 16-bit floats (SwiftShader ignores the qualifier, so
  // only a real GPU would show the loss)
  // the GPU modes: pipeline mode leaves each result on the GPU in a buffer or texture of its own
  // (immutable), which later kernels read in place; runPlan / runPlanAsync read it back when the host needs it
  const settings = {
    output: [plan.cells],
    precision: 'single',
    ...(mode === 'webgl2' ? { tactic: 'precision' } : {}),
    ...(mode === 'webgl2' || mode === 'webgpu' ? { pipeline: true, immutable: true } : {}),
  };
  const kernel = gpuOf(mode).createKernel(source, settings as never) as unknown as GpuKernel;
  return { kernel, source, ranAs: null };
}

/** After the first run gpu.js has compiled the kernel: record what actually ran (webasm may degrade to cpu). */
function firstRun(mode: Mode, plan: Plan, entry: Entry) {
  entry.ranAs = entry.kernel.kernel?.constructor.name ?? 'unknown';
  if (!debug) return;
  let compiled = '';
  // gpu.js's cpu mode can show the JavaScript it runs (webasm and webgpu throw on toString). Its
  // getKernelString() is that code alone; toString() wraps the same in ~40 lines of loader boilerplate.
  const inner = (entry.kernel.kernel as { getKernelString?: () => string } | undefined)?.getKernelString;
  if (mode === 'cpu' && inner)
    compiled = `\n-- gpu.js cpu code --\n${inner.call(entry.kernel.kernel).replace(/\n\s*\n/g, '\n')}`;
  process.stderr.write(
    `[nabla gpujs/${mode}] new kernel #${statsOf(mode).built} ${plan.key} (runs as ${entry.ranAs})\n${entry.source}${compiled}\n`,
  );
}

function evictOldest(mode: Mode, cache: Map<string, Entry>) {
  const [key, entry] = cache.entries().next().value as [string, Entry];
  cache.delete(key);
  entry.kernel.destroy();
  statsOf(mode).evicted++;
}

/** Build, hit and miss counts for `mode` (what the cache tests and NABLA_DEBUG=kernels report). */
export function kernelCacheStats(mode: Mode): CacheStats {
  return { ...statsOf(mode), size: cacheOf(mode).size };
}

/** Which gpu.js kernel class ran each cached key (e.g. WebAssemblyKernel), for tests that guard degradation. */
export function kernelClasses(mode: Mode): Map<string, string | null> {
  return new Map([...cacheOf(mode)].map(([k, e]) => [k, e.ranAs]));
}

/** Drops every cached kernel of `mode` and zeroes its counts. */
export function clearKernelCache(mode: Mode): void {
  for (const e of cacheOf(mode).values()) e.kernel.destroy();
  cacheOf(mode).clear();
  stats.delete(mode);
}

if (debug) {
  process.on('exit', () => {
    for (const [mode, s] of stats) {
      process.stderr.write(
        `[nabla gpujs/${mode}] kernels built ${s.built}, cache hits ${s.hits}, misses ${s.misses}, evicted ${s.evicted}\n`,
      );
    }
  });
}
