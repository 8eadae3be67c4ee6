import { backwardObserver, traceState } from './hooks';
import { mode } from './mode';
import { bufferPool, give, poolable } from './pool';
import { storageMark, type Storage } from './storage';
import type { Tensor } from './tensor';

/**
 * Buffers that only a graph holds, handed back to the buffer pool (runtime/pool.ts) when the graph frees them.
 *
 * A backward pass with create_graph computes its gradients with recorded ops, so the new nodes save them:
 * u_xx of a PINN is built from tens of such values, which no user code ever sees. They die when a later
 * backward frees the nodes that saved them (Node.free, PyTorch's freeing of saved variables), and, unlike
 * forward values, nothing outside the graph can still point at them. A storage is owned by the graph when:
 * - a node made during a create_graph pass saved it, and the storage was made during that pass (after its
 *   start: gradients the caller passed and every forward value are older);
 * - no user code saw it: grad()'s results, a hook's argument and result, a custom backward's argument and
 *   results, a .grad set under create_graph (which is the gradient itself, not a copy), a retained .grad, and
 *   anything a user hook or custom backward makes while it runs are escaped (it may keep them anywhere);
 * - nothing watches the pass (a compiled function's trace, an explain observer, detect_anomaly keep values).
 * Node counts the saves of each storage (Storage.savedBy); when the last node that saved an owned storage
 * frees it, the buffer is surrendered (a later read is reported, never another tensor's values) and pooled.
 * Inspecting saved values (Node.peekInputs: explain, graph) pins them, so they are never recycled.
 */
export class GraphOwnership {
  /** The pass being recorded now, if any (a hook may run a nested one: a stack through `previous`). */
  static current: GraphOwnership | null = null;
  private readonly candidates = new Set<Storage>();
  private readonly escaped = new Set<Storage>();
  private readonly previous: GraphOwnership | null;
  private constructor(private readonly mark: number) {
    this.previous = GraphOwnership.current;
  }

  /** A tracker for a create_graph pass, made current; null where that pass must own nothing. */
  static begin(createGraph: boolean): GraphOwnership | null {
    if (!createGraph || !bufferPool.enabled || watched()) return null;
    return (GraphOwnership.current = new GraphOwnership(storageMark()));
  }

  /** A node of this pass saved t. */
  saved(t: Tensor): void {
    if (t.storage.id >= this.mark) this.candidates.add(t.storage);
  }

  /** User code saw t. */
  escape(t: Tensor | null | undefined): void {
    if (t) this.escaped.add(t.storage);
  }

  /** Runs user code (a hook, a custom backward): nothing its nodes save becomes owned. */
  userCode<T>(fn: () => T): T {
    GraphOwnership.current = this.previous;
    try {
      return fn();
    } finally {
      GraphOwnership.current = this;
    }
  }

  /** Ends the pass: `completed` marks what the graph alone holds (a failed pass marks nothing). */
  end(completed: boolean): void {
    GraphOwnership.current = this.previous;
    if (!completed) return;
    for (const s of this.candidates) if (!this.escaped.has(s) && !s.pinned) s.graphOwned = true;
  }
}

const watched = () => !!(mode.anomaly || traceState.current || backwardObserver.current);

/** A node saved t (Node's constructor). */
export function saveStorage(t: Tensor): void {
  t.storage.savedBy++;
  GraphOwnership.current?.saved(t);
}

/**
 * A node that saved t freed it: the last save of an owned storage hands its buffer to the pool, unless the
 * pass is watched (an explain observer, detect_anomaly and a trace keep the rules' saved values).
 */
export function unsaveStorage(t: Tensor): void {
  const s = t.storage;
  if (--s.savedBy > 0 || !s.graphOwned || s.pinned || watched() || !s.onHost || !poolable(s.host)) return;
  s.graphOwned = false;
  const h = s.surrender();
  if (h) give(h as Float32Array);
}
