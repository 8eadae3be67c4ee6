import { Tensor } from './tensor';
import type { PlanStats } from './plan-step';
import type { TraceRecord } from './trace';

/**
 * What every replay of a trace needs, whoever compiled it (runtime/compile/plan.ts for host backends, a GPU
 * backend's `compileTrace`): the result's structure with its tensors marked, and the guard on the `.grad`
 * tensors the trace read. Core, so that a backend's plan needs nothing from compile/.
 */

/** The result of a traced call, with its tensors replaced by how a replay rebuilds them. */
export type Shape =
  | { t: 'tensor'; ref: Tensor }
  | { t: 'list'; items: Shape[]; make: ((items: unknown[]) => unknown) | null }
  | { t: 'value'; v: unknown };

/** A kind of value that holds others (the language's tuples), so a result's tensors inside it are rebuilt. */
export interface Container {
  is(v: unknown): boolean;
  items(v: unknown): readonly unknown[];
  make(items: unknown[]): unknown;
}

/** What compile() replays, whoever built it: the host plan (compile/plan.ts) or a backend's own (`Backend.compileTrace`). */
export interface RunnablePlan {
  readonly stats: PlanStats;
  /** What a replay runs, as text (NABLA_DEBUG=compile, tests). */
  readonly source: string;
  run(args: readonly (Tensor | null)[]): unknown;
  /** Why this plan does not apply to a call with these arguments, or null. */
  check(args: readonly (Tensor | null)[]): string | null;
}

/** A backend's compiler of whole traces; null leaves the trace to the host plan (compile/plan.ts). */
export type TraceCompiler = (
  trace: TraceRecord,
  result: unknown,
  containers: readonly Container[],
) => RunnablePlan | null;

export function shapeOf(v: unknown, seen: (t: Tensor) => void, containers: readonly Container[]): Shape {
  if (v instanceof Tensor) {
    seen(v);
    return { t: 'tensor', ref: v };
  }
  if (Array.isArray(v)) return { t: 'list', items: v.map((x) => shapeOf(x, seen, containers)), make: null };
  const c = containers.find((k) => k.is(v));
  if (c)
    return { t: 'list', items: c.items(v).map((x) => shapeOf(x, seen, containers)), make: (items) => c.make(items) };
  return { t: 'value', v };
}

export function rebuild(s: Shape, tensor: (t: Tensor) => Tensor): unknown {
  if (s.t === 'tensor') return tensor(s.ref);
  if (s.t === 'list') {
    const items = s.items.map((x) => rebuild(x, tensor));
    return s.make ? s.make(items) : items;
  }
  return s.v;
}

/** Why a plan of trace `tr` does not apply to a call with these arguments (a .grad it read changed), or null. */
export function gradGuardFails(tr: TraceRecord, args: readonly (Tensor | null)[]): string | null {
  for (const g of tr.gradGuards) {
    const i = tr.args.indexOf(g.holder);
    const holder = i >= 0 ? args[i]! : g.holder;
    const now = holder.grad;
    if ((now === null) !== (g.was === null)) {
      return g.was === null
        ? 'a .grad it accumulates into was none when it was traced and is set now'
        : 'a .grad it accumulates into was set when it was traced and is none now';
    }
    if (now && g.was && now !== g.was) {
      const w = g.was;
      const same =
        now.dtype === w.dtype &&
        now.offset === w.offset &&
        sameList(now.shape, w.shape) &&
        sameList(now.strides, w.strides);
      // a .grad the trace read as a rebindable slot may be any tensor of the same layout
      if (!same || tr.knownSlot(w.storage) === undefined || tr.slots[tr.knownSlot(w.storage)!].kind !== 'grad') {
        return 'a .grad it accumulates into is not the tensor it was when traced';
      }
    }
  }
  return null;
}

const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
