// The one shape of a message to the user about their program or its run, whichever layer finds it: the
// grammar (a syntax error), the compiler (a `return` outside a function, a wrong argument), the runtime (a
// shape mismatch, an anomaly in backward) or a front end (a kernel whose interpreter died). Front ends render
// it (./render.ts) and read its places (the playground marks its editors from them), never its text.
// This folder imports nothing: grammar/ and runtime/ both produce it and may know nothing of each other.

/** A place in the user's source; line and columns count from 1, columns in code points. */
export interface Place {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
  /** What happened here: '' for the place of the error itself, 'called from here' for a caller. */
  label: string;
}

export interface Diagnostic {
  /** Python's name for it, as Jupyter shows it: 'SyntaxError', 'ShapeError', 'KeyboardInterrupt', … */
  kind: string;
  /** One sentence: what went wrong (and usually what to do). */
  message: string;
  /**
   * Where: the error's own place first (label ''), then its callers, innermost first. An error that happened
   * outside any place in the source has only callers, or no places at all.
   */
  places: Place[];
  /** Callers left out of places (a deep recursion): `count` of them, after the first `after` callers shown. */
  omitted?: { after: number; count: number };
  /** Further sentences, each shown on a line of its own under the error. */
  notes: string[];
  /** What to do, shown in parentheses after the message. */
  remedy?: string;
  /**
   * Set for what is found before the program runs (syntax, compile checks): rendered as a compiler's
   * `error: message`; absent for what is found while it runs, rendered as Python's `Kind: message`.
   */
  severity?: 'error' | 'warning';
}

/** The label of a caller's place. */
export const CALLED_FROM = 'called from here';

/** A diagnostic with no place (a kernel whose interpreter stopped, an interrupt). */
export function placeless(kind: string, message: string, remedy?: string): Diagnostic {
  return { kind, message, places: [], notes: [], ...(remedy ? { remedy } : {}) };
}

/** An error class that carries a diagnostic (NablaError, LangError, Interrupted): the class is how it travels, this is what it says. */
export interface Carrier {
  diagnostic(): Diagnostic;
}

/** The diagnostic a thrown value carries, or null when it carries none (a JavaScript error: a bug in Nabla). */
export function carried(e: unknown): Diagnostic | null {
  return e && typeof e === 'object' && typeof (e as Partial<Carrier>).diagnostic === 'function'
    ? (e as Carrier).diagnostic()
    : null;
}

/** The place of a site the runtime or compiler recorded (`label` '' for the error's own place). */
export function placeOf(site: { file: string; line: number; col: number }, label = ''): Place {
  return { file: site.file, line: site.line, col: site.col, label };
}
