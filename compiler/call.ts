import { Tensor } from '../runtime';
import { bindArgs, type ParamSpec } from './bind';
import { kindOf } from './methods';

export { bindArgs, type ParamSpec } from './bind';
import { LangError } from './operators';
import { FN_INFO, RangeValue, Tuple, typeName, type FnInfo, type NablaFunction, type Value } from './values';

/**
 * How a call reaches its callee. Nabla functions and builtins are plain JS functions carrying FnInfo, so the
 * runtime can call them back (hooks, closures, custom gradients) with positional arguments; keyword arguments
 * go through FnInfo.callKw. Runtime objects' JS methods get keywords as a trailing options object with
 * camelCased keys (`output_gradients=` becomes `{ outputGradients }`).
 */
export const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function callValue(f: Value, args: Value[], kwargs: Map<string, Value> | null, what: string): Value {
  if (typeof f !== 'function')
    throw new LangError(`${what} is a ${typeName(f)}, not a function, so it cannot be called`);
  const info = (f as NablaFunction)[FN_INFO];
  if (info) return kwargs ? info.callKw(args, kwargs) : (f as NablaFunction)(...args);
  // a runtime callable (a model): its call is declared like a method, so it binds as a builtin does
  const kind = kindOf(f);
  if (kind?.call) return kind.call.impl(f, ...bindArgs(kind.kind, kind.call.params, args, kwargs));
  if (kwargs) throw new LangError(`${what} takes no keyword arguments (given: ${[...kwargs.keys()].join(', ')})`);
  return (f as NablaFunction)(...args);
}

/** Nabla values handed to runtime code: tuples become arrays, maps with string keys plain objects. */
export function toJs(v: Value): Value {
  if (v instanceof Tuple) return v.items.map(toJs);
  if (v instanceof Map && [...v.keys()].every((k) => typeof k === 'string')) {
    const o: Record<string, Value> = {};
    for (const [k, x] of v) o[camel(k as string)] = toJs(x);
    return o;
  }
  if (Array.isArray(v)) return v.map(toJs);
  return v;
}

/** Makes a JS function with FnInfo from a parameter list and an implementation taking bound values. */
export function makeFunction(
  name: string,
  params: readonly ParamSpec[],
  impl: (...bound: Value[]) => Value,
  doc?: string,
): NablaFunction {
  const fast = params.every((p) => !p.rest && !('default' in p));
  const f: NablaFunction = fast
    ? (...args: Value[]) =>
        args.length === params.length ? impl(...args) : impl(...bindArgs(name, params, args, null))
    : (...args: Value[]) => impl(...bindArgs(name, params, args, null));
  const info: FnInfo = {
    name,
    params: params.map((p) => (p.rest ? `*${p.name}` : 'default' in p ? `${p.name}=${fmtDefault(p.default)}` : p.name)),
    callKw: (args, kwargs) => impl(...bindArgs(name, params, args, kwargs)),
    doc,
  };
  f[FN_INFO] = info;
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

function fmtDefault(v: Value): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Tuple) return `(${v.items.join(', ')})`;
  if (typeof v === 'function') return v.name || 'fn';
  return String(v);
}

/** Iteration for `for x in v`. */
export function* iterate(v: Value): Iterable<Value> {
  if (v instanceof RangeValue) {
    for (let i = v.start; v.step > 0 ? i < v.stop : i > v.stop; i += v.step) yield i;
    return;
  }
  if (Array.isArray(v)) return yield* v;
  if (v instanceof Tuple) return yield* v.items;
  if (v instanceof Map) return yield* v.keys();
  if (typeof v === 'string') return yield* v;
  if (v instanceof Tensor) {
    if (v.rank === 0) throw new LangError('cannot iterate over a 0-dimensional tensor');
    for (let i = 0; i < v.shape[0]; i++) yield v.index(i);
    return;
  }
  if (v && typeof (v as Iterable<Value>)[Symbol.iterator] === 'function') return yield* v as Iterable<Value>;
  throw new LangError(`cannot iterate over a ${typeName(v)}`);
}
