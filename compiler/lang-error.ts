import type { Carrier, Diagnostic } from '../diagnostic';

/**
 * A mistake in the user's program found by the language itself (the runtime's own are NablaErrors). It knows
 * no place: the compiler's current site is where it happened (compiler/report.ts).
 */
export class LangError extends Error implements Carrier {
  constructor(
    message: string,
    readonly ename = 'TypeError',
  ) {
    super(message);
  }

  diagnostic(): Diagnostic {
    return { kind: this.ename, message: this.message, places: [], notes: [] };
  }
}
