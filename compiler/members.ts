import * as nb from '../runtime';
import { Tensor } from '../runtime';
import { dtypeOf } from './builtins/dtype';
import { camel, callValue } from './call';
import { LangError } from './operators';
import { RangeValue, Tuple, typeName, type Value } from './values';

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

const TENSOR_METHODS: Record<string, (t: Tensor, args: Value[], kw: Map<string, Value> | null) => Value> = {
  item: (t) => {
    const v = t.item();
    return Array.isArray(v) ? nb.complex(nb.tensor(v[0]), nb.tensor(v[1])) : v;
  },
  tolist: (t) => t.tolist(),
  backward: (t, args, kw) => {
    nb.backward(t, {
      gradTensors: (args[0] as Tensor | undefined) ?? (kw?.get('gradient') as Tensor | undefined) ?? null,
      retainGraph: !!kw?.get('retain_graph'),
      createGraph: !!kw?.get('create_graph'),
      inputs: (kw?.get('inputs') as Tensor[] | undefined) ?? null,
    });
    return null;
  },
  register_hook: (t, [fn]) => {
    if (typeof fn !== 'function') throw new LangError('register_hook needs a function, e.g. x.register_hook(fn(g) = -g)');
    return nb.registerHook(t, (g) => (fn as (g: Tensor) => Tensor)(g));
  },
  retain_grad: (t) => (nb.retainGrad(t), null),
  requires_grad_: (t, [flag]) => {
    t.requiresGrad = flag === undefined ? true : !!flag;
    return t;
  },
  zero_: (t) => nb.inplace(t, (s) => nb.mul(s, 0), 'zero_'),
  double: (t, args, kw) => (noArgs('double', args, kw), nb.cast(t, 'float64')),
  float: (t, args, kw) => (noArgs('float', args, kw), nb.cast(t, 'float32')),
  to: (t, args, kw) => {
    const bad = kw && [...kw.keys()].find((k) => k !== 'dtype');
    if (bad) throw new LangError(`to() has no parameter named '${bad}' (its parameters: dtype)`);
    if (args.length + (kw?.size ?? 0) !== 1) throw new LangError(`to() takes 1 argument (a dtype such as "float64") but ${args.length + (kw?.size ?? 0)} were given`);
    return nb.cast(t, dtypeOf(args[0] ?? kw!.get('dtype'), 'to'));
  },
  numel: (t) => t.size,
  dim: (t) => t.rank,
  size: (t, [d]) => (d === undefined ? [...t.shape] : t.shape[(d as number) < 0 ? t.rank + (d as number) : (d as number)]),
};

function noArgs(name: string, args: Value[], kw: Map<string, Value> | null): void {
  if (args.length || kw?.size) throw new LangError(`${name}() takes no arguments (x.${name}() converts x)`);
}

export function getAttr(v: Value, name: string, builtin: BuiltinLookup): Value {
  if (v instanceof Tensor) {
    const a = TENSOR_ATTRS[name];
    if (a) return a(v);
    const m = TENSOR_METHODS[name];
    if (m) return (...args: Value[]) => m(v, args, null);
    const b = builtin(name);
    if (typeof b === 'function') return (...args: Value[]) => (b as (...a: Value[]) => Value)(v, ...args);
    throw new LangError(`a tensor has no attribute '${name}'`, 'AttributeError');
  }
  if (v instanceof GradFnView) {
    if (name === 'name') return v.name;
    throw new LangError(`grad_fn has no attribute '${name}'`, 'AttributeError');
  }
  if (v && (typeof v === 'object' || typeof v === 'function')) {
    const obj = v as Record<string, Value>;
    for (const key of [name, camel(name)]) {
      if (key in obj && !key.startsWith('_')) {
        const x = obj[key];
        // class methods need their object; own properties (a model's act, a stored function) are values
        const own = Object.prototype.hasOwnProperty.call(obj, key);
        return typeof x === 'function' && !own ? (x as (...a: Value[]) => Value).bind(v) : x;
      }
    }
  }
  throw new LangError(`a ${typeName(v)} has no attribute '${name}'`, 'AttributeError');
}

export function callMethod(v: Value, name: string, args: Value[], kw: Map<string, Value> | null, builtin: BuiltinLookup): Value {
  if (v instanceof Tensor) {
    const m = TENSOR_METHODS[name];
    if (m) return m(v, args, kw);
    const b = builtin(name);
    if (typeof b === 'function') return callValue(b, [v, ...args], kw, name);
  }
  if (Array.isArray(v)) {
    if (name === 'append') return v.push(args[0]), null;
    if (name === 'pop') return v.pop();
    if (name === 'len') return v.length;
  }
  if (v instanceof Map) {
    if (name === 'keys') return [...v.keys()];
    if (name === 'values') return [...v.values()];
    if (name === 'get') return v.has(args[0]) ? v.get(args[0]) : (args[1] ?? null);
  }
  return callValue(getAttr(v, name, builtin), args, kw, `${name}`);
}

export function setAttr(v: Value, name: string, x: Value): void {
  if (v instanceof Tensor) {
    if (name === 'grad') {
      if (x !== null && !(x instanceof Tensor)) throw new LangError('.grad must be a tensor or none');
      nb.assignGrad(v, x as Tensor | null);
      return;
    }
    if (name === 'requires_grad') {
      if (!v.isLeaf) throw new LangError('requires_grad can be changed only on a leaf tensor; use detach() to get a new leaf', 'ValueError');
      v.requiresGrad = !!x;
      return;
    }
    throw new LangError(`cannot set attribute '${name}' of a tensor`, 'AttributeError');
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const obj = v as Record<string, Value>;
    const key = name in obj ? name : camel(name) in obj ? camel(name) : null;
    // a runtime object (optimizer, tape, parameter group) takes writes only to what it has: a new name would
    // be stored and never read, a silent wrong answer (opt.learning_rate = 0.1)
    if (key === null || key.startsWith('_') || (typeof obj[key] === 'function' && !Object.prototype.hasOwnProperty.call(obj, key))) {
      const known = writableNames(obj);
      const near = known.find((k) => k.includes(name) || name.includes(k));
      throw new LangError(`${/^[AEIOU]/.test(typeName(v)) ? 'an' : 'a'} ${typeName(v)} has no attribute '${name}' to set${near ? ` (did you mean '${near}'?)` : known.length ? ` (it has: ${known.join(', ')})` : ''}`, 'AttributeError');
    }
    obj[key] = x;
    return;
  }
  throw new LangError(`cannot set attribute '${name}' of a ${typeName(v)}`, 'AttributeError');
}

/** The settable names of a runtime object, snake_cased: its own data properties and its setters. */
function writableNames(obj: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(o))) {
      if (k.startsWith('_') || k === 'constructor') continue;
      if (d.set || ('value' in d && d.writable && typeof d.value !== 'function')) names.add(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
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
  if (typeof k !== 'number' || !Number.isInteger(k)) throw new LangError(`a ${what} index must be an integer, got ${typeName(k)}`, 'IndexError');
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
    if (view.storage !== v.storage) throw new LangError('assignment through an integer-list index is not supported; use where(...) to build a new tensor', 'IndexError');
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
