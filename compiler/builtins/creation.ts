import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { LangError } from '../operators';
import { LITERAL_DATA, type Value } from '../values';
import { asInt, asNumber, asShape, asTensor } from './convert';
import { dtypeOf } from './dtype';
import type { BuiltinTable } from './table';

/** The numbers as written: a literal's own digits, a tensor's values, or nested lists of either. */
function exactData(d: Value): Value {
  if (d instanceof Tensor) return LITERAL_DATA.get(d) ?? d.tolist();
  if (Array.isArray(d)) return d.map(exactData);
  return d;
}

/** An empty tensor keeps its shape ([0, 3]), which its list ([]) cannot carry. */
function emptyCopy(d: Value, dtype: nb.DType | undefined, requiresGrad: boolean): Tensor | null {
  if (!(d instanceof Tensor) || !d.shape.includes(0)) return null;
  return nb.full(d.shape, 0, { dtype: dtype ?? d.dtype, requiresGrad }, 'tensor');
}

const seedOf = (v: Value, fn: string) => (v === null ? null : asInt(v, fn, 'seed'));

/** Creation builtins; random ones take seed= (or use the generator that seed(n) resets). */
export function addCreation(t: BuiltinTable): void {
  t.add(
    'tensors',
    'tensor',
    ['data', 'requires_grad=false', 'dtype=none'],
    'A tensor from a number or (nested) list. requires_grad=true makes it a leaf that collects .grad.',
    (d: Value, rg: Value, dt: Value) => {
      if (d instanceof Tensor && dt === null && !LITERAL_DATA.has(d)) return nb.tensor(d, { requiresGrad: !!rg });
      if (d instanceof Tensor && d.dtype === 'complex64') {
        // its tolist() is [re, im] pairs, which would read as one more real dimension
        if (dt !== 'complex64')
          throw new LangError(
            `tensor: the data is complex; take real(z), imag(z) or abs(z) for a real tensor`,
            'ValueError',
          );
        return nb.tensor(d, { requiresGrad: !!rg });
      }
      return (
        emptyCopy(d, dtypeOf(dt, 'tensor'), !!rg) ??
        nb.tensor(exactData(d), { dtype: dtypeOf(dt, 'tensor'), requiresGrad: !!rg })
      );
    },
  );
  t.add(
    'tensors',
    'param',
    ['data', 'dtype=none'],
    'A trainable leaf (requires grad; tapes and optimizers see it without a watch).',
    (d: Value, dt: Value) =>
      emptyCopy(d, dtypeOf(dt, 'param'), true) ?? nb.param(exactData(d), { dtype: dtypeOf(dt, 'param') }),
  );
  for (const [name, fill] of [
    ['zeros', 0],
    ['ones', 1],
  ] as const) {
    t.add(
      'tensors',
      name,
      ['*shape', 'dtype=none', 'requires_grad=false'],
      `A tensor of ${fill}s: ${name}(2, 3) or ${name}([2, 3]).`,
      (s: Value[], dt: Value, rg: Value) =>
        nb.full(asShape(s, name), fill, { dtype: dtypeOf(dt, name), requiresGrad: !!rg }, name),
    );
    t.add(
      'tensors',
      `${name}_like`,
      ['x', 'dtype=none'],
      `${name} with the shape and dtype of x (or dtype=).`,
      (x: Value, dt: Value) => {
        const like = asTensor(x, `${name}_like`);
        return nb.full(
          like.shape,
          fill,
          { dtype: dt === null ? like.dtype : dtypeOf(dt, `${name}_like`) },
          `${name}_like`,
        );
      },
    );
  }
  t.add(
    'tensors',
    'full',
    ['shape', 'value', 'dtype=none'],
    'A tensor of the given shape filled with value.',
    (s: Value, v: Value, dt: Value) =>
      nb.full(asShape([s], 'full'), asNumber(v, 'full', 'value'), { dtype: dtypeOf(dt, 'full') }),
  );
  t.add(
    'tensors',
    'eye',
    ['n', 'm=none', 'dtype=none'],
    'The identity matrix (n × m).',
    (n: Value, m: Value, dt: Value) =>
      nb.eye(asInt(n, 'eye', 'n'), m === null ? asInt(n, 'eye', 'n') : asInt(m, 'eye', 'm'), {
        dtype: dtypeOf(dt, 'eye'),
      }),
  );
  t.add(
    'tensors',
    'arange',
    ['start', 'stop=none', 'step=1', 'dtype=none'],
    'Evenly spaced values in [start, stop).',
    (a: Value, b: Value, s: Value, dt: Value) =>
      nb.arange(
        asNumber(a, 'arange', 'start'),
        b === null ? undefined : asNumber(b, 'arange', 'stop'),
        asNumber(s, 'arange', 'step'),
        { dtype: dtypeOf(dt, 'arange') },
      ),
  );
  t.add(
    'tensors',
    'linspace',
    ['start', 'stop', 'n', 'dtype=none'],
    'n evenly spaced values from start to stop, inclusive (computed in float64, rounded once to dtype).',
    (a: Value, b: Value, n: Value, dt: Value) =>
      nb.linspace(asNumber(a, 'linspace', 'start'), asNumber(b, 'linspace', 'stop'), asInt(n, 'linspace', 'n'), {
        dtype: dtypeOf(dt, 'linspace'),
      }),
  );
  t.add(
    'random',
    'rand',
    ['*shape', 'seed=none', 'dtype=none'],
    'Uniform random values in [0, 1).',
    (s: Value[], seed: Value, dt: Value) =>
      nb.rand(asShape(s, 'rand'), { seed: seedOf(seed, 'rand'), dtype: dtypeOf(dt, 'rand') }),
  );
  t.add(
    'random',
    'randn',
    ['*shape', 'seed=none', 'dtype=none'],
    'Standard normal random values.',
    (s: Value[], seed: Value, dt: Value) =>
      nb.randn(asShape(s, 'randn'), { seed: seedOf(seed, 'randn'), dtype: dtypeOf(dt, 'randn') }),
  );
  t.add(
    'random',
    'seed',
    ['n'],
    'Resets the global random generator, so draws repeat.',
    (n: Value) => (nb.seed(asInt(n, 'seed', 'n')), null),
  );
}
