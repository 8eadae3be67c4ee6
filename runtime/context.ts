import type { BackwardObserver, TraceHooks } from './hooks';
import type { Site } from './site';
import type { GradientTape } from './tape';

/**
 * The runtime's state that belongs to one session (a notebook, a REPL, a script): grad and anomaly mode,
 * the source place being evaluated, where warnings go, the trace and backward observer listening, the
 * backend of the last kernel and the open tapes. A Session owns one RuntimeContext and makes it current
 * while it runs (`withContext`), so two sessions in one process never see each other's warnings sink or
 * trace. What is the process's, not a session's, stays outside: the backend and devices (one per process),
 * the interrupt check (one per worker, read from shared memory), live-tensor counts, the global random
 * generator (ops/creation.ts: a session's seed() reseeds the process's draws, as it always did).
 */
export class RuntimeContext {
  readonly mode = new ModeState();
  /** Where in the user's source the current operation happens (site.ts). */
  readonly site: { current: Site | null } = { current: null };
  /** Where non-fatal diagnostics go (provenance.ts warn); dropped when unset. */
  readonly warnings: { sink: ((message: string) => void) | null } = { sink: null };
  /** The trace of a compiled function in progress, told what the core does (hooks.ts). */
  readonly trace: { current: TraceHooks | null } = { current: null };
  /** explain's recorder of backward passes (hooks.ts). */
  readonly backward: { current: BackwardObserver | null } = { current: null };
  /** Which backend ran the last kernel call: a compiled trace records it (backend.ts). */
  readonly lastKernel = { backend: 'js' };
  /** The tapes whose with-block is open, innermost last (tape.ts). */
  readonly tapes: GradientTape[] = [];
}

/** The interrupt check is the process's: the kernel worker installs it once, and every session's ops call it. */
const processHooks: { checkInterrupt: null | (() => void) } = { checkInterrupt: null };

/** Global autograd switches of a context: grad mode (torch.no_grad), anomaly mode; and the process's interrupt check. */
export class ModeState {
  gradEnabled = true;
  anomaly = false;
  /** Called at every op; the kernel installs a check that throws when the user interrupted. */
  get checkInterrupt(): null | (() => void) {
    return processHooks.checkInterrupt;
  }
  set checkInterrupt(check: null | (() => void)) {
    processHooks.checkInterrupt = check;
  }
}

/** The context that runs when no session made its own current (the runtime used from TypeScript). */
export const defaultContext = new RuntimeContext();

let current = defaultContext;

// The current context's parts as live module bindings (ES modules see a reassigned `let` export): the hot
// path (every op reads mode and traceState, every expression writes siteState) pays one load, as it did
// when these were module singletons, and their users kept their names. Only enterContext assigns them.
export let mode: ModeState = current.mode;
export let siteState = current.site;
export let warnings = current.warnings;
export let traceState = current.trace;
export let backwardObserver = current.backward;
export let lastKernel = current.lastKernel;
export let activeTapes = current.tapes;

export function currentContext(): RuntimeContext {
  return current;
}

/** Makes `ctx` current; returns the context it replaced (give it back to enterContext to restore). */
export function enterContext(ctx: RuntimeContext): RuntimeContext {
  const prev = current;
  current = ctx;
  mode = ctx.mode;
  siteState = ctx.site;
  warnings = ctx.warnings;
  traceState = ctx.trace;
  backwardObserver = ctx.backward;
  lastKernel = ctx.lastKernel;
  activeTapes = ctx.tapes;
  return prev;
}

/** Runs fn with `ctx` current, then restores the context that was (nested sessions unwind in order). */
export function withContext<T>(ctx: RuntimeContext, fn: () => T): T {
  const prev = enterContext(ctx);
  try {
    return fn();
  } finally {
    enterContext(prev);
  }
}
