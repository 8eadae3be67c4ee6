import { getBackend } from '../backend';
import { allocHost, type HostArray } from '../dtype';
import { copyOfView } from '../host-copy';
import type { PlanInput, PlanStats, PlanStep } from '../plan-step';
import { Storage, type View } from '../storage';
import { Tensor } from '../tensor';
import type { Resolver, Slot, ViewRef } from '../trace';
import { opByOp } from './op-by-op';
import type { Tracer } from './tracer';

export type { PlanStats };

/** The result of a traced call, with its tensors replaced by how a replay rebuilds them. */
type Shape = { t: 'tensor'; ref: Tensor } | { t: 'list'; items: Shape[]; make: ((items: unknown[]) => unknown) | null } | { t: 'value'; v: unknown };

/** A kind of value that holds others (the language's tuples), so a result's tensors inside it are rebuilt. */
export interface Container {
  is(v: unknown): boolean;
  items(v: unknown): readonly unknown[];
  make(items: unknown[]): unknown;
}

/**
 * A trace turned into a plan: storages for its slots (arguments and .grads rebound each call), the result
 * rebuilt per call, the guard that says when a call needs another trace. How a step runs is the backend's:
 * the backend the trace ran on compiles it (`Backend.compilePlan`: the js backend fuses and generates code,
 * backends/js/plan/), and one without a plan compiler runs it op by op (./op-by-op.ts).
 */
export class Plan {
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
    const input: PlanInput = { slots: tr.slots, instrs: tr.instrs, escapes, storages: this.T, restore: this.restore, view: (v) => this.view(v) };
    this.step = (getBackend().compilePlan ?? opByOp)(input);
    this.source = this.step.source;
    this.stats = this.step.stats;
  }

  private storageFor(s: Slot): Storage {
    if (s.kind === 'ext') return s.storage!;
    if (s.kind === 'arg' || s.kind === 'grad') return new Storage(allocHost(s.dtype, 0), s.dtype); // replaced per call
    if (s.kind === 'const') {
      const st = new Storage(s.snapshot!.slice(), s.dtype);
      if (this.tr.instrs.some((i) => i.k === 'write' && i.dst.slot === s.id)) this.restore.push({ slot: s.id, values: s.snapshot! });
      return st;
    }
    return new Storage(allocHost(s.dtype, 0), s.dtype); // the plan compiler gives it a buffer
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
    for (const g of this.tr.gradGuards) {
      const i = this.tr.args.indexOf(g.holder);
      const holder = i >= 0 ? args[i]! : g.holder;
      const now = holder.grad;
      if ((now === null) !== (g.was === null)) {
        return g.was === null
          ? 'a .grad it accumulates into was none when it was traced and is set now'
          : 'a .grad it accumulates into was set when it was traced and is none now';
      }
      if (now && g.was && now !== g.was) {
        const w = g.was;
        const same = now.dtype === w.dtype && now.offset === w.offset && sameList(now.shape, w.shape) && sameList(now.strides, w.strides);
        // a .grad the trace read as a rebindable slot may be any tensor of the same layout
        if (!same || this.tr.knownSlot(w.storage) === undefined || this.tr.slots[this.tr.knownSlot(w.storage)!].kind !== 'grad') {
          return 'a .grad it accumulates into is not the tensor it was when traced';
        }
      }
    }
    return null;
  }
}

const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function shapeOf(v: unknown, seen: (t: Tensor) => void, containers: readonly Container[]): Shape {
  if (v instanceof Tensor) {
    seen(v);
    return { t: 'tensor', ref: v };
  }
  if (Array.isArray(v)) return { t: 'list', items: v.map((x) => shapeOf(x, seen, containers)), make: null };
  const c = containers.find((k) => k.is(v));
  if (c) return { t: 'list', items: c.items(v).map((x) => shapeOf(x, seen, containers)), make: (items) => c.make(items) };
  return { t: 'value', v };
}

function rebuild(s: Shape, tensor: (t: Tensor) => Tensor): unknown {
  if (s.t === 'tensor') return tensor(s.ref);
  if (s.t === 'list') {
    const items = s.items.map((x) => rebuild(x, tensor));
    return s.make ? s.make(items) : items;
  }
  return s.v;
}
