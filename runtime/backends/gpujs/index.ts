import { GPU } from 'gpu.js';
import { registerBackend } from '../../backend';
import type { KernelAttrs } from '../../kernels';
import { registerGpujsKernels, GPUJS_KERNELS } from './kernels';
import type { Mode } from './plans';
import { takes, THRESHOLDS } from './policy';
import { keepers } from './resident';
import { fusedUpdates } from './optim-kernels';
import { registerFusedUpdates } from '../../optim/device-step';
import { keepOnWebGL2, probeWebGL2, webgl2LiveTextures } from './webgl2';
import { keepOnAgent, keepPartsOnAgent, probeWebGPU, runOnAgent, webgpuDevice } from './webgpu';
import { compileHostPlan } from '../js/plan/host-plan';
import { webgpuPlan } from './compiled-plan';

/**
 * gpu.js backends (./README.md): `cpu` (gpu.js mode 'cpu', transpiled JavaScript), `webasm` (WebAssembly
 * with f32x4 SIMD) and, in browsers, `webgl2` (fragment shaders, read back with readPixels) run the kernels
 * in ./plans.ts for float32 and bool tensors above a measured size; the js kernels take the rest.
 * `webgpu` runs the same kernels on a GPU agent thread (WGSL through gpu.js), reached synchronously through
 * channel.ts; where no agent can start, its probe says why.
 *
 * Compiled plans: webgpu compiles whole traces itself (Backend.compileTrace, ./compiled-plan.ts: fused kernels,
 * every value resident, nothing read back but what the caller reads); where it declines, and on every other
 * mode, the js backend's plan compiler (Backend.compilePlan, ../js/plan/) fuses what ran on js or gave js's
 * bits on a host engine and calls the rest. webgl2 keeps that until it has a device plan of its own.
 */
const sizes = (mode: Mode) => {
  const finite = Object.values(THRESHOLDS[mode]).filter(Number.isFinite);
  return `${Math.min(...finite)}–${Math.max(...finite)} elements by kernel family`;
};

registerBackend({
  name: 'cpu',
  probe: () => null,
  // attrs carry the fn of unary/binary kernels: Math fns cross over at other sizes (policy.ts MATH_FNS)
  takes: (kernel, inputs, out, attrs?: KernelAttrs) => takes('cpu', kernel, inputs, out, attrs),
  describe: () =>
    `gpu.js mode 'cpu' (transpiled JavaScript) for ${GPUJS_KERNELS.join(', ')} on float32/bool from ${sizes('cpu')}; js below`,
  compilePlan: compileHostPlan,
});

registerBackend({
  name: 'webasm',
  probe: () => (GPU.isWebAssemblySupported ? null : 'gpu.js reports WebAssembly unsupported on this platform'),
  takes: (kernel, inputs, out, attrs?: KernelAttrs) => takes('webasm', kernel, inputs, out, attrs),
  describe: () =>
    `gpu.js mode 'webasm' (WebAssembly, f32x4 SIMD) for ${GPUJS_KERNELS.join(', ')} on float32/bool from ${sizes('webasm')}; js below`,
  compilePlan: compileHostPlan,
});

registerBackend({
  name: 'webgl2',
  probe: probeWebGL2,
  // the guard (guard.ts) keeps NaN, infinities and undefined domains on js: GLSL leaves them undefined
  takes: (kernel, inputs, out, attrs?: KernelAttrs) => takes('webgl2', kernel, inputs, out, attrs),
  describe: () =>
    `gpu.js mode 'webgl2' (GLSL fragment shaders, float32 textures, readPixels) for ${GPUJS_KERNELS.join(', ')} on float32/bool from ${sizes('webgl2')}; js below and for non-finite inputs`,
  compilePlan: compileHostPlan,
});

registerBackend({
  name: 'webgpu',
  probe: probeWebGPU,
  takes: (kernel, inputs, out, attrs?: KernelAttrs) => takes('webgpu', kernel, inputs, out, attrs),
  describe: () =>
    `gpu.js mode 'webgpu' (WGSL compute shaders) on ${webgpuDevice() || 'a GPU agent'}, reached synchronously through a worker and Atomics.wait, ` +
    `for ${GPUJS_KERNELS.join(', ')} on float32/bool from ${sizes('webgpu')}; js below and for non-finite inputs`,
  compilePlan: compileHostPlan,
  // compile() keeps the whole step on the GPU (./compiled-plan.ts); null where it cannot, and the host plan runs it
  compileTrace: webgpuPlan,
});

registerGpujsKernels('cpu');
registerGpujsKernels('webasm');
registerGpujsKernels('webgl2', undefined, keepOnWebGL2);
registerGpujsKernels('webgpu', runOnAgent, keepOnAgent);
keepers.webgl2 = keepOnWebGL2;
keepers.webgpu = keepOnAgent;
// optimizers update on webgpu where the gradients are (optim-kernels.ts); webgl2 could run the same plans,
// but no test reaches webgl2's kernels from Node, so it keeps the host loop
registerFusedUpdates('webgpu', fusedUpdates('webgpu', keepOnAgent, keepPartsOnAgent));

export { setSmallTensorLimit, smallTensorLimit, THRESHOLDS } from './policy';
export { kernelCacheStats, kernelClasses, clearKernelCache } from './cache';
export { guardStats } from './guard';
export { prepareWebGPU, runKernelWebGPU } from './dawn';
export { attachWebGPUAgent, startNodeAgent, webgpuAgentStats, webgpuDevice, webgpuLiveBuffers } from './webgpu';
export { gpuTraffic, setGpuResident } from './resident';
export { countersSince, webgpuCounters, type GpuCounters } from './counters';
export { webgl2LiveTextures };
export { browserWebGPU, gpujsExecutor, serveAgent } from './agent';
export { GPUJS_KERNELS } from './kernels';
