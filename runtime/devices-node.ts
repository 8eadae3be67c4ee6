/**
 * The Node-only half of the devices facade (./devices.ts has the rest): a thread that may be ended (the
 * Jupyter kernel's interpreter) must not own a Dawn device, so its parent hosts the GPU agent. Start the
 * thread with `workerData: { [AGENT_HOST]: true, ... }` and call `hostWebGPUAgents(worker)`;
 * `closeHostedAgents()` ends the agents once they have drained (runtime/backends/gpujs/agent-host.ts).
 */
export { closeHostedAgents, hostWebGPUAgents } from './backends/gpujs/agent-host';
export { AGENT_HOST } from './backends/gpujs/channel';
