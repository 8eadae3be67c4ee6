// Messages between the page (main.ts, through session-client.ts) and the worker the session runs in
// (session.worker.ts). The session runs in a worker so that the webgpu backend can block there while the
// GPU worker computes (a page's main thread may not Atomics.wait), and so that a long cell never freezes
// the page: Restart ends the worker, whatever it is doing.
import type { RunResult } from '../../compiler';
import type { BackendReport } from '../../runtime';
import type { BackendStatus } from './backends';
import type { MimeBundle } from './notebook';

export type RunReply = {
  /** A failed run carries its diagnostics: the page marks their places in the editors. */
  result: RunResult;
  ms: number;
  backend: string;
  /** kernel calls per backend during the run (js: the calls the chosen backend left to js) */
  kernels: Record<string, number>;
};

export type CompletionKind = 'keyword' | 'constant' | 'function' | 'variable';
export type CompletionReply = {
  start: number;
  end: number;
  items: { label: string; kind: CompletionKind; detail?: string }[];
};
export type InspectReply = { head: string; body: string } | null;

/**
 * One problem the checker (compiler/check) finds in a cell without running it. `from`/`to` are offsets in
 * the cell's text (UTF-16, as the editor counts); lines and columns (code points) are 1-based, as `nabla check` prints them.
 */
export interface CheckDiagnostic {
  message: string;
  severity: 'error' | 'warning';
  from: number;
  to: number;
  line: number;
  col: number;
  /** Where the problem's text ends (exclusive). */
  endLine: number;
  endCol: number;
  /** The names a "did you mean …?" in the message suggests, nearest first (empty when none). */
  suggestions: string[];
}

export interface BackendsReply {
  statuses: BackendStatus[];
  report: BackendReport;
}

/** What each GPU backend ran, for tests and the curious: gpu.js kernel classes, cache counts, guard counts. */
/** Host↔GPU traffic of one GPU mode (runtime/backends/gpujs/resident.ts), and results it keeps now. */
export interface GpuTraffic {
  reads: number;
  floatsRead: number;
  uploads: number;
  floatsUploaded: number;
  live: number;
}

export interface GpuStats {
  webgl2: {
    classes: string[];
    built: number;
    guard: { declined: number; recomputed: number } | null;
    traffic: GpuTraffic;
  };
  webgpu: {
    agent: { classes: string[]; cache: Record<string, number> } | null;
    guard: { declined: number; recomputed: number } | null;
    device: string;
    traffic: GpuTraffic;
  };
}

/** Requests and their replies. */
export interface Calls {
  builtins: { req: Record<string, never>; reply: { names: string[] } };
  /** stdin: the front end answers input() (session-client.ts's sinks.input); otherwise input() says it cannot. */
  run: { req: { code: string; file: string; stdin?: boolean }; reply: RunReply };
  complete: { req: { code: string; cursor: number }; reply: CompletionReply };
  inspect: { req: { code: string; cursor: number }; reply: InspectReply };
  /** The checker's problems in a cell, given the session's names and those the cells above it (`earlier`) define. */
  check: { req: { code: string; earlier: string[] }; reply: CheckDiagnostic[] };
  /** Session.inspect's own bundle (a Jupyter inspect_reply's data), for the JupyterLite kernel. */
  inspectBundle: { req: { code: string; cursor: number; detail: 0 | 1 }; reply: { found: boolean; data: MimeBundle } };
  /** Session.isComplete (a Jupyter is_complete_reply). */
  isComplete: { req: { code: string }; reply: { status: 'complete' | 'incomplete' | 'invalid'; indent: string } };
  backends: { req: Record<string, never>; reply: BackendsReply };
  select: { req: { name: string }; reply: BackendReport };
  values: { req: { name: string }; reply: number[] | null };
  gpuStats: { req: Record<string, never>; reply: GpuStats };
}

export type CallName = keyof Calls;
export type Request = { [K in CallName]: { id: number; call: K; args: Calls[K]['req'] } }[CallName];

/** Sent once, first: the port to the GPU worker and the shared memory of interrupts and input (null where the page cannot share memory). */
export interface Init {
  init: true;
  gpuPort: MessagePort | null;
  /** Int32 [request id of the run to stop]: the worker's interrupt check throws when it sees its run's id. */
  interrupt: SharedArrayBuffer | null;
  /** Int32 [state: 0 waiting, 1 answered, 2 declined; byte length], then the answer's UTF-8 bytes. */
  stdin: SharedArrayBuffer | null;
}

/** Room for one answer to input(), after the two Int32 of state. */
export const STDIN_CAPACITY = 1 << 16;

/** Worker → page: a reply, or an output of the run in progress (streamed while it runs). */
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string }
  | {
      id: number;
      output:
        | { kind: 'stdout' | 'stderr'; text: string }
        | { kind: 'display'; bundle: MimeBundle; displayId?: string; update?: boolean }
        | { kind: 'clear'; wait: boolean }
        | { kind: 'input'; prompt: string; password: boolean };
    };
