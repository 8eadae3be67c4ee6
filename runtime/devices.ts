/**
 * The devices facade: what a front end (the kernel, the playground's workers, benchmarks) may know of the
 * devices under the runtime, without importing a backend's internals (scripts/layers.ts checks this).
 * Everything here runs in a browser too; Node-only agent hosting is in ./devices-node.ts, so that the
 * playground's bundle never pulls node:worker_threads in (web/build.ts refuses it).
 *
 * - agents: a GPU agent serves gpu.js webgpu kernels to a thread that blocks on shared memory
 *   (runtime/backends/gpujs/README.md). A page's GPU worker serves one (`serveAgent(port,
 *   gpujsExecutor('webgpu', browserWebGPU, 'WebGPUKernel'))`); the session's worker attaches to it.
 * - statistics: kernels built and cached per gpu.js mode, guard verdicts, host↔GPU traffic, live buffers.
 * - settings: the size from which gpu.js takes a kernel, and whether results stay on the GPU.
 * - probes: whether each backend can run here, and why not, as data; whether a big float32 matmul runs on
 *   two threads here (gemmThreads), and why not.
 */
export { knownBackendNames, probeBackend, type BackendProbe } from './backend';
export { gemmThreads, setGemmThreads, type GemmThreads } from './backends/js/wasm/gemm-threads';
export {
  attachWebGPUAgent,
  browserWebGPU,
  gpujsExecutor,
  serveAgent,
  startNodeAgent,
  webgpuAgentStats,
  webgpuDevice,
  webgpuLiveBuffers,
  webgl2LiveTextures,
  gpuTraffic,
  guardStats,
  kernelCacheStats,
  kernelClasses,
  clearKernelCache,
  setGpuResident,
  setSmallTensorLimit,
  smallTensorLimit,
  THRESHOLDS,
} from './backends/gpujs';
