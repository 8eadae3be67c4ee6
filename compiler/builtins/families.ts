import { Tensor } from '../../runtime';
import { FAMILIES, type FamilyEntry, type FamilyParam } from '../../runtime/ops/families';
import type { ParamSpec } from '../call';
import { LangError } from '../operators';
import { Tuple, typeName, type Value } from '../values';
import { asInt, asNumber, asShape, asTensor } from './convert';
import type { BuiltinTable } from './table';

/**
 * The builtins of the op families (runtime/ops/families), derived from their tables: the parameter list and
 * defaults (so unknown keywords and wrong arity are refused by the call binder, as for every builtin), the doc
 * line, and argument conversion by each parameter's kind. Several results (sort's values and indices) come
 * back as a tuple. `familyReference()` renders the docs' op reference from the same tables.
 */
const MAX_NESTED = 32;

function indexValue(v: Value, fn: string, what: string, depth = 0): unknown {
  if (depth > MAX_NESTED) throw new LangError(`${fn}: ${what} is nested too deeply`);
  if (v instanceof Tensor || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v) || v instanceof Tuple) return (Array.isArray(v) ? v : [...v.items]).map((x) => indexValue(x, fn, what, depth + 1));
  throw new LangError(`${fn}: ${what} must be a tensor or a list of whole numbers, got a ${typeName(v)}`);
}

function convert(v: Value, p: FamilyParam, fn: string): unknown {
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
  }
}

const toSpec = (p: FamilyParam): ParamSpec => (p.rest ? { name: p.name, rest: true } : 'default' in p ? { name: p.name, default: p.default as Value } : { name: p.name });

export function builtinOf(e: FamilyEntry): (...args: Value[]) => Value {
  return (...args: Value[]) => {
    const r = e.forward(...e.params.map((p, i) => convert(args[i], p, e.name)));
    return Array.isArray(r) ? new Tuple(r) : r;
  };
}

export function addFamilies(t: BuiltinTable): void {
  for (const { family, entries } of FAMILIES) {
    for (const e of entries) t.add(family, e.name, e.params.map(toSpec), `${e.doc} Gradient: ${e.grad}.`, builtinOf(e));
  }
}

const fmtDefault = (d: FamilyParam['default']) => (d === null ? 'none' : typeof d === 'string' ? JSON.stringify(d) : String(d));

export function familySignature(e: FamilyEntry): string {
  return `${e.name}(${e.params.map((p) => (p.rest ? `*${p.name}` : 'default' in p ? `${p.name}=${fmtDefault(p.default)}` : p.name)).join(', ')})`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The op reference in docs/language.md, between its markers (test/lang/family-docs.test.ts keeps it current). */
export function familyReference(): string {
  const out: string[] = [];
  for (const { title, entries } of FAMILIES) {
    out.push(`**${title}**`, '', '| op | what it does | gradient |', '| --- | --- | --- |');
    for (const e of entries) out.push(`| \`${cell(familySignature(e))}\` | ${cell(e.doc)} | ${cell(e.grad)} |`);
    out.push('');
  }
  return out.join('\n');
}

export const REFERENCE_BEGIN = '<!-- op reference: generated from runtime/ops/families by `npx tsx scripts/family-docs.ts`; do not edit -->';
export const REFERENCE_END = '<!-- end of op reference -->';
