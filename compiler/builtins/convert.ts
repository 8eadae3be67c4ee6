import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { LangError } from '../operators';
import { RangeValue, Tuple, typeName, type Value } from '../values';

/** Argument conversions shared by the builtins, each with a sentence for the wrong kind of value. */
export function asTensor(v: Value, fn: string, what = 'argument'): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return nb.tensor(Number(v));
  if (Array.isArray(v)) return nb.tensor(v.map((x) => (x instanceof Tensor ? x.tolist() : x)));
  throw new LangError(`${fn}: the ${what} must be a tensor or a number, got a ${typeName(v)}`);
}

export function asNumber(v: Value, fn: string, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Tensor && v.size === 1 && v.dtype !== 'complex64') return v.toHost()[0];
  throw new LangError(`${fn}: ${what} must be a number, got a ${typeName(v)}`);
}

export function asInt(v: Value, fn: string, what: string): number {
  const n = asNumber(v, fn, what);
  if (!Number.isInteger(n)) throw new LangError(`${fn}: ${what} must be a whole number, got ${n}`);
  return n;
}

/** Shapes may be given as separate numbers, one list, a tuple or a tensor of sizes. */
export function asShape(args: Value[], fn: string): number[] {
  const one = args.length === 1 ? args[0] : null;
  const list =
    one instanceof Tensor
      ? one.rank === 0
        ? [one.item()]
        : (one.tolist() as Value[])
      : Array.isArray(one)
        ? one
        : one instanceof Tuple
          ? [...one.items]
          : args;
  return list.map((d) => asInt(d, fn, 'a shape entry'));
}

export function asTensorList(v: Value, fn: string, what: string): Tensor[] {
  const items = Array.isArray(v) ? v : v instanceof Tuple ? v.items : [v];
  return items.map((x, i) => {
    if (!(x instanceof Tensor))
      throw new LangError(`${fn}: ${what} must be tensors, but entry ${i + 1} is a ${typeName(x)}`);
    return x;
  });
}

export function optionalAxis(v: Value, fn: string): number | number[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v) || v instanceof Tuple || v instanceof Tensor) return asShape([v], fn);
  return asInt(v, fn, 'axis');
}

export const isSeq = (v: Value): v is Value[] | Tuple => Array.isArray(v) || v instanceof Tuple;
export const seqItems = (v: Value): Value[] =>
  Array.isArray(v)
    ? v
    : v instanceof Tuple
      ? [...v.items]
      : v instanceof RangeValue
        ? [...Array(v.length)].map((_, i) => v.start + i * v.step)
        : [v];
