import * as nb from '../runtime';
import { Tensor } from '../runtime';
import { dtypeOf } from './builtins/dtype';
import { camel, callValue } from './call';
import { didYouMean } from './did-you-mean';
import { boundMethod, builtinMethod, callDeclared, kindOf } from './methods';
import { LangError } from './operators';
import { FN_INFO, RangeValue, Tuple, typeName, type NablaFunction, type Value } from './values';

/**
 * Attributes, methods and indexing. Tensor attributes follow PyTorch (`x.grad`, `x.requires_grad`, `x.shape`,
 * `x.T`); every builtin whose first argument is a tensor is also a method; runtime objects expose their
 * JS members under snake_case or camelCase names.
 */
export type BuiltinLookup = (name: string) => Value | undefined;

class GradFnView {
  constructor(readonly node: nb.Node) {}
  toString() {
    return `<${this.node.gradName}>`;
  }
  get name() {
    return this.node.gradName;
  }
}

const TENSOR_ATTRS: Record<string, (t: Tensor) => Value> = {
  shape: (t) => [...t.shape],
  grad: (t) => t.grad,
  requires_grad: (t) => t.requiresGrad,
  is_leaf: (t) => t.isLeaf,
  grad_fn: (t) => (t.gradFn ? new GradFnView(t.gradFn) : null),
  dtype: (t) => t.dtype,
  ndim: (t) => t.rank,
  size: (t) => t.size,
  T: (t) => t.T,
  H: (t) => t.H,
  version: (t) => t.version,
};

/** The builtin groups whose functions of a tensor read as its methods (not io's print or range, not plot). */
const TENSOR_METHOD_GROUPS = new Set(['math', 'reductions', 'shape', 'linalg', 'complex', 'tensors', 'autodiff']);

/**
 * Builtins that read as tensor methods (`x.sum(axis=0)`, `W.matmul(x)`, `x.flip(0)`): those whose first
 * parameter is the tensor — the op registry's say so themselves (their first input is a tensor); the
 * hand-written ones by group and first parameter name.
 */
export const isTensorMethodBuiltin = (b: Value): boolean => {
  if (typeof b !== 'function') return false;
  const info = (b as NablaFunction)[FN_INFO];
  if (info?.tensorFirst) return true;
  const first = info?.params[0];
  return TENSOR_METHOD_GROUPS.has(info?.group ?? '') && (first === 'x' || first === 'z' || first === 'a');
};

/** Every name `v.` offers: declared methods and attributes (completion reads this, so it offers only what works). */
export function memberNames(v: Value, builtinNames: readonly string[], builtin: BuiltinLookup): string[] {
  if (v instanceof GradFnView) return ['name'];
  const kind = kindOf(v);
  const names = kind ? [...Object.keys(kind.methods), ...Object.keys(kind.attrs)] : [];
  if (v instanceof Tensor)
    names.push(
      ...Object.keys(TENSOR_ATTRS),
      ...builtinNames.filter((n) => !(n in TENSOR_ATTRS) && isTensorMethodBuiltin(builtin(n))),
    );
  if (!kind && v && typeof v === 'object' && !Array.isArray(v)) names.push(...dataKeys(v as object));
  return [...new Set(names)];
}

/** The plain data of an object with no declared kind (a value displayed, e.g. compile_info): its own enumerable fields. */
const dataKeys = (o: object) =>
  Object.keys(o)
    .filter((k) => !k.startsWith('_') && typeof (o as Record<string, unknown>)[k] !== 'function')
    .map(snake);
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function noAttribute(v: Value, name: string, builtin: BuiltinLookup, builtinNames: () => readonly string[]): LangError {
  const what = v instanceof Tensor ? 'tensor' : (kindOf(v)?.kind ?? typeName(v));
  return new LangError(
    `${article(what)} ${what} has no attribute '${name}'${didYouMean(name, memberNames(v, builtinNames(), builtin), METHOD_ALIASES)}`,
    'AttributeError',
  );
}

/** Method names from PyTorch and TensorFlow, under the name they have here. */
const METHOD_ALIASES: Readonly<Record<string, readonly string[]>> = {
  tolist: ['numpy', 'to_list', 'as_list'],
  item: ['value', 'scalar'],
  zero_grad: ['zero_grads', 'clear_grad', 'zerograd'],
  gradient: ['grad', 'gradients'],
  param_groups: ['groups'],
  lr: ['learning_rate', 'learningrate', 'step_size'],
  params: ['parameters', 'weights', 'trainable_variables', 'variables'],
};

export function getAttr(
  v: Value,
  name: string,
  builtin: BuiltinLookup,
  builtinNames: () => readonly string[] = () => [],
): Value {
  // x.size is the element count; x.size() (a call, in callMethod) the shape, as in both PyTorch and tfjs
  if (v instanceof Tensor && name in TENSOR_ATTRS) return TENSOR_ATTRS[name](v);
  const kind = kindOf(v);
  if (kind) {
    const m = kind.methods[name];
    if (m) return boundMethod(kind, name, m, v);
    const a = kind.attrs[name];
    if (a) return a(v);
  }
  if (v instanceof Tensor) {
    const b = builtin(name);
    if (isTensorMethodBuiltin(b)) return builtinMethod(b as NablaFunction, v);
  } else if (v instanceof GradFnView) {
    if (name === 'name') return v.name;
  } else if (!kind && v && typeof v === 'object' && !Array.isArray(v)) {
    const obj = v as Record<string, Value>;
    for (const key of [name, camel(name)]) {
      if (Object.prototype.hasOwnProperty.call(obj, key) && !key.startsWith('_') && typeof obj[key] !== 'function')
        return obj[key];
    }
  }
  throw noAttribute(v, name, builtin, builtinNames);
}

export function callMethod(
  v: Value,
  name: string,
  args: Value[],
  kw: Map<string, Value> | null,
  builtin: BuiltinLookup,
  builtinNames?: () => readonly string[],
): Value {
  const kind = kindOf(v);
  const m = kind?.methods[name];
  if (m) return callDeclared(kind!, name, m, v, args, kw);
  if (v instanceof Tensor && !(name in TENSOR_ATTRS)) {
    const b = builtin(name);
    if (isTensorMethodBuiltin(b)) {
      checkMethodArity(b as NablaFunction, args.length);
      return callValue(b, [v, ...args], kw, name);
    }
  }
  return callValue(getAttr(v, name, builtin, builtinNames), args, kw, `${name}`);
}

const article = (w: string) => (/^[aeiou]/.test(w) ? 'an' : 'a');

/** x.sum(1, 2, 3, 4): counted without the tensor itself, as the user wrote the call. */
function checkMethodArity(b: NablaFunction, given: number): void {
  const params = b[FN_INFO]!.params.slice(1);
  if (params.some((p) => p.startsWith('*')) || given <= params.length) return;
  throw new LangError(
    `x.${b[FN_INFO]!.name}() takes ${params.length ? `at most ${params.length}` : 'no'} argument${params.length === 1 ? '' : 's'} (${params.join(', ')}) but ${given} ${given === 1 ? 'was' : 'were'} given`,
  );
}

export function setAttr(v: Value, name: string, x: Value): void {
  if (v instanceof Tensor) {
    if (name === 'grad') {
      if (x !== null && !(x instanceof Tensor)) throw new LangError('.grad must be a tensor or none');
      nb.assignGrad(v, x as Tensor | null);
      return;
    }
    if (name === 'requires_grad') {
      if (!v.isLeaf)
        throw new LangError(
          'requires_grad can be changed only on a leaf tensor; use detach() to get a new leaf',
          'ValueError',
        );
      v.requiresGrad = !!x;
      return;
    }
    throw new LangError(`cannot set attribute '${name}' of a tensor`, 'AttributeError');
  }
  const kind = kindOf(v);
  const set = kind?.setters?.[name];
  if (set) return set(v, x);
  if (!kind && v && typeof v === 'object' && !Array.isArray(v)) {
    // a plain record (a parameter group): its existing fields may change, as opt.param_groups[0].lr = 0.01
    const obj = v as Record<string, Value>;
    const key = [name, camel(name)].find(
      (k) => Object.prototype.hasOwnProperty.call(obj, k) && !k.startsWith('_') && typeof obj[k] !== 'function',
    );
    if (key !== undefined && (typeof obj[key] === typeof x || obj[key] === null || x === null)) {
      obj[key] = x;
      return;
    }
  }
  // a runtime object's fields are its own state: an assignment it would not read is refused, not ignored
  const what = kind?.kind ?? typeName(v);
  const settable = Object.keys(kind?.setters ?? {});
  const hint = settable.length
    ? didYouMean(name, settable, METHOD_ALIASES) || ` (it can set: ${settable.join(', ')})`
    : '';
  throw new LangError(`cannot set attribute '${name}' of ${article(what)} ${what}${hint}`, 'AttributeError');
}

/** The settable names of a runtime object, snake_cased: its own data properties and its setters. */
function writableNames(obj: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(o))) {
      if (k.startsWith('_') || k === 'constructor') continue;
      if (d.set || ('value' in d && d.writable && typeof d.value !== 'function'))
        names.add(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    }
  }
  return [...names];
}

export type IndexKey = Value | { slice: [number | null, number | null, number | null] };
export const isSliceKey = (k: IndexKey): k is { slice: [number | null, number | null, number | null] } =>
  !!k && typeof k === 'object' && 'slice' in (k as object) && !(k instanceof Tensor) && !(k instanceof Map);

function tensorItems(keys: IndexKey[]): nb.IndexItem[] {
  return keys.map((k) => {
    if (isSliceKey(k)) return { start: k.slice[0], stop: k.slice[1], step: k.slice[2] };
    if (typeof k === 'number' || k === null || k instanceof Tensor) return k as nb.IndexItem;
    if (typeof k === 'boolean') return k ? 1 : 0;
    if (Array.isArray(k)) return k as number[];
    throw new LangError(`a tensor cannot be indexed by a ${typeName(k)}`, 'IndexError');
  });
}

function seqIndex(n: number, k: IndexKey, what: string): number {
  if (typeof k !== 'number' || !Number.isInteger(k))
    throw new LangError(`a ${what} index must be an integer, got ${typeName(k)}`, 'IndexError');
  const i = k < 0 ? n + k : k;
  if (i < 0 || i >= n) throw new LangError(`index ${k} is out of range for a ${what} of length ${n}`, 'IndexError');
  return i;
}

function sliceSeq<T>(items: readonly T[], k: { slice: [number | null, number | null, number | null] }): T[] {
  const [a, b, s] = k.slice;
  const n = items.length;
  const norm = (v: number | null, d: number) => (v === null ? d : Math.min(Math.max(v < 0 ? v + n : v, 0), n));
  const out: T[] = [];
  for (let i = norm(a, 0); i < norm(b, n); i += s ?? 1) out.push(items[i]);
  return out;
}

export function getIndex(v: Value, keys: IndexKey[]): Value {
  if (v instanceof Tensor) return nb.index(v, tensorItems(keys));
  if (keys.length !== 1) throw new LangError(`a ${typeName(v)} takes one index, got ${keys.length}`, 'IndexError');
  const k = keys[0];
  if (Array.isArray(v) || v instanceof Tuple || typeof v === 'string') {
    const items = Array.isArray(v) ? v : v instanceof Tuple ? v.items : [...v];
    if (isSliceKey(k)) {
      const r = sliceSeq(items, k);
      return typeof v === 'string' ? r.join('') : v instanceof Tuple ? new Tuple(r) : r;
    }
    return items[seqIndex(items.length, k, typeName(v))];
  }
  if (v instanceof RangeValue) return v.start + seqIndex(v.length, k, 'range') * v.step;
  if (v instanceof Map) {
    if (!v.has(k)) throw new LangError(`the map has no key ${String(k)}`, 'KeyError');
    return v.get(k);
  }
  throw new LangError(`a ${typeName(v)} cannot be indexed`, 'TypeError');
}

export function setIndex(v: Value, keys: IndexKey[], x: Value): void {
  if (v instanceof Tensor) {
    const view = nb.index(v, tensorItems(keys));
    if (view.storage !== v.storage)
      throw new LangError(
        'assignment through an integer-list index is not supported; use where(...) to build a new tensor',
        'IndexError',
      );
    nb.inplace(view, () => (x instanceof Tensor ? x : nb.full([], x as number, { dtype: v.dtype })), '[]=');
    v.storage.version = view.storage.version;
    return;
  }
  if (Array.isArray(v)) {
    v[seqIndex(v.length, keys[0], 'list')] = x;
    return;
  }
  if (v instanceof Map) {
    v.set(keys[0], x);
    return;
  }
  throw new LangError(`cannot assign into a ${typeName(v)} by index`);
}
