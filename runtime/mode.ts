import { mode } from './context';

/** Autograd switches: grad mode (torch.no_grad), anomaly mode, and the interrupt check; the current context's (context.ts). */
export { mode };

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
}
