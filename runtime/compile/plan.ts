import { getBackend } from '../backend';
import { allocHost, type HostArray } from '../dtype';
import { copyOfView } from '../host-copy';
import type { PlanInput, PlanStats, PlanStep } from '../plan-step';
import { Storage, type View } from '../storage';
import { Tensor } from '../tensor';
import type { Resolver, Slot, ViewRef } from '../trace';
import { gradGuardFails, rebuild, shapeOf, type Container, type RunnablePlan, type Shape } from '../trace-replay';
import { opByOp } from './op-by-op';
import type { Tracer } from './tracer';

export type { PlanStats, Container };

/**
 * A trace turned into a plan: storages for its slots (arguments and .grads rebound each call), the result
 * rebuilt per call, the guard that says when a call needs another trace. How a step runs is the backend's:
 * the backend the trace ran on compiles it (`Backend.compilePlan`: the js backend fuses and generates code,
 * backends/js/plan/), and one without a plan compiler runs it op by op (./op-by-op.ts).
 */
export class Plan implements RunnablePlan {
  readonly stats: PlanStats;
  readonly source: string;
  private readonly step: PlanStep;
  private readonly T: Storage[];
  /** Views whose storage is an argument's, rebound each call. */
  private readonly argViews: { view: { storage: Storage }; slot: number }[] = [];
  private readonly restore: { slot: number; values: HostArray }[] = [];
  private readonly result: Shape;

  constructor(
    private readonly tr: Tracer,
    result: unknown,
    containers: readonly Container[] = [],
  ) {
    const escapes = new Set<number>();
    for (const ins of tr.instrs) if (ins.k === 'effect') ins.uses.forEach((s) => escapes.add(s));
    this.result = shapeOf(result, (t) => escapes.add(tr.slotOf(t.storage)), containers);
    // storages: ext and args as they are (args rebound per call), consts copied, tmps given buffers by the compiler
    this.T = tr.slots.map((s) => this.storageFor(s));
    const input: PlanInput = {
      slots: tr.slots,
      instrs: tr.instrs,
      escapes,
      storages: this.T,
      restore: this.restore,
      view: (v) => this.view(v),
    };
    this.step = (getBackend().compilePlan ?? opByOp)(input);
    this.source = this.step.source;
    this.stats = this.step.stats;
  }

  private storageFor(s: Slot): Storage {
    if (s.kind === 'ext') return s.storage!;
    if (s.kind === 'arg' || s.kind === 'grad') return new Storage(allocHost(s.dtype, 0), s.dtype); // replaced per call
    if (s.kind === 'const') {
      const st = new Storage(s.snapshot!.slice(), s.dtype);
      st.hostOnly = true; // restored in place at each call
      if (this.tr.instrs.some((i) => i.k === 'write' && i.dst.slot === s.id))
        this.restore.push({ slot: s.id, values: s.snapshot! });
      return st;
    }
    // the plan compiler gives it a buffer, which every replay writes in place (kernels' `into`, fused loops,
    // wasm) without a version bump: no GPU may keep a device copy of it (the stale-copy bug, gpujs/README.md)
    const st = new Storage(allocHost(s.dtype, 0), s.dtype);
    st.hostOnly = true;
    return st;
  }

  private view(v: ViewRef): View {
    const slot = this.tr.slots[v.slot];
    const view = { storage: this.T[v.slot], shape: v.shape, strides: v.strides, offset: v.offset, dtype: v.dtype };
    if (slot.kind === 'arg' || slot.kind === 'grad') this.argViews.push({ view, slot: v.slot });
    return view;
  }

  /** Runs one call: rebinds the arguments, runs the step, returns the result rebuilt for this call. */
  run(args: readonly (Tensor | null)[]): unknown {
    const { tr } = this;
    const holderOf = (h: Tensor) => {
      const i = tr.args.indexOf(h);
      return i >= 0 ? args[i]! : h;
    };
    for (const s of tr.slots) {
      if (s.kind === 'arg') this.T[s.id] = args[s.arg!]!.storage;
      else if (s.kind === 'grad') this.T[s.id] = holderOf(s.holder!).grad!.storage;
    }
    for (const { view, slot } of this.argViews) view.storage = this.T[slot];
    const cache = new Map<Tensor, Tensor>();
    const resolver: Resolver = {
      tensor: (t) => {
        const i = tr.args.indexOf(t);
        if (i >= 0) return args[i]!;
        let r = cache.get(t);
        if (r) return r;
        const slot = this.slotOfTensor(t);
        if (slot === undefined || tr.slots[slot].kind === 'ext') return t;
        r = new Tensor(this.T[slot], t.shape, t.strides, t.offset, t.dtype, t.origin.op);
        cache.set(t, r);
        return r;
      },
    };
    this.step.run(resolver);
    return rebuild(this.result, (t) => {
      const i = tr.args.indexOf(t);
      if (i >= 0) return args[i]!;
      const slot = this.slotOfTensor(t);
      if (slot === undefined || tr.slots[slot].kind === 'ext') return t;
      // a fresh copy: the plan's buffer is overwritten by the next call
      const v = { storage: this.T[slot], shape: t.shape, strides: t.strides, offset: t.offset, dtype: t.dtype };
      return Tensor.fromHost(copyOfView(v), t.shape, t.dtype, t.origin.op);
    });
  }

  private slotOfTensor(t: Tensor): number | undefined {
    return this.tr.knownSlot(t.storage);
  }

  /** Why this plan does not apply to a call with these arguments (a .grad it read changed), or null. */
  check(args: readonly (Tensor | null)[]): string | null {
    return gradGuardFails(this.tr, args);
  }
}
