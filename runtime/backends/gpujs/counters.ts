import { gpuTraffic } from './resident';
import { webgpuAgentStats } from './webgpu';

/**
 * The webgpu yardstick (README.md, "Counters"): kernel dispatches handed to the GPU agent, pipelines the
 * agent compiled (kernels gpu.js built: one compute pipeline each), floats sent host→device and read
 * device→host, and how many reads. Dispatches and floats are counted by the runtime where requests are
 * sent and replies taken; compilations by the agent (asking costs one round trip, no floats). Subtract two
 * readings to count a piece of work: `countersSince(before)`.
 */
export interface GpuCounters {
  dispatches: number;
  compilations: number;
  floatsUp: number;
  floatsDown: number;
  reads: number;
}

/** The counts so far on webgpu, or null when its agent is not ready. */
export function webgpuCounters(): GpuCounters | null {
  const agent = webgpuAgentStats();
  if (!agent) return null;
  const t = gpuTraffic.webgpu;
  return {
    dispatches: t.dispatches,
    compilations: agent.cache.built,
    floatsUp: t.floatsUploaded,
    floatsDown: t.floatsRead,
    reads: t.reads,
  };
}

/** The counts since `before` (a webgpuCounters() reading). */
export function countersSince(before: GpuCounters): GpuCounters {
  const now = webgpuCounters();
  if (!now)
    throw new Error(
      'countersSince: webgpu is not ready (choose it first: NABLA_BACKEND=webgpu or setBackend("webgpu"))',
    );
  return {
    dispatches: now.dispatches - before.dispatches,
    compilations: now.compilations - before.compilations,
    floatsUp: now.floatsUp - before.floatsUp,
    floatsDown: now.floatsDown - before.floatsDown,
    reads: now.reads - before.reads,
  };
}
