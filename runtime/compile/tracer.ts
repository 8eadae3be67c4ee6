import type { KernelAttrs } from '../kernels';
import { storageMark, type Storage, type View } from '../storage';
import type { Tensor } from '../tensor';
import { fmtSite, siteState } from '../site';
import type { Instr, Resolver, Slot, ViewRef } from '../trace';
import type { TraceHooks } from '../hooks';

/**
 * A trace is an eager run that also writes down what it did, at the level the runtime executes: kernel calls
 * (forward, every backward rule, create_graph's second pass alike), in-place writes, and effects on state
 * outside tensors (an optimizer step, .grad set or cleared). Buffers are named by slot (../trace.ts, where the
 * core declares what a trace holds so that a backend can compile one without knowing this file).
 */
export type { Instr, Slot, SlotKind, ViewRef } from '../trace';

export interface GradGuard {
  holder: Tensor;
  /** What holder.grad was when the call began (a replay needs one of the same layout, or none again). */
  was: Tensor | null;
}

export class Tracer implements TraceHooks {
  readonly mark = storageMark();
  readonly slots: Slot[] = [];
  readonly instrs: Instr[] = [];
  readonly gradGuards: GradGuard[] = [];
  reason: string | null = null;
  private readonly bySlot = new Map<Storage, number>();
  private readonly argOf = new Map<Storage, number>();
  /** Holders whose .grad the call set (a replay's .grad there is the plan's buffer). */
  readonly gradSet = new Set<Tensor>();
  /** The trace-time tensor of each tmp slot's first output (what a resolver rebuilds). */
  readonly tensors = new Map<Tensor, number>();

  constructor(readonly args: readonly (Tensor | null)[]) {
    args.forEach((t, i) => t && !this.argOf.has(t.storage) && this.argOf.set(t.storage, i));
  }

  slotOf(st: Storage): number {
    const known = this.bySlot.get(st);
    if (known !== undefined) return known;
    const arg = this.argOf.get(st);
    const base = { id: this.slots.length, dtype: st.dtype, length: st.length };
    let slot: Slot;
    if (arg !== undefined) slot = { ...base, kind: 'arg', arg };
    else if (st.id < this.mark) slot = { ...base, kind: 'ext', storage: st };
    else slot = { ...base, kind: 'const', snapshot: st.host.slice() };
    this.slots.push(slot);
    this.bySlot.set(st, slot.id);
    return slot.id;
  }

  knownSlot(st: Storage): number | undefined {
    return this.bySlot.get(st);
  }

  ref(v: View): ViewRef {
    return {
      slot: this.slotOf(v.storage),
      shape: [...v.shape],
      strides: [...v.strides],
      offset: v.offset,
      dtype: v.dtype,
    };
  }

  kernel(name: string, inputs: readonly View[], attrs: KernelAttrs, out: Tensor, backend: string): void {
    if (this.reason) return;
    const refs = inputs.map((v) => this.ref(v));
    const id = this.slots.length;
    this.slots.push({ id, kind: 'tmp', dtype: out.dtype, length: out.storage.length });
    this.bySlot.set(out.storage, id);
    this.tensors.set(out, id);
    this.instrs.push({
      k: 'kernel',
      name,
      backend,
      inputs: refs,
      attrs,
      out: id,
      shape: [...out.shape],
      dtype: out.dtype,
    });
  }

  write(dst: View, src: View): void {
    if (this.reason) return;
    this.instrs.push({ k: 'write', dst: this.ref(dst), src: this.ref(src) });
  }

  effect(label: string, replay: (r: Resolver) => void, uses: readonly Tensor[]): void {
    if (this.reason) return;
    this.instrs.push({ k: 'effect', label, replay, uses: uses.map((t) => this.slotOf(t.storage)) });
  }

  readsGrad(holder: Tensor): void {
    if (this.gradSet.has(holder) || this.gradGuards.some((g) => g.holder === holder)) return;
    const was = holder.grad;
    this.gradGuards.push({ holder, was });
    if (!was || this.bySlot.has(was.storage) || was.storage.id >= this.mark) return;
    const slot: Slot = {
      id: this.slots.length,
      kind: 'grad',
      dtype: was.storage.dtype,
      length: was.storage.length,
      holder,
    };
    this.slots.push(slot);
    this.bySlot.set(was.storage, slot.id);
  }

  setsGrad(holder: Tensor): void {
    this.gradSet.add(holder);
  }

  unreplayable(reason: string): void {
    this.reason ??= siteState.current ? `${reason}, at ${fmtSite(siteState.current)}` : reason;
  }
}
