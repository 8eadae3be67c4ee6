import { Tensor } from '../../runtime';
import type { ParamDecl, ParamKind } from '../../runtime/ops/registry';
import { LangError } from '../operators';
import { Tuple, typeName, type Value } from '../values';
import { asInt, asNumber, asShape, asTensor } from './convert';

/**
 * Converts a builtin's argument by its parameter's declared kind (ParamKind in the registry's types.ts):
 * the indexing and linalg families declare one on every parameter, so index lists, axis lists, ints and
 * operand lists are checked precisely and refused with a sentence naming the parameter.
 */
const MAX_NESTED = 32;

function indexValue(v: Value, fn: string, what: string, depth = 0): unknown {
  if (depth > MAX_NESTED) throw new LangError(`${fn}: ${what} is nested too deeply`);
  if (v instanceof Tensor || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v) || v instanceof Tuple)
    return (Array.isArray(v) ? v : [...v.items]).map((x) => indexValue(x, fn, what, depth + 1));
  throw new LangError(`${fn}: ${what} must be a tensor or a list of whole numbers, got a ${typeName(v)}`);
}

export function convertByKind(v: Value, p: ParamDecl & { kind: ParamKind }, fn: string): unknown {
  const what = `'${p.name}'`;
  if (v === null && (p.kind.endsWith('?') || p.default === null)) return null;
  switch (p.kind) {
    case 'tensor':
      return asTensor(v, fn, what);
    case 'tensors': {
      // einsum(eq, a, b) or, as PyTorch also takes, einsum(eq, [a, b])
      const items = v as Value[];
      const one = items.length === 1 ? items[0] : null;
      const list = Array.isArray(one) || one instanceof Tuple ? (Array.isArray(one) ? one : [...one.items]) : items;
      return list.map((x, i) => asTensor(x, fn, `operand ${i + 1}`));
    }
    case 'int':
    case 'int?':
      return asInt(v, fn, what);
    case 'ints':
    case 'ints?':
      return typeof v === 'number' || typeof v === 'boolean' ? asInt(v, fn, what) : asShape([v], fn);
    case 'index':
      return indexValue(v, fn, what);
    case 'number':
      return asNumber(v, fn, what);
    case 'bool':
      if (typeof v !== 'boolean') throw new LangError(`${fn}: ${what} must be true or false, got a ${typeName(v)}`);
      return v;
    case 'string':
      if (typeof v !== 'string') throw new LangError(`${fn}: ${what} must be a string, got a ${typeName(v)}`);
      return v;
    case 'equation':
      // the subscripts, or the sublist form's first operand (a tensor or list): einsum(a, [0, 1], b, [1, 2], [0, 2])
      if (typeof v === 'string') return v;
      if (v instanceof Tensor || Array.isArray(v) || v instanceof Tuple) return asTensor(v, fn, 'operand 1');
      throw new LangError(
        `${fn}: ${what} must be a string such as "ij,jk->ik" (or, in the sublist form, a tensor followed by its axis labels: ${fn}(a, [0, 1], b, [1, 2])), got a ${typeName(v)}`,
      );
  }
}
