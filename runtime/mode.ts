// a type only: this module must import nothing at run time (kernel/worker.ts loads it before anything else)
import type { Diagnostic } from '../diagnostic';

/**
 * Autograd switches: grad mode (torch.no_grad) and anomaly mode are the current session's (context.ts moves
 * them when another session's context becomes current); the interrupt check is the process's, installed once.
 */
export const mode = {
  gradEnabled: true,
  anomaly: false,
  /** Called at every op; the kernel installs a check that throws when the user interrupted. */
  checkInterrupt: null as null | (() => void),
};

export function noGrad<T>(fn: () => T): T {
  return withGrad(false, fn);
}

export function enableGrad<T>(fn: () => T): T {
  return withGrad(true, fn);
}

export function withGrad<T>(enabled: boolean, fn: () => T): T {
  const prev = mode.gradEnabled;
  mode.gradEnabled = enabled;
  try {
    return fn();
  } finally {
    mode.gradEnabled = prev;
  }
}

/** Thrown at an op boundary when the user interrupts (Jupyter's interrupt, Ctrl-C in the REPL). */
export class Interrupted extends Error {
  constructor() {
    super('interrupted by the user');
    this.name = 'KeyboardInterrupt';
  }

  diagnostic(): Diagnostic {
    return { kind: 'KeyboardInterrupt', message: this.message, places: [], notes: [] };
  }
}
