import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { fmtSite, siteState, type Site } from '../../runtime/site';
import type { Frame } from '../scope';
import type { Value } from '../values';
import { fingerprint, holds, layoutKey, type Guard } from './guard';
import { besideDeadTrace } from './dead-trace';
import { auto, autoCompileEnabled } from './hooks';
import { Recorder, type RecorderHost } from './recorder';
import type { AutoCompileLog, FunctionRecord } from './report';
import type { Read } from './places';
import { debug, hasHistory, ownGrads, TUPLE, unreplayableValue, withHistory } from './segment';

/**
 * A user function that compiles itself once it is called repeatedly (issue 19): the first calls with an
 * argument signature run as written; the next one is traced (an eager run that also writes down its kernels
 * and effects, runtime/compile); later calls with that signature replay the plan while every guard holds.
 * This covers the calls loop auto-compilation does not: an L-BFGS closure (`lb.step(closure)` calls it many
 * times), a step function called from a statement that runs eagerly, calls from separate notebook cells.
 *
 * A replay keeps no autograd graph. Where the traced result had one, only calls whose result is read for its
 * value replay (./call-site.ts); the others run as written, so code that differentiates the result still can.
 */
export const WARMUP_CALLS = 2;
/** Guard failures tolerated for one signature before it runs eagerly for good, unless replays outnumber them 10 to 1. */
const MAX_RETRACES = 3;
/** Argument signatures kept per function; a function called with ever new ones stays eager. */
const MAX_SIGNATURES = 8;

/** What the compiler knows of the function before it runs. */
export interface FunctionStatic {
  name: string;
  file: string;
  line: number;
  /** Why its body is never traced (it holds a loop, which compiles itself), or null. */
  never: string | null;
  host: RecorderHost;
  log: AutoCompileLog;
}

/** One argument signature: its guards, its plan and what the trace read. */
interface Entry {
  args: Guard[];
  aliases: string;
  calls: number;
  replays: number;
  retraces: number;
  eager: string | null;
  plan: nb.Plan | null;
  tracer: nb.Tracer | null;
  reads: Read[];
  traced: Value;
  history: boolean;
  backendKey: string;
}

/** What `explain compile` reports of a function, kept apart from its plans so the report holds no buffers. */
interface Counts {
  calls: number;
  traces: number;
  replays: number;
  graphCalls: number;
  /** Kernels and fused groups of the plans it holds now (0: none). */
  kernels: number;
  planned: number;
  /** Why every call runs as written from now on, or null. */
  off: string | null;
  /** Why the last call that ran as written did. */
  lastEager: string | null;
}

export class FunctionAuto {
  private readonly n: Counts = {
    calls: 0,
    traces: 0,
    replays: 0,
    graphCalls: 0,
    kernels: 0,
    planned: 0,
    off: null,
    lastEager: null,
  };
  private readonly entries: Entry[] = [];

  constructor(
    private readonly st: FunctionStatic,
    private readonly outer: Frame,
    private readonly run: (args: readonly Value[]) => Value,
  ) {}

  /** A call by position; `valueOnly` when the caller reads only the result's values, never its graph. */
  call(args: readonly Value[], valueOnly: boolean): Value {
    this.n.calls++;
    if (this.n.calls === 2) {
      const [st, n] = [this.st, this.n];
      st.log.addFunction(() => record(st, n));
    }
    // inside a trace that has already failed, this call may compile itself as an eager call would
    return besideDeadTrace(() => this.compiled(args, valueOnly));
  }

  private compiled(args: readonly Value[], valueOnly: boolean): Value {
    const why = this.offNow();
    if (why) {
      this.n.lastEager = why;
      return this.run(args);
    }
    const e = this.entry(args);
    if (!e) return this.run(args);
    e.calls++;
    if (e.eager || e.calls <= WARMUP_CALLS) return this.run(args);
    const tensors = args.map((a) => (a instanceof Tensor ? a : null));
    if (e.plan) {
      if (e.history && !valueOnly) {
        // its result's graph may be used: the plan keeps none, so this call runs as written
        this.n.graphCalls++;
        return this.run(args);
      }
      const fail = this.check(e, tensors);
      if (!fail) return this.replay(e, tensors);
      e.retraces++;
      if (e.retraces > MAX_RETRACES && e.replays < 10 * e.retraces) {
        e.eager = `${fail}, at ${e.retraces} calls (traced again each time, then left eager)`;
        e.plan = null;
        this.tally();
        this.n.lastEager = e.eager;
        return this.run(args);
      }
    }
    return this.trace(e, args, tensors);
  }

  /** Why no call replays now (off, inside a trace, `with eager`), or null. */
  private offNow(): string | null {
    if (this.n.off) return this.n.off;
    if (!autoCompileEnabled()) return 'auto-compile is off (NABLA_AUTO_COMPILE=0)';
    if (auto.eagerScopes > 0) return 'it was called inside `with eager { }`';
    if (auto.rec || nb.traceState.current) return 'it was called inside another trace, which traces it whole';
    if (nb.mode.anomaly) return 'detect_anomaly is on';
    if (this.st.never) return (this.n.off = this.st.never);
    return null;
  }

  /** The entry whose argument guards hold for these arguments (a new one if none), or null to run eagerly. */
  private entry(args: readonly Value[]): Entry | null {
    const graph = args.findIndex((a) => a instanceof Tensor && a.gradFn);
    if (graph >= 0) {
      // a backward inside would go on into the caller's graph, which a replay would not
      this.n.lastEager = `argument ${graph + 1} carries an autograd graph, which a replay would not follow`;
      return null;
    }
    const aliases = aliasPattern(args);
    for (const e of this.entries)
      if (e.aliases === aliases && e.args.length === args.length && e.args.every((g, i) => holds(g, args[i]))) return e;
    const guards: Guard[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a instanceof Tensor) {
        guards.push({ kind: 'layout', key: layoutKey(a) });
      } else {
        const print = fingerprint(a);
        if (!print) {
          this.n.lastEager = `argument ${i + 1} is a list too large or too deeply nested to guard`;
          return null;
        }
        guards.push({ kind: 'same', print });
      }
    }
    if (this.entries.length >= MAX_SIGNATURES) {
      this.n.off = `it was called with more than ${MAX_SIGNATURES} different argument signatures`;
      return null;
    }
    const e: Entry = {
      args: guards,
      aliases,
      calls: 0,
      replays: 0,
      retraces: 0,
      eager: null,
      plan: null,
      tracer: null,
      reads: [],
      traced: null,
      history: false,
      backendKey: '',
    };
    this.entries.push(e);
    return e;
  }

  private check(e: Entry, tensors: readonly (Tensor | null)[]): string | null {
    if (e.backendKey !== backendKey()) return 'the backend or grad mode changed';
    for (const r of e.reads) {
      let now: Value;
      try {
        now = r.get();
      } catch {
        return `\`${r.name}\` can no longer be read`;
      }
      if (!holds(r.guard, now)) return `\`${r.name}\` is not the value it was when traced`;
    }
    return e.plan!.check(tensors);
  }

  private replay(e: Entry, tensors: readonly (Tensor | null)[]): Value {
    const out = e.plan!.run(tensors) as Value;
    ownGrads(e.tracer!, tensors);
    this.n.replays++;
    e.replays++;
    const why = `this value came from a compiled replay of fn ${this.st.name} (${this.st.file}:${this.st.line}), which keeps no autograd graph; call it inside \`with eager { }\` (or with NABLA_AUTO_COMPILE=0) to differentiate its result`;
    return withHistory(out, e.traced, why);
  }

  private trace(e: Entry, args: readonly Value[], tensors: readonly (Tensor | null)[]): Value {
    this.n.traces++;
    const tr = new nb.Tracer(tensors);
    const argTensors = tensors.filter((t): t is Tensor => t !== null);
    const rec = new FunctionRecorder(this.outer, argTensors, this.st.host);
    const prevTrace = nb.traceState.current;
    const prevRec = auto.rec;
    nb.traceState.current = tr;
    auto.rec = rec;
    let result: Value;
    try {
      result = this.run(args);
    } finally {
      nb.traceState.current = prevTrace;
      auto.rec = prevRec;
    }
    e.plan = null;
    const refuse = (why: string): Value => {
      this.tally();
      e.eager = why;
      this.n.lastEager = why;
      return result;
    };
    // what its body does (print, append, read a value on the host) it does for any arguments: eager for good
    const body = rec.denied ? (rec.where ? `${rec.denied}, at ${fmtSite(rec.where)}` : rec.denied) : tr.reason;
    if (body) {
      this.n.off = body;
      return refuse(body);
    }
    const bad = unreplayableValue(result);
    if (bad) return refuse(`it returns ${bad}`);
    // an outside variable holding an argument's tensor would be read as that argument at every replay
    for (const r of rec.reads) {
      const print = r.guard.kind === 'same' ? r.guard.print : [r.value];
      if (print.some((v) => v instanceof Tensor && argTensors.some((a) => a.storage === v.storage)))
        return refuse(`it reads \`${r.name}\`, which holds the tensor passed as an argument`);
    }
    try {
      e.plan = new nb.Plan(tr, result, [TUPLE]);
    } catch (err) {
      return refuse(`its trace could not be planned (${(err as Error).message})`);
    }
    if (debug)
      process.stderr.write(
        `[nabla auto-compile] fn ${this.st.name} (${this.st.file}:${this.st.line}): ${JSON.stringify(e.plan.stats)}\n${e.plan.source}\n`,
      );
    e.tracer = tr;
    e.reads = rec.reads;
    e.traced = result;
    e.history = hasHistory(result);
    e.backendKey = backendKey();
    this.tally();
    return result;
  }

  /** Counts the plans it holds (a signature that went eager dropped its plan). */
  private tally(): void {
    const plans = this.entries.filter((e) => e.plan);
    this.n.planned = plans.length;
    this.n.kernels = plans.reduce((k, e) => k + e.plan!.stats.kernels + e.plan!.stats.fusedGroups, 0);
  }
}

function record(st: FunctionStatic, n: Counts): FunctionRecord {
  return {
    file: st.file,
    line: st.line,
    name: st.name,
    calls: n.calls,
    replays: n.replays,
    traces: n.traces,
    kernels: n.kernels,
    graphCalls: n.graphCalls,
    eager: n.off ?? (n.planned ? null : n.lastEager),
  };
}

const backendKey = () => `${nb.getBackend().name}|${nb.mode.gradEnabled}`;

/** Which tensor arguments share storage (a plan binds each argument slot once). */
function aliasPattern(args: readonly Value[]): string {
  const seen: Tensor[] = [];
  return args
    .map((a) => {
      if (!(a instanceof Tensor)) return '-';
      const j = seen.findIndex((t) => t.storage === a.storage);
      seen.push(a);
      return j >= 0 ? `a${j}` : 't';
    })
    .join(',');
}

/** A recorder that also remembers where the first refusal happened, for the reason `explain compile` gives. */
class FunctionRecorder extends Recorder {
  where: Site | null = null;

  constructor(outer: Frame, args: readonly Tensor[], host: RecorderHost) {
    super(outer, args, [], host);
  }

  override call(fn: Value): void {
    super.call(fn);
    this.place();
  }

  override method(target: Value, name: string): void {
    super.method(target, name);
    this.place();
  }

  override deny(reason: string): void {
    super.deny(reason);
    this.place();
  }

  private place(): void {
    if (this.denied && !this.where && siteState.current) this.where = { ...siteState.current };
  }
}
