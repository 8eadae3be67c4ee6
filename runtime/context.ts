import { lastKernel } from './backend';
import { backwardObserver, traceState, type BackwardObserver, type TraceHooks } from './hooks';
import { mode } from './mode';
import { warnings } from './provenance';
import { siteState, type Site } from './site';
import { activeTapes, type GradientTape } from './tape';

/** What one context owns, as kept while the context is not current. */
interface SessionState {
  gradEnabled: boolean;
  anomaly: boolean;
  site: Site | null;
  sink: ((message: string) => void) | null;
  trace: TraceHooks | null;
  backward: BackwardObserver | null;
  lastBackend: string;
  tapes: GradientTape[];
}

let current: RuntimeContext | undefined;

const fresh = (): SessionState => ({
  gradEnabled: true,
  anomaly: false,
  site: null,
  sink: null,
  trace: null,
  backward: null,
  lastBackend: 'js',
  tapes: [],
});

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
  /** Its state while another context is current; null while it is current (the state is then in the slots). */
  private parked: SessionState | null;

  constructor() {
    // the first context (defaultContext) starts current, holding the slots as they are; every later one fresh
    this.parked = current ? fresh() : null;
  }

  /** Moves the state out of the slots into this context, which stops being current (enterContext alone calls it). */
  park(): void {
    this.parked = {
      gradEnabled: mode.gradEnabled,
      anomaly: mode.anomaly,
      site: siteState.current,
      sink: warnings.sink,
      trace: traceState.current,
      backward: backwardObserver.current,
      lastBackend: lastKernel.backend,
      tapes: activeTapes.splice(0),
    };
  }

  /** Moves this context's state into the slots: it becomes current (enterContext alone calls it). */
  unpark(): void {
    const s = this.parked ?? fresh();
    mode.gradEnabled = s.gradEnabled;
    mode.anomaly = s.anomaly;
    siteState.current = s.site;
    warnings.sink = s.sink;
    traceState.current = s.trace;
    backwardObserver.current = s.backward;
    lastKernel.backend = s.lastBackend;
    activeTapes.push(...s.tapes);
    this.parked = null;
  }
}

// The slots stay where the core reads them (mode.ts, site.ts, provenance.ts, backend.ts, hooks.ts, tape.ts):
// plain objects that never change identity, so the hot path (every op reads mode and traceState, every
// expression writes siteState) costs one load as before, under any module loader (a reassigned live binding
// becomes a getter in transpiled modules, and a getter may answer undefined once a deep recursion exhausts
// the stack). Making a context current moves their values, a few assignments per session run.

/** The context that runs when no session made its own current (the runtime used from TypeScript). */
export const defaultContext = new RuntimeContext();
current = defaultContext;

export function currentContext(): RuntimeContext {
  return current!;
}

/** Makes `ctx` current; returns the context it replaced (give it back to enterContext to restore). */
export function enterContext(ctx: RuntimeContext): RuntimeContext {
  const prev = current!;
  if (ctx === prev) return prev;
  prev.park();
  ctx.unpark();
  current = ctx;
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
