import type { Diagnostic } from '../diagnostic';

/**
 * The contract between the language and its front ends (Jupyter kernel, CLI REPL, playground). A Session
 * holds the state of one notebook or REPL; `run` is synchronous, streams through `Output` while it runs, and
 * never throws for a user's mistake: it returns the error as data.
 */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Names a display so a later call with update=true replaces it in place (progress bars). */
  displayId?: string;
  update?: boolean;
  /** The last update of this display (a finished progress bar); terminals keep it and move on. */
  final?: boolean;
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  display(bundle: MimeBundle, opts?: DisplayOptions): void;
  /** Clears the cell's output, at once or (wait=true) when the next output arrives; front ends without it ignore clear_output(). */
  clearOutput?(wait?: boolean): void;
  /** A line of text from the user (Jupyter's input_request); absent where the front end cannot ask. */
  input?(prompt: string, opts?: { password?: boolean }): string;
}

export type RunResult =
  | { ok: true; value: MimeBundle | null }
  // the traceback is the diagnostics rendered (../diagnostic/render.ts); front ends mark places from the data
  | { ok: false; ename: string; evalue: string; traceback: string[]; diagnostics: Diagnostic[] };

export interface Completion {
  matches: string[];
  /** Code-point offsets of the text the matches replace. */
  start: number;
  end: number;
}

export interface Session {
  run(code: string, out: Output, opts?: { file?: string }): RunResult;
  complete(code: string, cursor: number): Completion;
  inspect(code: string, cursor: number, detail: 0 | 1): { found: boolean; data: MimeBundle };
  isComplete(code: string): { status: 'complete' | 'incomplete' | 'invalid'; indent: string };
}
