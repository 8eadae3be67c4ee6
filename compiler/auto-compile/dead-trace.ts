import * as nb from '../../runtime';
import { auto } from './hooks';
import { Recorder } from './recorder';

/**
 * Whether the trace around this call has already failed: a loop statement's trace that met something a replay
 * would not repeat (an L-BFGS step reads the loss on the host) runs on to the statement's end as an eager run
 * that records nothing more, and that statement runs eagerly from then on.
 */
function deadTrace(): boolean {
  const tr = nb.traceState.current;
  const rec = auto.rec;
  if (!tr && !rec) return false;
  return (tr instanceof nb.Tracer && tr.reason !== null) || (rec instanceof Recorder && rec.denied !== null);
}

/**
 * Runs `call` (a compiled function's call) with a failed trace set aside, so that it replays its plan as it
 * would outside any trace; inside a live trace, or none, it runs as it is. Without this, each of an L-BFGS
 * step's hundreds of closure calls ran as written under the dead trace: that one iteration cost ~4× the others.
 */
export function besideDeadTrace<T>(call: () => T): T {
  if (!deadTrace()) return call();
  const [trace, rec] = [nb.traceState.current, auto.rec];
  nb.traceState.current = null;
  auto.rec = null;
  try {
    return call();
  } finally {
    nb.traceState.current = trace;
    auto.rec = rec;
  }
}
