import { GPU } from 'gpu.js';
import { registerBackend } from '../../backend';
import type { KernelAttrs } from '../../kernels';
import { registerGpujsKernels, GPUJS_KERNELS } from './kernels';
import { takes, THRESHOLDS } from './policy';
import { probeWebGPU } from './webgpu';

/**
 * gpu.js backends (./README.md): `cpu` (gpu.js mode 'cpu', transpiled JavaScript) and `webasm` (WebAssembly
 * with f32x4 SIMD) run the kernels in ./plans.ts for float32 and bool tensors above a measured size; the js
 * kernels take the rest. `webgpu` is registered so backendReport() says why it is skipped.
 */
const sizes = (mode: 'cpu' | 'webasm') => {
  const finite = Object.values(THRESHOLDS[mode]).filter(Number.isFinite);
  return `${Math.min(...finite)}–${Math.max(...finite)} elements by kernel family`;
};

registerBackend({
  name: 'cpu',
  probe: () => null,
  // attrs: runKernel does not pass them yet (README.md); the policy uses them once it does
  takes: (kernel, inputs, out, attrs?: KernelAttrs) => takes('cpu', kernel, inputs, out, attrs),
  describe: () => `gpu.js mode 'cpu' (transpiled JavaScript) for ${GPUJS_KERNELS.join(', ')} on float32/bool from ${sizes('cpu')}; js below`,
});

registerBackend({
  name: 'webasm',
  probe: () => (GPU.isWebAssemblySupported ? null : 'gpu.js reports WebAssembly unsupported on this platform'),
  takes: (kernel, inputs, out, attrs?: KernelAttrs) => takes('webasm', kernel, inputs, out, attrs),
  describe: () => `gpu.js mode 'webasm' (WebAssembly, f32x4 SIMD) for ${GPUJS_KERNELS.join(', ')} on float32/bool from ${sizes('webasm')}; js below`,
});

registerBackend({
  name: 'webgpu',
  probe: probeWebGPU,
  takes: () => false,
  describe: () => 'gpu.js mode webgpu: asynchronous, not yet usable by the synchronous runtime (see runtime/backends/gpujs/README.md)',
});

registerGpujsKernels('cpu');
registerGpujsKernels('webasm');

export { setSmallTensorLimit, smallTensorLimit, THRESHOLDS } from './policy';
export { kernelCacheStats, kernelClasses, clearKernelCache } from './cache';
export { prepareWebGPU, runKernelWebGPU } from './webgpu';
export { GPUJS_KERNELS } from './kernels';
