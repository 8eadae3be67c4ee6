import { parentPort } from 'node:worker_threads';
import { gpujsExecutor, serveAgent } from './agent';
import { dawnAdapter, dawnFallback, prepareWebGPU } from './dawn';

/**
 * The GPU agent in Node: a worker_thread (started by webgpu.ts through node-agent-boot.mjs) that installs
 * Dawn's navigator.gpu (the npm package 'webgpu', with the device shim of ARCHITECTURE.md), asks for an
 * adapter, and serves gpu.js webgpu kernels to the blocked runtime thread over channel.ts.
 *
 * Tested on Dawn over Mesa's lavapipe (README.md, "A GPU in Node without a GPU"); no hardware GPU yet.
 */
if (!parentPort) throw new Error('node-agent.ts runs as a worker_thread (runtime/backends/gpujs/webgpu.ts starts it)');
serveAgent(
  parentPort,
  gpujsExecutor(
    'webgpu',
    async () => {
      const why = await prepareWebGPU();
      return why ? { why } : { why: null, device: dawnAdapter, fallback: dawnFallback };
    },
    'WebGPUKernel',
  ),
);
