import type { Completion, DisplayOptions, MimeBundle, Output, RunResult, Session } from '../compiler/session';

export type { Completion, DisplayOptions, MimeBundle, Output, RunResult, Session };

/**
 * What the kernel gives a Session besides `Output`: stdin and clear_output. A Session may use them when present
 * (an `input("name? ")` builtin, `clear_output()`); they are optional so compiler/session.ts stays as it is.
 */
export interface KernelOutput extends Output {
  /** Asks the front end for a line of text (Jupyter's input_request); blocks the running cell until it answers. */
  input?(prompt: string, opts?: { password?: boolean }): string;
  /** Clears the cell's output, at once or (wait=true) when the next output arrives. */
  clearOutput?(wait?: boolean): void;
}

/** checkBeforeRun: check a cell with the names earlier cells defined and run it only when that finds no error. */
export type SessionFactory = (opts: { mime: (v: unknown) => MimeBundle | null; checkBeforeRun?: boolean }) => Session;

/** Where a running cell's effects go, on the kernel's main thread. */
export interface RunSinks {
  stdout(text: string): void;
  stderr(text: string): void;
  display(bundle: MimeBundle, opts: DisplayOptions): void;
  clearOutput(wait: boolean): void;
  /** Null when the front end cannot answer input requests (allow_stdin false). */
  input: ((prompt: string, password: boolean) => Promise<string>) | null;
}

export interface InspectResult {
  found: boolean;
  data: MimeBundle;
}

export interface IsCompleteResult {
  status: 'complete' | 'incomplete' | 'invalid' | 'unknown';
  indent: string;
}

/**
 * Runs a Session somewhere the kernel's main thread can wait on without blocking (a worker thread); all
 * calls are asynchronous and never reject for a user's mistake. Cursor positions are in code points.
 */
export interface Executor {
  run(code: string, sinks: RunSinks, opts?: { file?: string }): Promise<RunResult>;
  complete(code: string, cursor: number): Promise<Completion>;
  inspect(code: string, cursor: number, detail: 0 | 1): Promise<InspectResult>;
  isComplete(code: string): Promise<IsCompleteResult>;
  /** Stops the running cell at its next interrupt check; true when a cell was running. */
  interrupt(): boolean;
  /** Drops all state and starts afresh (used when the front end restarts without a new process). */
  reset(): Promise<void>;
  close(): Promise<void>;
}
