import { lanes } from '../dtype';
import { typeError, valueError } from '../errors';
import { Tensor } from '../tensor';
import { writable } from '../optim/optimizer';

/**
 * state_dict() and load_state_dict(d) for models, with PyTorch's names and layouts: a linear layer's
 * `weight` is [out, in] (Nabla computes with [in, out], so it is transposed on the way), an mlp's layers are
 * `layers.0.weight`, `layers.0.bias`, ... — the keys of a torch module holding its Linear layers in a
 * ModuleList named `layers` (in an nn.Sequential with activations between them, layer i is entry 2i).
 */
export interface StateEntry {
  key: string;
  param: Tensor;
  /** Stored transposed (Nabla's [in, out] weight as torch's [out, in]). */
  transposed: boolean;
}

function transposed2d(t: Tensor, host: ArrayLike<number>): Tensor {
  const [r, c] = t.shape;
  const out = new (t.dtype === 'float64' ? Float64Array : Float32Array)(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = host[i * c + j];
  return Tensor.fromHost(out, [c, r], t.dtype, 'state_dict');
}

export function stateDictOf(entries: readonly StateEntry[]): Map<string, Tensor> {
  return new Map(
    entries.map((e) => [
      e.key,
      e.transposed
        ? transposed2d(e.param, e.param.toHost())
        : Tensor.fromHost(e.param.toHost(), e.param.shape, e.param.dtype, 'state_dict'),
    ]),
  );
}

/** Copies the values of `d` (a map or object of tensors, torch layout) into the params, in place. */
export function loadStateDictInto(model: string, entries: readonly StateEntry[], d: unknown, strict = true): void {
  const items: [string, unknown][] = d instanceof Map ? [...d] : d && typeof d === 'object' ? Object.entries(d) : [];
  if (!(d instanceof Map) && !(d && typeof d === 'object'))
    throw typeError(`${model}.load_state_dict`, 'give the map that state_dict() or load(file) returned');
  const given = new Map(items.map(([k, v]) => [String(k), v]));
  const expected = entries.map((e) => e.key);
  const missing = expected.filter((k) => !given.has(k));
  const unexpected = [...given.keys()].filter((k) => !expected.includes(k));
  if (strict && (missing.length || unexpected.length)) {
    const parts = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unexpected.length ? `unexpected ${unexpected.join(', ')}` : '',
    ].filter(Boolean);
    throw valueError(
      `${model}.load_state_dict`,
      `the keys do not match this model's (${parts.join('; ')}); its keys are ${expected.join(', ')}`,
    );
  }
  // check everything before writing anything, so a mistake leaves the model as it was
  const writes: [StateEntry, Tensor][] = [];
  for (const e of entries) {
    const v = given.get(e.key);
    if (v === undefined) continue;
    if (!(v instanceof Tensor)) throw typeError(`${model}.load_state_dict`, `'${e.key}' must be a tensor`);
    const want = e.transposed ? [...e.param.shape].reverse() : e.param.shape;
    if (v.shape.length !== want.length || v.shape.some((n, i) => n !== want[i])) {
      throw valueError(
        `${model}.load_state_dict`,
        `'${e.key}' has shape [${v.shape.join(', ')}] but this model's is [${want.join(', ')}]${e.transposed ? ' (torch layout [out, in])' : ''}`,
      );
    }
    if (lanes(v.dtype) !== lanes(e.param.dtype))
      throw typeError(`${model}.load_state_dict`, `'${e.key}' is ${v.dtype} but the parameter is ${e.param.dtype}`);
    writes.push([e, v]);
  }
  for (const [e, v] of writes) {
    const src = e.transposed ? transposed2d(v, v.toHost()).toHost() : v.toHost();
    const w = writable(e.param, 'load_state_dict');
    w.data.set(src);
    w.commit();
  }
}

/** Gives a model its state_dict() and load_state_dict(d) (not enumerable: they are methods, not data). */
export function attachState<M extends object>(model: M, name: string, entries: () => StateEntry[]): M {
  const noArgs = (extra: unknown[]) => {
    if (extra.length) throw typeError(`${name}.state_dict`, 'takes no arguments');
  };
  Object.defineProperty(model, 'stateDict', {
    value: (...extra: unknown[]) => (noArgs(extra), stateDictOf(entries())),
  });
  Object.defineProperty(model, 'loadStateDict', {
    value: (d: unknown, ...extra: unknown[]) => {
      const opts =
        extra.length === 1 && extra[0] && typeof extra[0] === 'object' && !(extra[0] instanceof Map)
          ? (extra[0] as { strict?: unknown })
          : null;
      if (extra.length > (opts ? 1 : 0) || (opts && Object.keys(opts).some((k) => k !== 'strict'))) {
        throw typeError(`${name}.load_state_dict`, 'takes the state map and optionally strict= (true by default)');
      }
      loadStateDictInto(name, entries(), d, opts?.strict === undefined ? true : !!opts.strict);
      return null;
    },
  });
  return model;
}
