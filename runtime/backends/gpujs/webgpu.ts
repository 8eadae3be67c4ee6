import type { KernelAttrs, KernelOutput } from '../../kernels';
import type { View } from '../../storage';
import { runPlanAsync } from './cache';
import { PLANNERS } from './plans';

/**
 * The webgpu backend, as far as a synchronous runtime allows. gpu.js webgpu kernels return Promises (WebGPU
 * has no synchronous readback), while Backend.probe() and every KernelFunc are synchronous, so this backend
 * registers no kernels and its probe always names a reason. What works today, outside the registry:
 * - `probe()`: whether the npm package 'webgpu' (Dawn for Node) is there and its binding loads, decided
 *   synchronously by loading the binding the way the package's own index.js does;
 * - `prepareWebGPU()`: the asynchronous rest: the navigator.gpu shim of ARCHITECTURE.md ("Facts about the
 *   platform") and an adapter request;
 * - `runKernelWebGPU()`: one registry kernel, planned and cached like the cpu/webasm ones (same sources),
 *   run on gpu.js webgpu and awaited. It needs an adapter, so it is untested on machines without one.
 * ./README.md lists what a registered webgpu backend still needs.
 */
let bindingAnswer: string | null | undefined;
let adapterAnswer: string | null | undefined;
let ready = false;

function loadBinding(): string | null {
  // no top-level node: imports, so the runtime still bundles for the browser (where WebGPU is navigator.gpu)
  const nodeModule = typeof process !== 'undefined' ? process.getBuiltinModule?.('node:module') : undefined;
  if (!nodeModule) return "the npm package 'webgpu' is for Node (20.16 or later); in a browser WebGPU needs the asynchronous path";
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
  try {
    require(`${dir}/dist/${process.platform}-${process.arch}.dawn.node`);
    return null;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return `the npm package 'webgpu' ${version} is installed but its Dawn binding does not load here (${why})`;
  }
}

/** Why WebGPU cannot run kernels for the synchronous runtime here; never null today (see above). */
export function probeWebGPU(): string {
  if (bindingAnswer === undefined) bindingAnswer = loadBinding();
  if (bindingAnswer) return bindingAnswer;
  if (adapterAnswer === undefined) return 'the WebGPU adapter has not been asked for yet (await prepareWebGPU() first)';
  if (adapterAnswer) return adapterAnswer;
  return "an adapter answered, but gpu.js webgpu kernels return Promises and Nabla's kernels are synchronous; use runKernelWebGPU()";
}

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
    if (!adapter) return (adapterAnswer = 'no WebGPU adapter answered (Debian 12\'s lavapipe, for one, lacks a Vulkan feature Dawn needs)');
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
    adapter.requestDevice = async (...dargs: unknown[]) => {
      const device = await requestDevice(...dargs);
      Object.defineProperty(device, 'onuncapturederror', { value: null, writable: true, configurable: true });
      return device;
    };
    return adapter;
  };
  return gpuObject;
}

/** Runs registry kernel `name` on gpu.js webgpu (float32/bool only); prepareWebGPU() must have resolved null. */
export async function runKernelWebGPU(name: string, inputs: readonly View[], attrs: KernelAttrs, out: KernelOutput): Promise<Float32Array> {
  if (!ready) throw new Error(`webgpu is not ready: ${await prepareWebGPU() ?? 'call prepareWebGPU() first'}`);
  const planner = PLANNERS[name];
  const plan = planner?.(inputs, attrs, out, 'webgpu');
  if (!plan) throw new Error(`webgpu has no kernel '${name}' for these inputs (${inputs.map((v) => v.dtype).join(', ')})`);
  return runPlanAsync('webgpu', plan);
}
