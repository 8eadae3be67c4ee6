import type { BackwardCtx, Node } from './graph';
import type { KernelAttrs } from './kernels';
import type { View } from './storage';
import type { Tensor } from './tensor';
import type { Resolver } from './trace';

/**
 * What the runtime core tells the layers above it, and nothing else. The core raises these events; the
 * tracer (runtime/compile/) and explain (runtime/explain/) subscribe. The core imports none of them.
 *
 * Each event has one listener slot, and the core checks it with `slot.current?.event(...)`: with nobody
 * listening an op pays one null check, no iteration and no allocation. The trace and backward-observer slots
 * belong to the current RuntimeContext (context.ts); the innermost listener owns the slot while it runs and
 * gives it back (withTrace, explain's traceBackward), so nested traces and explains unwind in order.
 */

export type { Resolver };

/** Told to a compiled function's trace in progress (runtime/compile/tracer.ts). */
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

/** The trace listening now: the current session's (context.ts moves it when another context becomes current). */
export const traceState: { current: TraceHooks | null } = { current: null };

/** Runs fn with `hooks` subscribed to the trace events (the tracer), then gives the slot back. */
export function withTrace<T>(hooks: TraceHooks | null, fn: () => T): T {
  const prev = traceState.current;
  traceState.current = hooks;
  try {
    return fn();
  } finally {
    traceState.current = prev;
  }
}

/** Runs `fn` with no trace listening (an effect's own work is replayed by calling it again, not by its kernels). */
export function untraced<T>(fn: () => T): T {
  return traceState.current ? withTrace(null, fn) : fn();
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

/**
 * Watches backward passes (explain's recorder): told where each pass starts, each node's complete gradient
 * (before and after its hooks), and each rule applied with the gradients it sent on. Its slot is
 * `backwardObserver` (the current session's); nothing is called when it is unset.
 */
export interface BackwardObserver {
  begin(pass: {
    api: string;
    outputs: readonly Tensor[];
    roots: readonly { node: Node; grad: Tensor }[];
    known: ReadonlyMap<Node, Tensor>;
    accumulate: boolean;
    createGraph: boolean;
  }): void;
  visit(n: Node, arrived: Tensor | null, g: Tensor | null): void;
  applied(n: Node, g: Tensor, ctx: BackwardCtx, grads: readonly (Tensor | null)[]): void;
  end(): void;
}

export const backwardObserver: { current: BackwardObserver | null } = { current: null };

/** One gradient sent into a node during a pass: by which node's rule, for which of its inputs. */
export interface Contribution {
  node: Node;
  input: number;
  grad: Tensor;
  ctx: BackwardCtx;
}

/**
 * The sentences a backward pass says when something went wrong: explain/diagnose.ts registers them once (it
 * is code, not a session's state). Backprop finds the trouble itself and asks here only on that path.
 */
export interface BackwardDiagnoser {
  /** detect_anomaly: rule `n` sent input `i` the non-finite gradient `gi` from the incoming `g`. */
  anomaly(n: Node, i: number, gi: Tensor, g: Tensor, ctx: BackwardCtx, into: readonly Contribution[]): string;
  /** A warning when `g`, the gradient of `t` at `target`, is zero because it passes only through flat rules; else null. */
  flat(api: string, t: Tensor, g: Tensor, target: Node, flat: readonly Node[]): string | null;
}

export const backwardDiagnoser: { current: BackwardDiagnoser | null } = { current: null };

export function registerBackwardDiagnoser(d: BackwardDiagnoser): void {
  backwardDiagnoser.current = d;
}
