import type { HostArray } from './dtype';
import { NablaError, bug } from './errors';
import { getKeepingKernel, getKernel, type KernelAttrs, type KernelOutput } from './kernels';
import type { PlanCompiler } from './plan-step';
import type { TraceCompiler } from './trace-replay';
import { Storage, type View } from './storage';

/**
 * One backend: a name, a probe that says whether it can run here and why not, and a policy for which calls
 * it takes (small tensors are cheaper in plain TypeScript than a gpu.js dispatch). Kernels live in the
 * registry; a backend without a kernel falls back to `js`, which has them all.
 */
export interface Backend {
  readonly name: string;
  /**
   * Why this backend cannot run here, or null when it can. May be slow; called once. `auto`: the automatic
   * choice asks, which may also refuse a backend that runs but would be slower than the next (a GPU backend
   * whose only device is a CPU emulation); naming the backend still gets it.
   */
  probe(auto?: boolean): string | null;
  /** Whether this backend should run this call (false: the js kernel runs it). */
  takes?(kernel: string, inputs: readonly View[], out: KernelOutput, attrs?: KernelAttrs): boolean;
  /** One line about the engine underneath, shown by backendReport(). */
  describe(): string;
  /**
   * Compiles a trace that ran on this backend into the step compile() replays (./plan-step.ts). Named for
   * what it does, not `fuse`: besides fusing elementwise runs it lays out buffers, decides which kernels stay
   * calls and generates the step; a GPU backend's would keep values on the device. Without it a plan runs
   * op by op (runtime/compile/op-by-op.ts).
   */
  compilePlan?: PlanCompiler;
  /**
   * Compiles a whole trace into what compile() replays, result and guards included, or null to leave it to
   * the host plan (runtime/compile/plan.ts, which then asks `compilePlan`). webgpu's keeps every value on the
   * device (backends/gpujs/compiled-plan.ts).
   */
  compileTrace?: TraceCompiler;
}

export interface BackendReport {
  chosen: string;
  why: string;
  skipped: { name: string; why: string }[];
}

/** Most capable first: the automatic choice takes the first that answers its probe. */
const PREFERENCE = ['webgpu', 'webgl2', 'webasm', 'cpu', 'js'];
const backends = new Map<string, Backend>();
let current: Backend | null = null;
let report: BackendReport | null = null;
export const kernelStats = { calls: 0, fallbacks: 0, byBackend: new Map<string, number>() };

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

export function availableBackends(): string[] {
  return PREFERENCE.filter((n) => backends.has(n));
}

export function knownBackendNames(): string[] {
  return [...PREFERENCE];
}

function unknownBackend(name: string): Error {
  return new NablaError(`unknown backend '${name}': choose one of ${PREFERENCE.join(', ')}`);
}

/** Whether a backend can run here, as data (front ends show `reason`; setBackend makes its sentence from it). */
export interface BackendProbe {
  backend: string;
  /** Its probe passes here: setBackend(backend) would select it. */
  ok: boolean;
  /** This build of Nabla has it (a known name that is not registered: webgl2 outside a browser). */
  registered: boolean;
  /** Why not; null when ok. */
  reason: string | null;
}

/** Probes one backend by name without selecting it. */
export function probeBackend(name: string): BackendProbe {
  const b = backends.get(name);
  if (!b)
    return {
      backend: name,
      ok: false,
      registered: false,
      reason: PREFERENCE.includes(name) ? skipReason(name) : 'unknown backend',
    };
  const why = b.probe();
  return { backend: name, ok: why === null, registered: true, reason: why };
}

/** Selects a backend by name; throws a sentence saying why when it cannot run here. */
export function setBackend(name: string): BackendReport {
  if (!PREFERENCE.includes(name) && !backends.has(name)) throw unknownBackend(name);
  const p = probeBackend(name);
  if (!p.registered) throw new NablaError(`backend '${name}' is not available in this build (${p.reason})`);
  if (!p.ok) throw new NablaError(`backend '${name}' cannot run here: ${p.reason}`, 'set_backend');
  const b = backends.get(name)!;
  current = b;
  report = { chosen: name, why: 'chosen explicitly', skipped: [] };
  return report;
}

function skipReason(name: string): string {
  if (name === 'webgl2') return 'WebGL2 exists only in browsers';
  return 'not registered';
}

/** The automatic choice: NABLA_BACKEND if set, else the first backend whose probe passes. */
export function chooseBackend(): BackendReport {
  const env = typeof process !== 'undefined' ? process.env.NABLA_BACKEND : undefined;
  if (env) {
    const r = setBackend(env);
    report = { ...r, why: `NABLA_BACKEND=${env}` };
    return report;
  }
  const skipped: { name: string; why: string }[] = [];
  for (const name of PREFERENCE) {
    const b = backends.get(name);
    const why = b ? b.probe(true) : skipReason(name);
    if (why) {
      skipped.push({ name, why });
      continue;
    }
    current = b!;
    report = { chosen: name, why: `first available of ${PREFERENCE.join(' > ')}`, skipped };
    return report;
  }
  throw new Error('no backend can run here');
}

export function getBackend(): Backend {
  if (!current) chooseBackend();
  return current!;
}

export function backendReport(): BackendReport {
  getBackend();
  return report!;
}

/** Runs kernel `name` on the current backend (or js), its result on the host. `into`: a buffer the kernel may fill (kernels.ts). */
export function runKernel(
  name: string,
  inputs: readonly View[],
  attrs: KernelAttrs,
  out: KernelOutput,
  into?: HostArray,
): HostArray {
  return getKernel(runner(name, inputs, attrs, out), name)!(inputs, attrs, out, into);
}

/** The op layer's call: the result as a fresh Storage, left on the device where the backend keeps results there. */
export function runKernelStorage(
  name: string,
  inputs: readonly View[],
  attrs: KernelAttrs,
  out: KernelOutput,
): Storage {
  const backend = runner(name, inputs, attrs, out);
  const keep = getKeepingKernel(backend, name);
  const result = keep ? keep(inputs, attrs, out) : getKernel(backend, name)!(inputs, attrs, out);
  return ArrayBuffer.isView(result) ? new Storage(result, out.dtype) : new Storage(null, out.dtype, result);
}

/** Which backend runs this call (the current one when it takes it, else js), counted in kernelStats. */
function runner(name: string, inputs: readonly View[], attrs: KernelAttrs, out: KernelOutput): string {
  const b = getBackend();
  kernelStats.calls++;
  if (b.name !== 'js' && (b.takes?.(name, inputs, out, attrs) ?? true) && getKernel(b.name, name)) {
    kernelStats.byBackend.set(b.name, (kernelStats.byBackend.get(b.name) ?? 0) + 1);
    return (lastKernel.backend = b.name);
  }
  kernelStats.fallbacks++;
  if (!getKernel('js', name)) throw bug(`no kernel '${name}' is registered`);
  return (lastKernel.backend = 'js');
}

/** Which backend ran the last runKernel call (the current session's; context.ts): a compiled trace records it (runtime/backends/js/plan/fuse.ts fuses a call only where that engine gives the js bits). */
export const lastKernel = { backend: 'js' };
