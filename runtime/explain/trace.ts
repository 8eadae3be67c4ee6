import { backwardObserver, type BackwardObserver } from '../hooks';
import type { BackwardCtx, Node } from '../graph';
import type { Tensor } from '../tensor';

/**
 * A record of the backward passes that ran while a piece of code ran: what explain prints. The code runs once
 * with an observer installed (the core's backwardObserver, hooks.ts), so `explain backward(L)` does the backward, once,
 * and shows it; .grad is touched exactly as without explain.
 */
export interface TraceStep {
  node: Node;
  /** The gradient as it arrived (summed over consumers), before hooks; null when none reached the node. */
  arrived: Tensor | null;
  /** After hooks (the same tensor when no hook changed it). */
  g: Tensor | null;
  /** How many rules sent this node a gradient in this pass. */
  contributions: number;
  known: boolean;
  /** Filled when the node's rule ran: the saved values it used and what it sent to each input. */
  ctx: BackwardCtx | null;
  sent: readonly (Tensor | null)[] | null;
}

export interface TracePass {
  api: string;
  outputs: readonly Tensor[];
  roots: readonly { node: Node; grad: Tensor }[];
  known: ReadonlyMap<Node, Tensor>;
  accumulate: boolean;
  createGraph: boolean;
  steps: TraceStep[];
  /** Nested passes (a custom backward that calls grad) are recorded separately, in order of start. */
  depth: number;
}

export interface Traced<T> {
  value?: T;
  error?: unknown;
  passes: TracePass[];
}

/** Runs fn with a recorder attached to every backward pass it starts; never throws (the error is returned). */
export function traceBackward<T>(fn: () => T): Traced<T> {
  const passes: TracePass[] = [];
  const open: { pass: TracePass; counts: Map<Node, number> }[] = [];
  const top = () => open[open.length - 1];
  const obs: BackwardObserver = {
    begin(p) {
      const pass: TracePass = { ...p, steps: [], depth: open.length };
      passes.push(pass);
      const counts = new Map<Node, number>();
      for (const r of p.roots) counts.set(r.node, (counts.get(r.node) ?? 0) + 1);
      open.push({ pass, counts });
    },
    visit(n, arrived, g) {
      const t = top();
      if (!t || (!arrived && !g)) return;
      t.pass.steps.push({
        node: n,
        arrived,
        g,
        contributions: t.counts.get(n) ?? 0,
        known: t.pass.known.has(n),
        ctx: null,
        sent: null,
      });
    },
    applied(n, _g, ctx, sent) {
      const t = top();
      if (!t) return;
      const step = [...t.pass.steps].reverse().find((s) => s.node === n);
      if (step) {
        step.ctx = ctx;
        step.sent = sent;
      }
      sent.forEach((s, i) => {
        const c = n.next[i];
        if (s && c) t.counts.set(c, (t.counts.get(c) ?? 0) + 1);
      });
    },
    end() {
      open.pop();
    },
  };
  const prev = backwardObserver.current;
  backwardObserver.current = obs;
  try {
    return { value: fn(), passes };
  } catch (error) {
    return { error, passes };
  } finally {
    backwardObserver.current = prev;
  }
}
