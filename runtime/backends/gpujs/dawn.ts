import type { KernelAttrs, KernelOutput } from '../../kernels';
import type { View } from '../../storage';
import { describeAdapter } from './agent';
import { runPlanAsync } from './cache';
import { PLANNERS } from './plans';

/**
 * WebGPU for Node: the npm package 'webgpu' (Dawn). Used by the GPU agent (node-agent.ts), the
 * worker_thread that owns the device for the synchronous webgpu backend (webgpu.ts), and by the
 * asynchronous single-kernel API kept from before the backend existed:
 * - `loadBinding()`: whether the package is there and its binding loads, decided synchronously by loading
 *   the binding the way the package's own index.js does (gpu.js's own webgpu 0.2.9 needs a GLIBCXX Debian 12 lacks; 0.6 loads);
 * - `prepareWebGPU()`: the navigator.gpu shim of ARCHITECTURE.md ("Facts about the platform") and an
 *   adapter request;
 * - `runKernelWebGPU()`: one registry kernel, planned and cached like the other modes, run on gpu.js
 *   webgpu and awaited, in this thread.
 * It runs on Mesa's lavapipe (a CPU Vulkan driver; README.md), not yet on a hardware GPU.
 */
let bindingAnswer: string | null | undefined;
let adapterAnswer: string | null | undefined;
let ready = false;

export function loadBinding(): string | null {
  // no top-level node: imports, so the runtime still bundles for the browser (where WebGPU is navigator.gpu)
  const nodeModule = typeof process !== 'undefined' ? process.getBuiltinModule?.('node:module') : undefined;
  if (!nodeModule)
    return "the npm package 'webgpu' is Dawn for Node (20.16 or later); a browser has navigator.gpu instead";
  const require = nodeModule.createRequire(import.meta.url);
  let dir: string;
  let version = '?';
  try {
    const pkg = require.resolve('webgpu/package.json');
    dir = pkg.slice(0, -'/package.json'.length);
    version = (require(pkg) as { version: string }).version;
  } catch {
    return "the npm package 'webgpu' (Dawn, WebGPU for Node) is not installed";
  }
  // 0.2.x ships dist/linux-x64.dawn.node, 0.3 and later dist/linux-x64/dawn.node
  const binding = [
    `${dir}/dist/${process.platform}-${process.arch}/dawn.node`,
    `${dir}/dist/${process.platform}-${process.arch}.dawn.node`,
  ];
  try {
    const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
    require(binding.find((f) => fs.existsSync(f)) ?? binding[0]);
    return null;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return `the npm package 'webgpu' ${version} is installed but its Dawn binding does not load here (${why})`;
  }
}

/** Why the Dawn binding cannot load here, or null when it loads (decided once). */
export function dawnBinding(): string | null {
  if (bindingAnswer === undefined) bindingAnswer = loadBinding();
  return bindingAnswer;
}

/** The adapter prepareWebGPU() found, named as Dawn names it, and whether it is a CPU emulation (llvmpipe). */
export let dawnAdapter = '';
export let dawnFallback = false;
/** Storage buffers a kernel may bind on the device gpu.js gets (the adapter's maximum, asked for in `shim`). */
export let dawnStorageBuffers = 8;

/**
 * Installs navigator.gpu from the 'webgpu' package and asks for an adapter. Resolves null when gpu.js can
 * run webgpu kernels (then runKernelWebGPU works), else the reason. Touches globalThis only when called.
 */
export async function prepareWebGPU(): Promise<string | null> {
  if (adapterAnswer !== undefined) return adapterAnswer;
  if (bindingAnswer === undefined) bindingAnswer = loadBinding();
  if (bindingAnswer) return (adapterAnswer = bindingAnswer);
  try {
    const { create, globals } = (await import('webgpu' as string)) as { create(o: string[]): any; globals: object };
    Object.assign(globalThis, globals);
    const g = globalThis as any;
    if (!g.navigator?.gpu) g.navigator = Object.assign(g.navigator ?? {}, { gpu: shim(create([])) });
    const adapter = await g.navigator.gpu.requestAdapter();
    if (!adapter)
      return (adapterAnswer =
        "no WebGPU adapter answered (no Vulkan driver? Debian 12's own Mesa lavapipe lacks a feature Dawn needs; bookworm-backports' has it)");
    ({ device: dawnAdapter, fallback: dawnFallback } = describeAdapter(adapter, 'Dawn adapter'));
    dawnStorageBuffers = Math.max(8, adapter.limits?.maxStorageBuffersPerShaderStage ?? 8); // what shim's requestDevice asks for
    ready = true; // cache.ts creates the gpu.js instance (mode 'webgpu') on the first kernel
    return (adapterAnswer = null);
  } catch (e) {
    return (adapterAnswer = `WebGPU failed to start: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/**
 * gpu.js assigns `device.onuncapturederror = fn`, which Dawn's Node binding rejects ("object is not of the
 * correct interface type"); defining the property on the device object first makes the assignment land
 * on a plain data property.
 */
function shim(gpuObject: any) {
  const requestAdapter = gpuObject.requestAdapter.bind(gpuObject);
  gpuObject.requestAdapter = async (...args: unknown[]) => {
    const adapter = await requestAdapter(...args);
    if (!adapter) return adapter;
    const requestDevice = adapter.requestDevice.bind(adapter);
    adapter.requestDevice = async (desc: { requiredLimits?: Record<string, number> } = {}, ...rest: unknown[]) => {
      // gpu.js asks for WebGPU's default 8 storage buffers a kernel; a compiled step's fused kernels read more
      // operands (compiled-plan.ts), so ask for what the adapter has (lavapipe: 16)
      const most = adapter.limits?.maxStorageBuffersPerShaderStage;
      if (typeof most === 'number' && most > 8)
        desc = { ...desc, requiredLimits: { ...desc.requiredLimits, maxStorageBuffersPerShaderStage: most } };
      const device = await requestDevice(desc, ...rest);
      Object.defineProperty(device, 'onuncapturederror', { value: null, writable: true, configurable: true });
      return device;
    };
    return adapter;
  };
  return gpuObject;
}

/** Runs registry kernel `name` on gpu.js webgpu (float32/bool only); prepareWebGPU() must have resolved null. */
export async function runKernelWebGPU(
  name: string,
  inputs: readonly View[],
  attrs: KernelAttrs,
  out: KernelOutput,
): Promise<Float32Array> {
  if (!ready) throw new Error(`webgpu is not ready: ${(await prepareWebGPU()) ?? 'call prepareWebGPU() first'}`);
  const planner = PLANNERS[name];
  const plan = planner?.(inputs, attrs, out, 'webgpu');
  if (!plan)
    throw new Error(`webgpu has no kernel '${name}' for these inputs (${inputs.map((v) => v.dtype).join(', ')})`);
  return runPlanAsync('webgpu', plan);
}
