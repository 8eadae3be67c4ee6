import { backwardObserver, traceState } from './hooks';
import { mode } from './mode';
import { bufferPool, give, poolable } from './pool';
import { storageMark, type Storage } from './storage';
import type { Tensor } from './tensor';

/**
 * Which gradients a backward pass may hand back to the buffer pool (runtime/pool.ts) once consumed: the
 * intermediate gradients between nodes, which nothing outside the pass ever sees. A gradient's buffer is
 * recycled only when all of these hold:
 * - the pass builds no graph (create_graph makes gradients into saved values) and nothing watches it (a
 *   compiled function's trace, an explain observer, detect_anomaly, which keep gradients);
 * - its storage was made during this pass (ids are in creation order: the output gradients and known
 *   gradients the caller passed, every forward value and every parameter were made before);
 * - no pending gradient shares the storage (a rule may pass g on as is or as a view: add, reshape), counted
 *   per storage;
 * - no user code saw it: a hook's argument and result, a custom backward's argument and results, a captured
 *   result of grad(), are marked escaped and never recycled.
 * Leaf .grad values are copies (autograd.ts accumulateInto), so a gradient that reached a leaf is dead too.
 */
export class GradRecycler {
  private readonly held = new Map<Storage, number>();
  private readonly escaped = new Set<Storage>();
  private constructor(private readonly mark: number) {}

  /** A recycler for a pass, or null when this pass must keep every gradient. */
  static forPass(createGraph: boolean): GradRecycler | null {
    if (!bufferPool.enabled || createGraph || mode.anomaly || traceState.current || backwardObserver.current)
      return null;
    return new GradRecycler(storageMark());
  }

  /** A pending gradient now refers to t's storage. */
  hold(t: Tensor): void {
    this.held.set(t.storage, (this.held.get(t.storage) ?? 0) + 1);
  }
  /** A pending gradient that referred to t's storage was taken out. */
  drop(t: Tensor): void {
    const n = (this.held.get(t.storage) ?? 0) - 1;
    if (n > 0) this.held.set(t.storage, n);
    else this.held.delete(t.storage);
  }
  /** User code saw t: its buffer is never recycled. */
  escape(t: Tensor | null | undefined): void {
    if (t) this.escaped.add(t.storage);
  }
  private readonly consumed: Tensor[] = [];
  /**
   * t was consumed. Its buffer is released at the next `flush`, not now: a rule may send one tensor to
   * several inputs, and the first accumulation that consumes it may come before the one that holds it.
   */
  release(t: Tensor): void {
    this.consumed.push(t);
  }
  /** Recycles what was consumed and is still referenced by no pending gradient. Call between nodes. */
  flush(): void {
    for (const t of this.consumed) {
      const s = t.storage;
      if (s.id < this.mark || this.held.has(s) || this.escaped.has(s) || !s.onHost || !poolable(s.host)) continue;
      const h = s.surrender();
      if (h) give(h as Float32Array);
    }
    this.consumed.length = 0;
  }
}
