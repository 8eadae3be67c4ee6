import * as nb from '../../runtime';
import type * as A from '../../grammar/ast';
import type { Scope, Frame } from '../scope';
import { Cell } from '../scope';
import type { Value } from '../values';
import { analyzeBody, historyUses, type BodyPlan } from './analyze';
import { auto, autoCompileEnabled } from './hooks';
import type { AutoCompileLog, LoopRecord } from './report';
import type { Place, SegmentHost } from './places';
import { Segment } from './segment';

type Signal = number | undefined;

/** A counted loop shorter than this runs as written: warm-up, trace and the eager last iteration leave nothing to replay. */
const MIN_ITERATIONS = 8;
type StmtCode = (f: Frame) => Signal;

/**
 * A loop whose body compiles itself (issue 19): host statements run as written every iteration; the runs of
 * statements between them are segments, each traced after a warm-up iteration and replayed while its guards
 * hold. The last iteration of a counted loop runs eagerly, so what the loop leaves behind (the loss with its
 * graph, the .grad tensors) is exactly what eager code leaves.
 */
export class LoopAuto {
  private plan: BodyPlan | null = null;
  private uses: ReturnType<typeof historyUses> | null = null;
  private readonly splits = new Map<number, string>();
  /** Names found at run time to change every iteration (counters), beside the loop variable. */
  private readonly tainted = new Set<string>();
  private parts: ({ host: number } | { seg: Segment })[] = [];
  private frame: Frame | null = null;
  private iterations = 0;
  private replayed = 0;
  private off: string | null = null;
  private registered = false;

  constructor(
    private readonly loop: A.For | A.While,
    private readonly head: string,
    private readonly file: string,
    private readonly codes: readonly StmtCode[],
    private readonly scope: Scope,
    private readonly targets: readonly string[],
    private readonly host: Omit<SegmentHost, 'split' | 'taint' | 'where' | 'usesHistory'>,
    private readonly log: AutoCompileLog | undefined,
    private readonly isBuiltin: (name: string) => boolean,
  ) {}

  /**
   * Called as the loop starts: whether its iterations may replay plans this time (if not, `off` says why).
   * `count`: the number of iterations when known (a range); too few do not pay for a trace.
   */
  start(f: Frame, count?: number): boolean {
    if (!this.registered && this.log) {
      this.registered = true;
      this.log.add(() => this.record());
    }
    this.off = !autoCompileEnabled()
      ? 'auto-compile is off (NABLA_AUTO_COMPILE=0)'
      : auto.eagerScopes > 0
        ? 'it runs inside `with eager { }`'
        : auto.rec || nb.traceState.current
          ? 'it runs inside another trace (a compiled function or loop), which traces it whole'
          : nb.mode.anomaly
            ? 'detect_anomaly is on'
            : count !== undefined && count < MIN_ITERATIONS
              ? `it runs ${count} iteration${count === 1 ? '' : 's'}, too few to pay for a trace (${MIN_ITERATIONS} or more are compiled)`
              : null;
    if (this.off) return false;
    if (f !== this.frame) {
      // a new call of the function holding the loop: its variables live in a new frame, so plans start over
      this.frame = f;
      this.build(false);
    }
    return true;
  }

  /** One iteration; `last` when it is known to be the loop's last (it then runs eagerly). */
  iteration(f: Frame, last: boolean): Signal {
    this.iterations++;
    if (last) return this.eager(f);
    let replayedHere = false;
    for (const p of this.parts) {
      if ('host' in p) {
        const r = this.codes[p.host](f);
        if (r) return r;
      } else {
        const before = p.seg.replays;
        p.seg.run(f);
        if (p.seg.replays > before) replayedHere = true;
      }
    }
    if (replayedHere) this.replayed++;
    return undefined;
  }

  /** An iteration run as written (counted, for the report, when auto-compile is off for this run). */
  eager(f: Frame): Signal {
    for (const c of this.codes) {
      const r = c(f);
      if (r) return r;
    }
    return undefined;
  }

  countEager(): void {
    this.iterations++;
  }

  /** Splits the body into host statements and segments; `warm` when the body has already run in this frame. */
  private build(warm = true): void {
    const stmts = this.loop.body.body;
    this.plan ??= analyzeBody(stmts, this.targets);
    const carried = this.plan.carried.map((n) => place(this.scope, n));
    this.uses ??= historyUses(stmts, this.isBuiltin);
    const uses = this.uses;
    const usesHistory = (name: string, own: readonly number[]) => {
      const j = uses.findIndex((u, k) => !own.includes(k) && u.has(name));
      return j < 0 ? null : `line ${stmts[j].span.start.line} uses (${uses[j].get(name)})`;
    };
    const host: SegmentHost = {
      ...this.host,
      split: (i, reason) => this.split(i, reason),
      taint: (n) => this.taint(n),
      where: `${this.file}:${this.loop.span.start.line}`,
      usesHistory,
    };
    this.parts = [];
    let run: number[] = [];
    const flush = () => {
      if (run.length)
        this.parts.push({
          seg: new Segment(
            run.map((i) => this.codes[i]),
            run,
            carried,
            host,
            warm,
          ),
        });
      run = [];
    };
    stmts.forEach((_, i) => {
      if (this.hostReason(i)) {
        flush();
        this.parts.push({ host: i });
      } else run.push(i);
    });
    flush();
  }

  private hostReason(i: number): string | null {
    return this.plan!.host[i] ?? this.splits.get(i) ?? null;
  }

  private taint(name: string): void {
    this.tainted.add(name);
    this.plan = analyzeBody(this.loop.body.body, this.targets, this.tainted);
    this.build();
  }

  private split(i: number, reason: string): void {
    this.splits.set(i, reason);
    this.build();
  }

  private record(): LoopRecord {
    const stmts = this.loop.body.body;
    const hostStatements: LoopRecord['hostStatements'] = [];
    if (this.plan)
      stmts.forEach((s, i) => {
        const why = this.hostReason(i);
        if (why) hostStatements.push({ line: s.span.start.line, reason: why });
      });
    const segments = this.parts.flatMap((p) => {
      if (!('seg' in p)) return [];
      const s = p.seg;
      const a = stmts[s.indices[0]].span.start.line;
      const b = stmts[s.indices[s.indices.length - 1]].span.end.line;
      return [
        {
          lines: a === b ? `line ${a}` : `lines ${a}-${b}`,
          traces: s.traces,
          replays: s.replays,
          kernels: s.kernels,
          eager: s.eager,
        },
      ];
    });
    return {
      file: this.file,
      line: this.loop.span.start.line,
      head: this.head,
      iterations: this.iterations,
      replayed: this.replayed,
      off: this.off,
      segments,
      hostStatements,
    };
  }
}

/** Where a name assigned in the loop body lives (the compiler's own resolution). */
function place(scope: Scope, name: string): Place {
  const r = scope.resolve(name);
  if (r.kind === 'global') {
    const cell: Cell = r.cell;
    return { name, key: -1, holder: () => cell };
  }
  const { depth, slot } = r;
  return {
    name,
    key: slot,
    holder: (f: Frame): Value[] => {
      let fr = f;
      for (let d = 0; d < depth; d++) fr = fr.parent!;
      return fr.vars;
    },
  };
}
