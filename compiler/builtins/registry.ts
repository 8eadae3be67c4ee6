import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import {
  allEntries,
  backwardText,
  ELEMENTWISE,
  paramNumber,
  scalarForm,
  type ElementwiseEntry,
  type ForwardEntry,
  type OpEntry,
  type ParamDecl,
} from '../../runtime/ops/registry';
import { LangError } from '../operators';
import { FN_INFO, Tuple, typeName, type NablaFunction, type Value } from '../values';
import { asNumber, asTensor, optionalAxis } from './convert';
import { convertByKind } from './convert-kind';
import type { BuiltinTable } from './table';

/**
 * The builtins of the op registry (runtime/ops/registry): one per entry whose surface is 'builtin', with
 * the entry's inputs and params (so makeFunction rejects unknown keywords and wrong arity with a
 * did-you-mean), its doc line, and, for elementwise ops, the scalar form on plain numbers (the entry's own
 * expression in float64, so `tanh(0.5)` and `tanh(tensor(0.5, dtype="float64"))` agree). The language makes
 * each builtin whose first input is a tensor a method, and completion lists them, so those derive too.
 */
export function addRegistry(t: BuiltinTable): void {
  for (const e of ELEMENTWISE) if ((e.surface ?? 'builtin') === 'builtin') addElementwise(t, e);
  for (const e of allEntries())
    if (e.family !== 'elementwise' && (e.surface ?? 'builtin') === 'builtin') addEntry(t, e);
  for (const e of allEntries())
    if ((e.surface ?? 'builtin') === 'builtin' && e.inputs.length > 0) markTensorFirst(t, e.name);
}

/** The entry's first input is a tensor, so its builtin is also a tensor method (compiler/members.ts reads this). */
function markTensorFirst(t: BuiltinTable, name: string): void {
  const info = (t.values.get(name) as NablaFunction | undefined)?.[FN_INFO];
  if (info) info.tensorFirst = true;
}

/** The signature as the builtin table writes it: inputs, then params (required ones bare, a rest one starred, the others with defaults). */
export function paramSpecs(e: OpEntry): string[] {
  const fmt = (p: ParamDecl) =>
    p.rest
      ? `*${p.name}`
      : !('default' in p)
        ? p.name
        : `${p.name}=${p.default === null ? 'none' : typeof p.default === 'string' ? JSON.stringify(p.default) : String(p.default)}`;
  return [...e.inputs, ...(e.params ?? []).map(fmt)];
}

/** The call as the docs and inspect show it: `name(inputs, params)`. */
export const signatureOf = (e: OpEntry): string => `${e.name}(${paramSpecs(e).join(', ')})`;

const isNum = (v: Value): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';

function operand(v: Value, fn: string): Tensor | number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Tensor) return v;
  return asTensor(v, fn);
}

function addElementwise(t: BuiltinTable, e: ElementwiseEntry): void {
  const scalar = scalarForm(e);
  const op = (nb as unknown as Record<string, (...a: unknown[]) => Tensor>)[e.name];
  if (typeof op !== 'function') throw new Error(`registry entry ${e.name} has no runtime op of that name`);
  const params = e.params ?? [];
  t.add('math', e.name, paramSpecs(e), e.doc, (...args: Value[]) => {
    const ins = args.slice(0, e.arity);
    const given = params.map((p, k) =>
      p.choices ? (convertParam(e, p, args[e.arity + k]) as string) : asNumber(args[e.arity + k], e.name, p.name),
    );
    if (ins.every(isNum)) return scalar(...ins.map(Number), ...given.map((v, k) => paramNumber(params[k], v)));
    if (e.arity === 1) {
      const kw = Object.fromEntries(params.map((p, k) => [p.name, given[k]]));
      return op(ins[0] instanceof Tensor ? ins[0] : asTensor(ins[0], e.name), kw);
    }
    return op(operand(ins[0], e.name), operand(ins[1], e.name));
  });
}

/** A parameter's value by the kind of its default: numbers, axes (default none), booleans, strings with choices. */
export function convertParam(e: OpEntry, p: ParamDecl, v: Value): unknown {
  if (p.kind) return convertByKind(v, { ...p, kind: p.kind }, e.name);
  if (p.choices) {
    if (typeof v !== 'string' || !p.choices.includes(v)) {
      const shown = typeof v === 'string' ? `"${v}"` : `a ${typeName(v)}`;
      throw new LangError(
        `${e.name}: ${p.name} must be one of ${p.choices.map((c) => `"${c}"`).join(', ')}, got ${shown}${typeof v === 'string' ? suggest(v, p.choices) : ''}`,
      );
    }
    return v;
  }
  if (p.name === 'axis') return optionalAxis(v, e.name);
  if (typeof p.default === 'boolean') {
    if (typeof v !== 'boolean') throw new LangError(`${e.name}: ${p.name} must be true or false, got a ${typeName(v)}`);
    return v;
  }
  if (v === null) {
    if (p.default === null) return null;
    throw new LangError(`${e.name}: ${p.name} must be a number, got none`);
  }
  if (p.default === null && v instanceof Tensor) return v;
  return asNumber(v, e.name, p.name);
}

function suggest(v: string, choices: readonly string[]): string {
  const close = choices.filter((c) => c.startsWith(v.slice(0, 2)) || v.startsWith(c.slice(0, 2)));
  return close.length ? `; did you mean "${close[0]}"?` : '';
}

/**
 * Entries of other families: inputs become tensors (numbers and lists allowed), params convert by their
 * kind (or their default's), forward runs; several results (sort's values and indices) come back as a tuple.
 * The doc line carries the backward formula.
 */
function addEntry(t: BuiltinTable, e: OpEntry): void {
  const forward = (e as Partial<ForwardEntry>).forward;
  if (!forward) throw new Error(`registry entry ${e.name} (${e.family}) has no forward`);
  const params = e.params ?? [];
  const doc = e.formulas?.length ? `${e.doc} Gradient: ${backwardText(e)}.` : e.doc;
  t.add(e.family, e.name, paramSpecs(e), doc, (...args: Value[]) => {
    const ins = args
      .slice(0, e.inputs.length)
      .map((v, k) => (v instanceof Tensor ? v : asTensor(v, e.name, `'${e.inputs[k]}'`)));
    const kw = Object.fromEntries(params.map((p, k) => [p.name, convertParam(e, p, args[e.inputs.length + k])]));
    const r = forward(...ins, kw);
    return Array.isArray(r) ? new Tuple(r) : r;
  });
}
