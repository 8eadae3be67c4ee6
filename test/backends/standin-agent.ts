// A GPU agent for webgpu-facade.test.ts: the real agent machinery (agent.ts, channel.ts) over a stand-in
// asynchronous device, since no WebGPU adapter answers on the development machines. Kernels run on gpu.js
// 'cpu' from the same plans the webgpu backend sends (so its GPU forms and corrected index division run
// too), each answered only after a timer turn, as a GPU's mapAsync would. `?device=` in the module URL picks
// a behaviour: ready (default), fallback (ready, but says its adapter is a CPU emulation), no-adapter,
// wrong (results come back changed), failing (kernels reject once the check kernel has passed) or silent
// (never answers); `?delay=0` answers after a microtask instead of a timer (to time the channel itself).
import { parentPort } from 'node:worker_threads';
import { gpujsExecutor, serveAgent } from '../../runtime/backends/gpujs/agent';
import { runPlanAsync } from '../../runtime/backends/gpujs/cache';

const params = new URL(import.meta.url).searchParams;
const device = params.get('device') ?? 'ready';
const delay = Number(params.get('delay') ?? 1);
let runs = 0;
const executor = gpujsExecutor(
  'cpu',
  async () =>
    device === 'no-adapter'
      ? { why: 'no adapter answered (stand-in)' }
      : { why: null, device: 'stand-in asynchronous device (gpu.js cpu)', fallback: device === 'fallback' },
  'CPUKernel',
  async (plan, args) => {
    await (delay ? new Promise((r) => setTimeout(r, delay)) : Promise.resolve());
    if (device === 'failing' && runs++ > 0) throw new Error('the stand-in device lost its context');
    const out = await runPlanAsync('cpu', plan, args);
    if (device === 'wrong') out[0] += 1;
    return out;
  },
);
if (device !== 'silent') serveAgent(parentPort!, executor);
