import type { KernelAttrs } from '../kernels';
import type { View } from '../storage';
import type { Tensor } from '../tensor';

/**
 * What the runtime tells a trace in progress (runtime/compile/tracer.ts), and nothing else: the places that
 * compute, write in place, change state outside tensors, or read values on the host call these hooks when
 * `traceState.current` is set. The runtime imports only this file, so compile stays a layer on top of it.
 */
export interface Resolver {
  /** The tensor that stands, in this call, for `t` as the trace saw it. */
  tensor(t: Tensor): Tensor;
}

export interface TraceHooks {
  /** A kernel ran (on `backend`) and produced `out`. */
  kernel(name: string, inputs: readonly View[], attrs: KernelAttrs, out: Tensor, backend: string): void;
  /** `src` is about to be written into `dst`'s storage in place (x += e). */
  write(dst: View, src: View): void;
  /**
   * State outside tensors changed (an optimizer step, .grad set or cleared). The caller performs it now;
   * replays call `replay`. `uses`: tensors it reads that a replay must keep (a gradient it stores).
   */
  effect(label: string, replay: (r: Resolver) => void, uses: readonly Tensor[]): void;
  /** `holder.grad` is read here as the trace found it at the start of the call (a replay checks it still is). */
  readsGrad(holder: Tensor): void;
  /** `holder.grad` was set inside the trace (so later reads of it are the trace's own doing). */
  setsGrad(holder: Tensor): void;
  /** The function cannot be replayed from this trace: why, as a sentence. */
  unreplayable(reason: string): void;
}

export const traceState: { current: TraceHooks | null } = { current: null };

/** Runs `fn` with no trace listening (an effect's own work is replayed by calling it again, not by its kernels). */
export function untraced<T>(fn: () => T): T {
  const t = traceState.current;
  if (!t) return fn();
  traceState.current = null;
  try {
    return fn();
  } finally {
    traceState.current = t;
  }
}

/** The label of the effect that (re)binds a .grad: it changes which tensor .grad is, never a tensor's values. */
export const REBIND_GRAD = '.grad = ...';

/** Sets `holder.grad`, telling a trace so that replays set it too. */
export function assignGrad(holder: Tensor, g: Tensor | null): void {
  holder.grad = g;
  const t = traceState.current;
  if (!t) return;
  t.setsGrad(holder);
  t.effect(REBIND_GRAD, (r) => void (r.tensor(holder).grad = g && r.tensor(g)), g ? [g] : []);
}
