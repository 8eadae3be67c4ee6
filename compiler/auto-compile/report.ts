/**
 * What `explain compile` and `nabla run --explain-compile` print: every loop that ran in this session, whether
 * its body was compiled, and for each statement that runs eagerly, why, with its line; then every function
 * called more than once (./function.ts), whether it compiled itself, and if not, why.
 */
export interface LoopRecord {
  file: string;
  line: number;
  /** `for step in range(2000)` */
  head: string;
  iterations: number;
  replayed: number;
  /** Why nothing of this loop is compiled (off, `with eager`, too few iterations), or null. */
  off: string | null;
  /** `line 12` or `lines 12-18`. */
  segments: { lines: string; traces: number; replays: number; kernels: number; eager: string | null }[];
  hostStatements: { line: number; reason: string }[];
}

export interface FunctionRecord {
  file: string;
  line: number;
  name: string;
  calls: number;
  replays: number;
  traces: number;
  kernels: number;
  /** Calls that ran as written because their caller may use the result's autograd graph. */
  graphCalls: number;
  /** Why it does not replay (the last reason a call ran as written), or null. */
  eager: string | null;
}

const MAX_LOOPS = 100;

export class AutoCompileLog {
  /** Each loop that has run, read when the report is asked for (its counts keep changing). */
  readonly loops: (() => LoopRecord)[] = [];
  /** Each function called at least twice (a notebook that redefines one adds the new one). */
  readonly functions: (() => FunctionRecord)[] = [];

  /** Keeps the most recent loops only: a notebook rerunning cells compiles new loops each time. */
  add(record: () => LoopRecord): void {
    this.loops.push(record);
    if (this.loops.length > MAX_LOOPS) this.loops.splice(0, this.loops.length - MAX_LOOPS);
  }

  addFunction(record: () => FunctionRecord): void {
    this.functions.push(record);
    if (this.functions.length > MAX_LOOPS) this.functions.splice(0, this.functions.length - MAX_LOOPS);
  }

  report(enabled: boolean): string {
    const lines = [`auto-compile: ${enabled ? 'on' : 'off (NABLA_AUTO_COMPILE=0)'}`];
    if (!this.loops.length && !this.functions.length)
      lines.push('no loop has run yet, and no function was called twice');
    for (const l of this.loops.map((r) => r())) {
      const where = `${l.file}:${l.line}`;
      if (!l.iterations) {
        lines.push(`${where} \`${l.head}\`: did not iterate`);
        continue;
      }
      if (l.off || !l.segments.length) {
        lines.push(
          `${where} \`${l.head}\`: not compiled: ${l.off ?? 'no statement of its body can be traced'} (${l.iterations} iterations)`,
        );
      } else {
        const compiled = l.segments.filter((s) => s.replays > 0);
        const status = compiled.length ? 'compiled' : 'not compiled';
        lines.push(`${where} \`${l.head}\`: ${status}: ${l.replayed} of ${l.iterations} iterations replayed a plan`);
        for (const s of l.segments) {
          const what = s.eager
            ? `runs eagerly: ${s.eager}`
            : s.replays
              ? `compiled (${s.kernels} kernels and fused groups, traced ${s.traces}×, replayed ${s.replays}×)`
              : 'not replayed yet (it traces after a warm-up iteration)';
          lines.push(`  ${s.lines}: ${what}`);
        }
      }
      for (const h of l.hostStatements) lines.push(`  line ${h.line} runs eagerly each iteration: ${h.reason}`);
    }
    for (const f of this.functions.map((r) => r())) lines.push(...functionLines(f));
    return lines.join('\n');
  }
}

function functionLines(f: FunctionRecord): string[] {
  const where = `${f.file}:${f.line} fn ${f.name}`;
  const calls = `${f.calls} call${f.calls === 1 ? '' : 's'}`;
  if (!f.replays) {
    const why = f.eager ?? 'not replayed yet (it traces at its third call with the same argument shapes)';
    return [`${where}: not compiled: ${why} (${calls})`];
  }
  const out = [
    `${where}: compiled: ${f.replays} of ${calls} replayed a plan (${f.kernels} kernels and fused groups, traced ${f.traces}×)`,
  ];
  if (f.graphCalls)
    out.push(`  ${f.graphCalls} calls ran as written: their caller may use the result's autograd graph`);
  if (f.eager) out.push(`  some calls ran as written: ${f.eager}`);
  return out;
}
