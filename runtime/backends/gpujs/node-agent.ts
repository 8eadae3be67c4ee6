import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { gpujsExecutor, serveAgent } from './agent';
import { dawnAdapter, dawnFallback, dawnStorageBuffers, prepareWebGPU } from './dawn';

/**
 * The GPU agent in Node: a worker_thread (started through node-agent-boot.mjs) that installs Dawn's
 * navigator.gpu (the npm package 'webgpu', with the device shim of ARCHITECTURE.md), asks for an adapter,
 * and serves gpu.js webgpu kernels to a blocked runtime thread over channel.ts. Started by webgpu.ts, it
 * serves that thread on parentPort. Started by agent-host.ts (`workerData.hosted`), it serves every
 * MessagePort its parent hands it, one runtime thread each, and frees what a thread kept when its port
 * closes (the thread ended).
 *
 * Tested on Dawn over Mesa's lavapipe (README.md, "A GPU in Node without a GPU"); no hardware GPU yet.
 */
if (!parentPort) throw new Error('node-agent.ts runs as a worker_thread (runtime/backends/gpujs/webgpu.ts starts it)');
const host = parentPort;

const executor = () =>
  gpujsExecutor(
    'webgpu',
    async () => {
      const why = await prepareWebGPU();
      return why
        ? { why }
        : { why: null, device: dawnAdapter, fallback: dawnFallback, storageBuffers: dawnStorageBuffers };
    },
    'WebGPUKernel',
  );

if (!(workerData as { hosted?: boolean } | null)?.hosted) serveAgent(host, executor());
else {
  const served = new Set<{ idle(): Promise<void> }>();
  host.on('message', (m: { nablaServePort?: MessagePort; nablaDrain?: boolean }) => {
    if (m?.nablaServePort) {
      const port = m.nablaServePort;
      const ex = executor();
      const serving = serveAgent(port, ex);
      served.add(serving);
      port.on('close', () => {
        served.delete(serving);
        void serving.idle().then(() => ex.freeAll());
      });
    }
    // the host is about to end this thread: answer once no Dawn call is under way (ending it mid-call aborts the process)
    if (m?.nablaDrain)
      void Promise.all([...served].map((s) => s.idle())).then(() => host.postMessage({ nablaDrained: true }));
  });
}
