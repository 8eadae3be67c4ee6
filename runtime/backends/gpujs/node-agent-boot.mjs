// The GPU agent's worker_thread in Node (runtime/backends/gpujs/webgpu.ts starts it): registers tsx, so the
// agent's TypeScript loads here as it does in the CLI (bin/nabla.mjs), then runs the module named in
// workerData.entry (node-agent.ts, or a test's stand-in agent).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
