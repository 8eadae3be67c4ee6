import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { Cell, type Frame } from '../scope';
import { Tuple, typeName, type Value } from '../values';
import { holds } from './guard';
import { auto } from './hooks';
import { readPlace, type Place, type Read, type SegmentHost, type Write } from './places';
import { Recorder } from './recorder';

/**
 * A run of statements of a loop body, compiled once it has run eagerly `WARMUP` times: the next iteration
 * traces it (an eager run that also writes down its kernels and effects, runtime/compile), later iterations
 * replay the plan after checking every guard (./guard.ts). Its inputs are the variables it reads, its outputs
 * the variables it assigns; variables the loop rebinds to tensors are the plan's arguments.
 */
export const WARMUP = 1;
/** Guard failures tolerated before the segment runs eagerly for good, unless replays outnumber them 10 to 1. */
const MAX_RETRACES = 3;

const writePlace = (h: Value[] | Cell, key: number, v: Value) => {
  if (h instanceof Cell) h.value = v;
  else h[key] = v;
};

export class Segment {
  calls = 0;
  traces = 0;
  replays = 0;
  private retraces = 0;
  eager: string | null = null;
  private plan: nb.Plan | null = null;
  private tracer: nb.Tracer | null = null;
  private reads: Read[] = [];
  private writes: Write[] = [];
  private traced: Value[] = [];
  private argPattern = '';
  /** Rebound variables not to take as arguments (the trace met their tensor by another path first). */
  private readonly exclude = new Set<string>();
  /** What this segment last assigned to each variable (a plan argument must be its own previous result). */
  private readonly lastOut = new Map<string, Value>();
  private backendKey = '';

  constructor(
    readonly stmts: readonly ((f: Frame) => unknown)[],
    /** The body index of each statement. */
    readonly indices: readonly number[],
    private readonly carried: readonly Place[],
    private readonly host: SegmentHost,
    /** Its statements have run before (the body was split anew): trace at the next call. */
    warm = false,
  ) {
    if (warm) this.calls = WARMUP;
  }

  get kernels(): number {
    return this.plan ? this.plan.stats.kernels + this.plan.stats.fusedGroups : 0;
  }

  run(f: Frame): void {
    this.calls++;
    if (this.eager || this.calls <= WARMUP) return this.runEager(f);
    if (this.plan) {
      const args = this.args(f);
      const why = this.check(f, args.pattern, args.tensors);
      if (!why) return this.replay(args.tensors);
      this.retraces++;
      if (this.retraces > MAX_RETRACES && this.replays < 10 * this.retraces) {
        this.eager = `${why}, at ${this.retraces} iterations (traced again each time, then left eager)`;
        this.plan = null;
        return this.runEager(f);
      }
    }
    this.trace(f);
  }

  private runEager(f: Frame): void {
    for (const s of this.stmts) s(f);
  }

  /** The tensors among the variables the loop rebinds, and the pattern of which ones are tensors and alias. */
  private args(f: Frame): { tensors: Tensor[]; names: string[]; pattern: string } {
    const tensors: Tensor[] = [];
    const names: string[] = [];
    let pattern = '';
    for (const p of this.carried) {
      const v = readPlace(p.holder(f), p.key);
      if (v instanceof Tensor && !this.exclude.has(p.name)) {
        const same = tensors.findIndex((t) => t.storage === v.storage);
        pattern += same >= 0 ? `a${same},` : 't,';
        tensors.push(v);
        names.push(p.name);
      } else pattern += '-,';
    }
    return { tensors, names, pattern };
  }

  private check(f: Frame, pattern: string, args: Tensor[]): string | null {
    if (pattern !== this.argPattern) return 'a variable it reads changed between tensor and non-tensor';
    if (this.backendKey !== `${nb.getBackend().name}|${nb.mode.gradEnabled}`) return 'the backend or grad mode changed';
    for (const r of this.reads) {
      let now: Value;
      try {
        now = r.get();
      } catch {
        return `\`${r.name}\` can no longer be read`;
      }
      if (r.carried && now !== this.lastOut.get(r.name))
        return `\`${r.name}\` was rebound outside the compiled statements`;
      if (!holds(r.guard, now)) {
        return r.guard.kind === 'layout'
          ? `\`${r.name}\` changed shape, dtype or layout`
          : `\`${r.name}\` is not the value it was when traced`;
      }
    }
    void f;
    return this.plan!.check(args);
  }

  private replay(args: Tensor[]): void {
    const plan = this.plan!;
    const tr = this.tracer!;
    const values = plan.run(args) as Value[];
    const why = `this value came from a compiled replay of the loop at ${this.host.where}, which keeps no autograd graph; run that loop inside \`with eager { }\` (or with NABLA_AUTO_COMPILE=0) to differentiate through it afterwards`;
    this.writes.forEach((w, i) => {
      const v = withHistory(values[i], this.traced[i], why);
      if (v instanceof Tensor && v.name === null) v.name = w.name;
      writePlace(w.holder, w.key, v);
      this.lastOut.set(w.name, v);
    });
    ownGrads(tr, args);
    this.replays++;
  }

  private trace(f: Frame): void {
    this.traces++;
    const { tensors, names, pattern } = this.args(f);
    const tr = new nb.Tracer(tensors);
    const rec = new Recorder(f, tensors, names, this.host);
    const prevTrace = nb.traceState.current;
    const prevRec = auto.rec;
    nb.traceState.current = tr;
    auto.rec = rec;
    let bad = -1;
    let reason = '';
    try {
      for (let i = 0; i < this.stmts.length; i++) {
        rec.stmt = i;
        this.stmts[i](f);
        if (bad < 0 && (tr.reason || rec.denied)) {
          bad = i;
          reason = rec.denied ?? tr.reason!;
        }
      }
    } finally {
      nb.traceState.current = prevTrace;
      auto.rec = prevRec;
    }
    this.plan = null;
    if (bad >= 0) return this.host.split(this.indices[bad], reason);
    const values = rec.writes.map((w) => readPlace(w.holder, w.key));
    // a number the segment reads and then changes (k = k + 1) would fail its guard every iteration: host code
    for (const r of rec.reads) {
      const i = rec.writes.findIndex((w) => w.name === r.name);
      const now = i >= 0 ? values[i] : undefined;
      if (
        i >= 0 &&
        r.value !== null &&
        typeof r.value !== 'object' &&
        typeof r.value !== 'function' &&
        !Object.is(now, r.value)
      ) {
        return this.host.taint(r.name, `it reads \`${r.name}\`, which changes every iteration`);
      }
    }
    for (let i = 0; i < values.length; i++) {
      const why = unreplayableValue(values[i]);
      if (why)
        return this.host.split(this.indices[rec.writes[i].stmt], `it assigns ${why} to \`${rec.writes[i].name}\``);
    }
    // an argument is a variable this segment reads and then assigns (x = x - ...): any other tensor the trace met
    // through an argument's storage (a list item the variable also held) would be rebound wrongly at replay
    const argSlots = new Set(tr.slots.filter((sl) => sl.kind === 'arg').map((sl) => sl.arg!));
    const assigns = new Set(rec.writes.map((w) => w.name));
    const stray = names.filter((n, i) => argSlots.has(i) && (!rec.carriedReads.has(n) || !assigns.has(n)));
    if (stray.length) {
      stray.forEach((n) => this.exclude.add(n));
      return;
    }
    if (rec.historyIn) {
      this.eager = `\`${rec.historyIn}\` carries autograd history from one iteration into the next, which a replay does not keep`;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      if (!hasHistory(values[i])) continue;
      const use = this.host.usesHistory(rec.writes[i].name, this.indices);
      if (use) {
        this.eager = `it computes \`${rec.writes[i].name}\` with an autograd graph that ${use}; a replay keeps no graph`;
        return;
      }
    }
    try {
      this.plan = new nb.Plan(tr, values, [TUPLE]);
    } catch (e) {
      this.eager = `its trace could not be planned (${(e as Error).message})`;
      return;
    }
    if (debug)
      process.stderr.write(
        `[nabla auto-compile] ${this.host.where} statements ${this.indices.join(',')}: ${JSON.stringify(this.plan.stats)}\n${this.plan.source}\n`,
      );
    this.tracer = tr;
    this.reads = rec.reads;
    this.writes = rec.writes;
    this.traced = values;
    this.lastOut.clear();
    rec.writes.forEach((w, i) => this.lastOut.set(w.name, values[i]));
    this.argPattern = pattern;
    this.backendKey = `${nb.getBackend().name}|${nb.mode.gradEnabled}`;
  }
}

/** A .grad a replay set is the plan's buffer, overwritten by the next replay: each gets its own copy, as eagerly. */
export function ownGrads(tr: nb.Tracer, args: readonly (Tensor | null)[]): void {
  for (const h of tr.gradSet) {
    const i = tr.args.indexOf(h);
    const holder = i >= 0 ? (args[i] ?? h) : h;
    const g = holder.grad;
    if (!g) continue;
    const slot = tr.knownSlot(g.storage);
    if (slot !== undefined && (tr.slots[slot].kind === 'tmp' || tr.slots[slot].kind === 'const')) {
      holder.grad = Tensor.fromHost(g.toHost(), g.shape, g.dtype, g.origin.op);
    }
  }
}

export const debug = typeof process !== 'undefined' && (process.env?.NABLA_DEBUG ?? '').split(',').includes('compile');

export const TUPLE = {
  is: (v: unknown) => v instanceof Tuple,
  items: (v: unknown) => (v as Tuple).items,
  make: (items: unknown[]) => new Tuple(items),
};

/** A value assigned in a segment that a replay could not hand back as eager code would: why, or null. */
export function unreplayableValue(v: Value, depth = 0): string | null {
  if (v === null || v === undefined || typeof v !== 'object' || v instanceof Tensor) return null; // functions too: the same closure
  if (depth < 4 && (Array.isArray(v) || v instanceof Tuple)) {
    for (const x of Array.isArray(v) ? v : v.items) {
      const why = unreplayableValue(x, depth + 1);
      if (why) return why;
    }
    return null;
  }
  return `a new ${typeName(v)}`;
}

export function hasHistory(v: Value, depth = 0): boolean {
  if (v instanceof Tensor) return v.gradFn !== null;
  if (depth < 4 && (Array.isArray(v) || v instanceof Tuple))
    return (Array.isArray(v) ? v : v.items).some((x) => hasHistory(x, depth + 1));
  return false;
}

/** A replayed tensor where the traced one had autograd history gets a graph that says why it cannot be followed. */
export function withHistory(v: Value, like: Value, why: string): Value {
  if (v instanceof Tensor && like instanceof Tensor)
    return like.requiresGrad && v !== like && v.gradFn === null ? nb.replayedHistory(v, like, why) : v;
  if (v instanceof Tuple && like instanceof Tuple)
    return new Tuple(v.items.map((x, i) => withHistory(x, like.items[i], why)));
  if (Array.isArray(v) && Array.isArray(like)) return v.map((x, i) => withHistory(x, like[i], why));
  return v;
}
