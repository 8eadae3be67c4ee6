import type { MimeBundle } from './types';

/** Messages between the kernel's main thread and its worker (kernel/worker.ts). */
export interface WorkerData {
  /** URL of a module exporting createSession (compiler/index.ts, or a test's fake). */
  sessionModule: string;
  /** Int32 [run id to interrupt]. */
  interrupt: SharedArrayBuffer;
  /** Int32 [state: 0 waiting, 1 answered, 2 declined; byte length], then the answer's UTF-8 bytes. */
  stdin: SharedArrayBuffer;
  /** The worker's heap limit in MB; tensor memory is counted against it too (runtime/limits.ts). */
  heapLimitMb?: number;
  /** runtime/devices-node.ts AGENT_HOST: the main thread hosts this thread's GPU agent */
  nablaAgentHost: true;
}

export const STDIN_CAPACITY = 1 << 20;

export type ToWorker =
  | { op: 'run'; id: number; code: string; file?: string; stdin: boolean }
  | { op: 'complete'; id: number; code: string; cursor: number }
  | { op: 'inspect'; id: number; code: string; cursor: number; detail: 0 | 1 }
  | { op: 'isComplete'; id: number; code: string };

export type FromWorker =
  | { op: 'ready'; warnings: string[] }
  | { op: 'stdout' | 'stderr'; id: number; text: string }
  | { op: 'display'; id: number; bundle: MimeBundle; displayId?: string; update: boolean }
  | { op: 'clear'; id: number; wait: boolean }
  | { op: 'input'; id: number; prompt: string; password: boolean }
  | { op: 'result'; id: number; value: unknown };
