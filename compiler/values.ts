import { Tensor } from '../runtime';
import { LangError } from './lang-error';

/**
 * Nabla values at run time: JS numbers, booleans, strings, null (none), Tensors, lists (JS arrays), tuples,
 * maps (JS Map: tensors and objects are keys by identity), functions (plain JS functions, so the runtime can
 * call them as hooks, closures and custom gradients), ranges, and runtime objects (tapes, optimizers, models).
 */
export type Value = unknown;

export class Tuple {
  constructor(readonly items: readonly Value[]) {}
}

/** `range(a, b, step)` and `a..b`: iterated without building an array. */
export class RangeValue {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step = 1,
  ) {}
  get length(): number {
    return Math.max(0, Math.ceil((this.stop - this.start) / this.step));
  }
}

/** What `fn` makes: a JS function plus what inspect and error messages need. */
export interface FnInfo {
  name: string;
  params: readonly string[];
  /** Calls with keyword arguments (positional ones go through the plain JS call). */
  callKw(args: readonly Value[], kwargs: ReadonlyMap<string, Value>): Value;
  doc?: string;
  /** For builtins: the table's group (math, shape, io, ...); tensor methods come from some groups only. */
  group?: string;
  /** For the op registry's builtins: its first input is a tensor, so the builtin is also a tensor method (`x.flip(0)`). */
  tensorFirst?: boolean;
  /** Defined by the user with fn (its calls appear in tracebacks), not a builtin. */
  user?: boolean;
  /** Made by compile() or @compile: each call replays the function's own plan. */
  compiled?: boolean;
}

export const FN_INFO = Symbol('nabla.fn');
export type NablaFunction = ((...args: Value[]) => Value) & { [FN_INFO]?: FnInfo };

/** How many items v has (a tensor's first dimension), or null when it has no length (numbers, 0-d tensors, iterators). */
export function lengthOf(v: Value): number | null {
  if (v instanceof Tensor) return v.rank === 0 ? null : v.shape[0];
  if (Array.isArray(v) || typeof v === 'string') return v.length;
  if (v instanceof Tuple) return v.items.length;
  if (v instanceof Map) return v.size;
  if (v instanceof RangeValue) return v.length;
  return null;
}

export function typeName(v: Value): string {
  if (v === null || v === undefined) return 'none';
  if (v instanceof Tensor) return 'tensor';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Tuple) return 'tuple';
  if (v instanceof Map) return 'map';
  if (v instanceof RangeValue) return 'range';
  if (typeof v === 'function') return 'function';
  const ctor = (v as object).constructor?.name;
  return ctor && ctor !== 'Object' ? ctor : 'object';
}

export function fmtNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

/** The text form used by print and by a cell's displayed value (strings quoted only when `repr`). */
export function show(v: Value, repr = false): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'number') return fmtNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return repr ? JSON.stringify(v) : v;
  if (v instanceof Tensor) return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => show(x, true)).join(', ')}]`;
  if (v instanceof Tuple)
    return v.items.length === 1 ? `(${show(v.items[0], true)},)` : `(${v.items.map((x) => show(x, true)).join(', ')})`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${show(k, true)}: ${show(x, true)}`).join(', ')}}`;
  if (v instanceof RangeValue)
    return v.step === 1 ? `${v.start}..${v.stop}` : `range(${v.start}, ${v.stop}, ${v.step})`;
  if (typeof v === 'function') {
    const info = (v as NablaFunction)[FN_INFO];
    const s = (v as { toString(): string }).toString;
    if (!info && s !== Function.prototype.toString) return String(v);
    return info ? `<fn ${info.name}(${info.params.join(', ')})>` : `<fn ${v.name || 'anonymous'}>`;
  }
  const s = String(v);
  return s === '[object Object]' ? `<${typeName(v)}>` : s;
}

export function truthy(v: Value, where: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v === null || v === undefined) return false;
  if (v instanceof Tensor) {
    if (v.size !== 1) {
      throw new LangError(
        `${where}: the truth value of a tensor with ${v.size} elements is ambiguous; use any(...)/all(...) or compare a single element`,
      );
    }
    return (v.toHost()[0] ?? 0) !== 0;
  }
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (v instanceof Tuple) return v.items.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true;
}

/**
 * The exact numbers a list literal was written with. A literal becomes a float32 tensor at once, but
 * tensor([...], dtype="float64") and param(...) must see the digits as written, not float32 roundings.
 */
export const LITERAL_DATA = new WeakMap<object, unknown[]>();
