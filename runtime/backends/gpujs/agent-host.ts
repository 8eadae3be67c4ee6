import { Worker, type MessagePort } from 'node:worker_threads';
import { AGENT_HOST } from './channel';

/**
 * GPU agents for threads that may be ended. Dawn aborts the whole process when the thread that owns it is
 * ended in the middle of a call (a pipeline build, a readback), and the Jupyter kernel ends its interpreter's
 * thread on a restart and when a cell ignores an interrupt. So such a thread does not start its own agent:
 * its parent hosts one (`hostWebGPUAgents(worker)`, with `workerData[AGENT_HOST]` set), the thread gets a
 * MessagePort to it (webgpu.ts `startNodeAgent`), and when the thread ends, its port closes and the agent
 * frees what it kept for it. One agent per process (per agent module) serves every such thread.
 */
interface PortRequest {
  nablaAgentPort: MessagePort;
  entry: string;
}
const isPortRequest = (m: unknown): m is PortRequest => typeof m === 'object' && m !== null && 'nablaAgentPort' in m;

const agents = new Map<string, Worker>();

/** Answers `worker`'s requests for a GPU agent (start it with `workerData: { [AGENT_HOST]: true, ... }`). */
export function hostWebGPUAgents(worker: Worker): void {
  worker.on('message', (m: unknown) => {
    if (isPortRequest(m)) agentFor(m.entry).postMessage({ nablaServePort: m.nablaAgentPort }, [m.nablaAgentPort]);
  });
}

function agentFor(entry: string): Worker {
  let agent = agents.get(entry);
  if (!agent) {
    agent = new Worker(new URL('./node-agent-boot.mjs', import.meta.url), {
      workerData: { entry, hosted: true },
      execArgv: [],
    });
    agent.unref(); // an idle agent never keeps the process alive
    agent.on('error', (e) => process.stderr.write(`[nabla webgpu] the GPU agent failed: ${e.message}\n`));
    agent.on('exit', () => agents.delete(entry));
    agents.set(entry, agent);
  }
  return agent;
}

/** Ends the hosted agents once each has finished what it was doing (or after `timeoutMs`). */
export async function closeHostedAgents(timeoutMs = 10_000): Promise<void> {
  const closing = [...agents.values()].map(async (agent) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      agent.on('message', (m: { nablaDrained?: boolean }) => {
        if (!m?.nablaDrained) return;
        clearTimeout(timer);
        resolve();
      });
      agent.postMessage({ nablaDrain: true });
    });
    await agent.terminate();
  });
  agents.clear();
  await Promise.all(closing);
}
