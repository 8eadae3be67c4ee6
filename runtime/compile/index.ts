import { getBackend } from '../backend';
import { traceState, withTrace } from '../hooks';
import { mode } from '../mode';
import { warn, warnings } from '../provenance';
import { Tensor } from '../tensor';
import { Plan, type Container, type PlanStats } from './plan';
import type { RunnablePlan } from '../trace-replay';
import { Tracer } from './tracer';

// the pieces compile() is built from, for front ends that trace their own units (the language's loops)
export { Tracer, Plan, traceState };
export { replayedHistory } from './replayed';

/**
 * compile(f): a function that traces f once per argument signature and then replays the trace as one plan
 * (./plan.ts) instead of running f op by op. Typically f is a whole training step: zero_grad, forward,
 * backward (with create_graph, to any order), the optimizer's update.
 *
 * - What a replay does: every kernel f ran, with elementwise runs fused, into buffers allocated once; every
 *   in-place write (x -= ...); every effect on state outside tensors (optimizer steps, .grad set or
 *   cleared), by calling the same code again. What it does not do: other side effects of f (printing,
 *   appending to a list, assigning outer variables) happen only when f is traced.
 * - Signature: the shapes, dtypes, layouts and requires_grad of tensor arguments; the values of other
 *   arguments (numbers, strings; objects by identity); the backend; grad mode. A new signature traces again.
 * - Tensors f reads from outside (closed over) are read live: their in-place updates are seen. Rebinding a
 *   name to another tensor is not; pass such a tensor as an argument.
 * - Falls back to eager, with a warning that says why, where a replay could differ from running f: f reads
 *   values on the host (item(), tolist(), print: control flow may depend on them), draws unseeded random
 *   numbers, runs under detect_anomaly, or steps an optimizer with a closure. A .grad f accumulates into
 *   that changed since the trace makes it trace again; after `maxRetraces` of those it runs eagerly.
 * - Results: tensors f returns are fresh copies with no history (a replay records no graph); .grad tensors
 *   it sets are the plan's buffers, overwritten by the next call (clone one to keep it).
 */
export interface CompileOptions {
  /** Used in warnings (default: f.name). */
  name?: string;
  /** Guard failures for one signature before it runs eagerly for good (default 3). */
  maxRetraces?: number;
  /** Where fallback warnings go (default: the runtime's warning sink, else console.warn). */
  onWarning?: (message: string) => void;
  /** Kinds of values besides arrays whose tensors a result may hold (the language passes its tuples). */
  containers?: readonly Container[];
}

interface Entry {
  plan: RunnablePlan | null;
  /** Why it runs eagerly, once decided. */
  eager: string | null;
  retraces: number;
}

export interface Compiled<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** What happened so far: traces, replays, eager calls, and the last plan's shape. */
  readonly info: CompileInfo;
}

export interface CompileInfo {
  traces: number;
  replays: number;
  eagerCalls: number;
  /** Why the last signature runs eagerly, or null. */
  fallback: string | null;
  plan: PlanStats | null;
  /** The generated step of the last plan (for NABLA_DEBUG=compile and tests). */
  source: string | null;
}

const identity = new WeakMap<object, number>();
let nextIdentity = 1;

function signature(args: readonly unknown[]): string {
  let key = `${getBackend().name}|${mode.gradEnabled ? 'g' : 'n'}`;
  for (const a of args) {
    if (a instanceof Tensor) key += `|T${a.dtype}[${a.shape}]/${a.strides}+${a.offset}${a.requiresGrad ? 'r' : ''}`;
    else if (a === null || a === undefined || (typeof a !== 'object' && typeof a !== 'function'))
      key += `|${typeof a}:${String(a)}`;
    else {
      let id = identity.get(a as object);
      if (!id) identity.set(a as object, (id = nextIdentity++));
      key += `|#${id}`;
    }
  }
  return key;
}

const debug = typeof process !== 'undefined' && (process.env?.NABLA_DEBUG ?? '').split(',').includes('compile');

export function compile<F extends (...args: any[]) => any>(f: F, opts: CompileOptions = {}): Compiled<F> {
  const name = opts.name ?? (f.name || 'the function');
  const maxRetraces = opts.maxRetraces ?? 3;
  const entries = new Map<string, Entry>();
  const info: CompileInfo = { traces: 0, replays: 0, eagerCalls: 0, fallback: null, plan: null, source: null };
  const say = (message: string) => {
    if (opts.onWarning) opts.onWarning(message);
    else if (warnings.sink) warn(message);
    else console.warn(message);
  };

  const trace = (entry: Entry, args: unknown[]): unknown => {
    info.traces++;
    const tensors = args.map((a) => (a instanceof Tensor ? a : null));
    const tr = new Tracer(tensors);
    const result = withTrace(tr, () => f(...args));
    if (tr.reason) {
      entry.eager = tr.reason;
      entry.plan = null;
      info.fallback = tr.reason;
      say(`compile: ${name} runs eagerly (not compiled): ${tr.reason}.`);
      return result;
    }
    // a backend that compiles whole traces its own way (webgpu keeps the whole step on the GPU) goes first
    entry.plan =
      getBackend().compileTrace?.(tr, result, opts.containers ?? []) ?? new Plan(tr, result, opts.containers);
    info.plan = entry.plan.stats;
    info.source = entry.plan.source;
    info.fallback = null;
    if (debug)
      process.stderr.write(`[nabla compile] ${name}: ${JSON.stringify(entry.plan.stats)}\n${entry.plan.source}\n`);
    return result;
  };

  const compiled = ((...args: unknown[]) => {
    // inside another compiled function's trace, f is part of that trace
    if (traceState.current) return f(...args);
    if (mode.anomaly) {
      info.eagerCalls++;
      return f(...args);
    }
    const key = signature(args);
    let entry = entries.get(key);
    if (!entry) {
      entry = { plan: null, eager: null, retraces: 0 };
      entries.set(key, entry);
      return trace(entry, args);
    }
    if (entry.eager) {
      info.eagerCalls++;
      return f(...args);
    }
    const tensors = args.map((a) => (a instanceof Tensor ? a : null));
    const why = entry.plan!.check(tensors);
    if (why) {
      if (debug) process.stderr.write(`[nabla compile] ${name} traces again: ${why}\n`);
      if (++entry.retraces > maxRetraces) {
        entry.eager = `${why}, and it changed at every call (traced ${entry.retraces} times)`;
        entry.plan = null;
        info.fallback = entry.eager;
        say(`compile: ${name} runs eagerly from now on: ${entry.eager}.`);
        info.eagerCalls++;
        return f(...args);
      }
      return trace(entry, args);
    }
    info.replays++;
    return entry.plan!.run(tensors);
  }) as unknown as Compiled<F>;
  Object.defineProperty(compiled, 'info', { value: info });
  return compiled;
}
