import type { Carrier, Diagnostic } from './shape';

/** An error a front end throws for the user's mistake before (or without) the runtime: it carries its diagnostic. */
export class Reported extends Error implements Carrier {
  constructor(private readonly said: Diagnostic) {
    super(said.message);
    this.name = said.kind;
  }

  diagnostic(): Diagnostic {
    return this.said;
  }
}
