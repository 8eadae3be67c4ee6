// The GPU worker: owns the page's GPUDevice and runs gpu.js webgpu kernels for the session worker, which
// blocks on shared memory until each result is written (runtime/backends/gpujs/channel.ts). The page
// starts it once and hands it one end of a MessageChannel per session worker (the other end goes to
// the session worker), so a restarted session reuses the device and its compiled kernels.
import { browserWebGPU, gpujsExecutor, serveAgent } from '../../runtime/devices';

const executor = gpujsExecutor('webgpu', browserWebGPU, 'WebGPUKernel');

self.onmessage = (e: MessageEvent<{ port?: MessagePort }>) => {
  if (e.data?.port) serveAgent(e.data.port, executor);
};
