import type { DType, HostArray } from './dtype';
import type { DeviceData, View } from './storage';

/**
 * The kernel registry (tfjs's kernel_registry.ts): ops call `runKernel(name, inputs, attrs)`; each backend
 * registers the kernels it implements. The `js` backend implements every kernel and is the fallback of the
 * others, so a backend may register only what it does better.
 */
export interface KernelOutput {
  shape: readonly number[];
  dtype: DType;
}
/**
 * A kernel computes its output as a fresh host array. `into`, when a caller passes it, is a buffer of the
 * output's length and type the kernel may write into and return instead (the compiled path's preallocated
 * buffers, runtime/compile); a kernel may ignore it, so callers use what it returns.
 */
export type KernelFunc = (
  inputs: readonly View[],
  attrs: KernelAttrs,
  out: KernelOutput,
  into?: HostArray,
) => HostArray;
export type KernelAttrs = Record<string, unknown>;
/**
 * The same kernel for the op layer, free to leave its result on the backend's device (a GPU buffer the next
 * kernel reads in place) instead of copying it to the host.
 */
export type KeepingKernelFunc = (
  inputs: readonly View[],
  attrs: KernelAttrs,
  out: KernelOutput,
) => HostArray | DeviceData;

export interface KernelConfig {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
  /** a backend with a device (webgl2, webgpu) gives this too */
  keepingFunc?: KeepingKernelFunc;
}

const registry = new Map<string, KernelFunc>();
const keeping = new Map<string, KeepingKernelFunc>();
const key = (backend: string, kernel: string) => `${backend}/${kernel}`;

export function registerKernel(config: KernelConfig): void {
  const k = key(config.backendName, config.kernelName);
  if (registry.has(k))
    throw new Error(`kernel ${config.kernelName} is registered twice for backend ${config.backendName}`);
  registry.set(k, config.kernelFunc);
  if (config.keepingFunc) keeping.set(k, config.keepingFunc);
}

export function getKeepingKernel(backend: string, kernel: string): KeepingKernelFunc | undefined {
  return keeping.get(key(backend, kernel));
}

export function getKernel(backend: string, kernel: string): KernelFunc | undefined {
  return registry.get(key(backend, kernel));
}

export function kernelsOf(backend: string): string[] {
  const prefix = `${backend}/`;
  return [...registry.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}
