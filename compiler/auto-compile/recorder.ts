import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { Cell, type Frame } from '../scope';
import type { Value } from '../values';
import { fingerprint, layoutKey } from './guard';
import type { AutoRecorder } from './hooks';
import { callRefusal, methodRefusal } from './policy';
import { readPlace, type Read, type SegmentHost, type Write } from './places';

/** What a recorder asks of the compiler: which builtins a value is, and attributes read as the language reads them. */
export type RecorderHost = Pick<SegmentHost, 'builtin' | 'builtinByName' | 'getAttr'>;

/**
 * Records what a trace (a loop segment's, ./segment.ts, or a function's, ./function.ts) reads and writes, and
 * refuses what a replay would not repeat. Reads of variables in `f`'s frame and its parents, and of globals,
 * are guarded; locals of calls made inside the trace are not (they start over at every call).
 */
export class Recorder implements AutoRecorder {
  stmt = 0;
  denied: string | null = null;
  /** A variable the loop rebinds that came into the trace holding a tensor with a graph. */
  historyIn: string | null = null;
  /** Plan arguments read by name before the segment assigned them. */
  readonly carriedReads = new Set<string>();
  readonly reads: Read[] = [];
  readonly writes: Write[] = [];
  private readonly seen = new Map<object, Set<number | string>>();
  private readonly written = new Map<object, Set<number>>();
  /** The vars arrays of the loop's frame and its parents: the only frames a segment's assignments outlive in. */
  private readonly chain = new Set<object>();

  constructor(
    f: Frame,
    private readonly args: readonly Tensor[],
    private readonly argNames: readonly string[],
    private readonly host: RecorderHost,
  ) {
    for (let fr: Frame | null = f; fr; fr = fr.parent) this.chain.add(fr.vars);
  }

  private first(map: Map<object, Set<number | string>>, holder: object, key: number | string): boolean {
    let s = map.get(holder);
    if (!s) map.set(holder, (s = new Set()));
    if (s.has(key)) return false;
    s.add(key);
    return true;
  }

  read(holder: object, key: number, v: Value, name: string): void {
    if (!(holder instanceof Cell) && !this.chain.has(holder)) return; // a local of a call made inside the trace
    if (this.written.get(holder)?.has(key)) return;
    if (!this.first(this.seen, holder, key)) return;
    const h = holder as Value[] | Cell;
    this.guard(() => readPlace(h, key), v, name);
  }

  readAttr(obj: Value, name: string, v: Value): void {
    if (typeof v === 'function') return; // a method: its call is checked by `method`
    if (!this.first(this.seen, obj as object, name)) return;
    this.guard(() => this.host.getAttr(obj, name), v, `.${name}`);
  }

  private guard(get: () => Value, v: Value, name: string): void {
    if (v instanceof Tensor && this.args.includes(v) && v.gradFn) this.historyIn ??= name;
    const arg = v instanceof Tensor ? this.args.indexOf(v) : -1;
    if (arg >= 0 && this.argNames[arg] === name) {
      this.carriedReads.add(name);
      return void this.reads.push({
        get,
        name,
        guard: { kind: 'layout', key: layoutKey(v as Tensor) },
        carried: true,
        value: v,
      });
    }
    const print = fingerprint(v);
    if (!print) return this.deny(`it reads \`${name}\`, a list too large or too deeply nested to guard`);
    this.reads.push({ get, name, guard: { kind: 'same', print }, value: v });
  }

  write(holder: object, key: number, name: string): void {
    if (!(holder instanceof Cell) && !this.chain.has(holder)) return;
    let s = this.written.get(holder);
    if (!s) this.written.set(holder, (s = new Set()));
    if (s.has(key)) {
      const w = this.writes.find((x) => x.holder === holder && x.key === key);
      if (w) w.stmt = this.stmt;
      return;
    }
    s.add(key);
    this.writes.push({ holder: holder as Value[] | Cell, key, name, stmt: this.stmt });
  }

  readGrad(holder: Tensor): void {
    // the same rebinding a backward's accumulation gets (runtime/compile: a `grad` slot, its layout guarded)
    nb.traceState.current?.readsGrad(holder);
  }

  call(fn: Value): void {
    if (this.denied) return;
    this.denied = callRefusal(fn, this.host.builtin);
  }

  method(target: Value, name: string): void {
    if (this.denied) return;
    this.denied = methodRefusal(target, name, this.host.builtinByName);
  }

  deny(reason: string): void {
    this.denied ??= reason;
  }
}
