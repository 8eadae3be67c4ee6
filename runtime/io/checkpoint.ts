import { unzipSync, zipSync } from 'fflate';
import { valueError } from '../errors';
import { Tensor } from '../tensor';
import { decodeNpy, encodeNpy, encodeBytesNpy } from './npy';

/**
 * Checkpoints as .npz (a zip of .npy files, what numpy.savez writes and numpy.load reads). Nested maps and
 * lists are flattened to dotted keys, PyTorch's state_dict convention (`layers.0.weight`,
 * `state.0.exp_avg`), one .npy per tensor or number. A flat map of string keys to tensors (a model's
 * state_dict) is stored as exactly those arrays, so numpy.load + torch.from_numpy gives a torch state_dict.
 * Anything else also stores `__structure__.npy`: the JSON tree of the value (UTF-8 bytes as uint8), so load
 * gives back the same nesting, key types, strings, booleans and none.
 */
export const STRUCTURE_KEY = '__structure__';
/** Bounds nesting (a cyclic or absurdly deep value is an error, not a stack overflow). */
const MAX_DEPTH = 64;
const MAX_ENTRIES = 1_000_000;

type Node =
  | { a: string } // a tensor, stored under that key
  | { n: string } // a number, stored as a 0-d float64 array under that key
  | { s: string }
  | { b: boolean }
  | { none: 1 }
  | { list: Node[] }
  | { tuple: Node[] }
  | { map: [string | number, Node][] };

/** How the caller's tuples look (the language has its own Tuple class; the runtime knows only arrays). */
export interface TupleCodec {
  is(v: unknown): boolean;
  items(v: unknown): readonly unknown[];
  make(items: unknown[]): unknown;
}

const isStateDict = (v: unknown): v is Map<string, Tensor> =>
  v instanceof Map &&
  [...v].every(([k, x]) => typeof k === 'string' && k !== STRUCTURE_KEY && k !== '' && x instanceof Tensor);

export function encodeCheckpoint(value: unknown, file: string, tuples?: TupleCodec): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  const put = (key: string, t: Tensor) => {
    let k = key || 'value';
    for (let i = 1; `${k}.npy` in entries || k === STRUCTURE_KEY; i++) k = `${key || 'value'}~${i}`;
    if (Object.keys(entries).length >= MAX_ENTRIES)
      throw valueError('save', `${file}: more than ${MAX_ENTRIES} arrays`);
    entries[`${k}.npy`] = encodeNpy(t);
    return k;
  };
  if (isStateDict(value)) {
    for (const [k, t] of value) entries[`${k}.npy`] = encodeNpy(t);
    return zipSync(entries, { level: 0 });
  }
  const inside = new Set<unknown>();
  const walk = (v: unknown, path: string, depth: number): Node => {
    if (depth > MAX_DEPTH) throw valueError('save', `${file}: the value is nested more than ${MAX_DEPTH} levels deep`);
    if (v instanceof Tensor) return { a: put(path, v) };
    if (typeof v === 'number') return { n: put(path, Tensor.fromHost(new Float64Array([v]), [], 'float64', 'save')) };
    if (typeof v === 'string') return { s: v };
    if (typeof v === 'boolean') return { b: v };
    if (v === null || v === undefined) return { none: 1 };
    const join = (k: string | number) => (path ? `${path}.${k}` : String(k));
    if (inside.has(v)) throw valueError('save', `${file}: the value contains itself, which a file cannot hold`);
    inside.add(v);
    try {
      if (Array.isArray(v)) return { list: v.map((x, i) => walk(x, join(i), depth + 1)) };
      if (tuples?.is(v)) return { tuple: tuples.items(v).map((x, i) => walk(x, join(i), depth + 1)) };
      if (v instanceof Map) {
        return {
          map: [...v].map(([k, x]) => {
            if (typeof k !== 'string' && typeof k !== 'number')
              throw valueError(
                'save',
                `${file}: map keys must be strings or numbers to be saved, got a ${k instanceof Tensor ? 'tensor' : typeof k}`,
              );
            return [k, walk(x, join(k), depth + 1)] as [string | number, Node];
          }),
        };
      }
    } finally {
      inside.delete(v);
    }
    const what = typeof v === 'function' ? 'function' : ((v as object).constructor?.name ?? typeof v);
    throw valueError(
      'save',
      `${file}: cannot save a ${what}; save tensors, numbers, strings, lists and maps of them (a model or an optimizer saves its state_dict())`,
    );
  };
  const root = walk(value, '', 0);
  entries[`${STRUCTURE_KEY}.npy`] = encodeBytesNpy(
    new TextEncoder().encode(JSON.stringify({ format: 'nabla-checkpoint', version: 1, root })),
  );
  return zipSync(entries, { level: 0 });
}

/** The value a checkpoint holds: its structure when it has one, else a map of its arrays (a state_dict). */
export function decodeCheckpoint(bytes: Uint8Array, file: string, tuples?: TupleCodec): unknown {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw valueError(
      'load',
      `${file}: not a valid .npz file (its zip container could not be read: ${(e as Error).message})`,
    );
  }
  const arrays = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith('.npy'))
      throw valueError('load', `${file}: the .npz holds '${name}', which is not an .npy array`);
    arrays.set(name.slice(0, -4), data);
  }
  const array = (key: string): Tensor => {
    const data = arrays.get(key);
    if (!data)
      throw valueError(
        'load',
        `${file}: the checkpoint's structure names an array '${key}' that the file does not hold (damaged?)`,
      );
    return decodeNpy(data, `${file}[${key}]`);
  };
  const structure = arrays.get(STRUCTURE_KEY);
  if (!structure) return new Map([...arrays.keys()].map((k) => [k, array(k)]));
  let tree: { format?: string; root?: Node };
  try {
    const bytesOf = decodeNpy(structure, `${file}[${STRUCTURE_KEY}]`).toHost();
    tree = JSON.parse(new TextDecoder().decode(Uint8Array.from(bytesOf)));
  } catch (e) {
    throw valueError(
      'load',
      `${file}: its ${STRUCTURE_KEY} entry is not valid (${(e as Error).message.replace(/^load: /, '')})`,
    );
  }
  if (tree?.format !== 'nabla-checkpoint' || !tree.root)
    throw valueError('load', `${file}: its ${STRUCTURE_KEY} entry is not a Nabla checkpoint structure`);
  const build = (n: Node, depth: number): unknown => {
    if (depth > MAX_DEPTH || !n || typeof n !== 'object')
      throw valueError('load', `${file}: its structure is malformed`);
    if ('a' in n) return array(n.a);
    if ('n' in n) return array(n.n).toHost()[0];
    if ('s' in n) return String(n.s);
    if ('b' in n) return !!n.b;
    if ('none' in n) return null;
    if ('list' in n && Array.isArray(n.list)) return n.list.map((x) => build(x, depth + 1));
    if ('tuple' in n && Array.isArray(n.tuple)) {
      const items = n.tuple.map((x) => build(x, depth + 1));
      return tuples ? tuples.make(items) : items;
    }
    if ('map' in n && Array.isArray(n.map)) return new Map(n.map.map(([k, x]) => [k, build(x, depth + 1)]));
    throw valueError('load', `${file}: its structure is malformed`);
  };
  return build(tree.root, 0);
}
