import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { asNumber, asTensor, optionalAxis, asTensorList, asShape, asInt } from './convert';
import { addRegistry } from './registry';
import type { BuiltinTable } from './table';
import { LangError } from '../operators';
import { Tuple, type Value } from '../values';

/**
 * Reductions, shape ops, linear algebra and the elementwise builtins with rules of their own (pow, clamp,
 * where). Every other elementwise op is a registry builtin (./registry.ts). Numbers stay numbers.
 */
export function addMath(t: BuiltinTable): void {
  addRegistry(t);
  t.add('math', 'pow', ['x', 'p'], 'x to the power p (also x^p and x**p).', (x: Value, p: Value) =>
    typeof x === 'number' && typeof p === 'number'
      ? nb.libm.pow(x, p)
      : nb.pow(
          x instanceof Tensor ? x : asTensor(x, 'pow'),
          p instanceof Tensor ? p : asNumber(p, 'pow', 'the exponent'),
        ),
  );
  t.add(
    'math',
    'clamp',
    ['x', 'min=none', 'max=none'],
    'Limits x to [min, max]; the gradient is 1 inside and 0 outside.',
    (x: Value, lo: Value, hi: Value) =>
      nb.clamp(
        asTensor(x, 'clamp'),
        lo === null ? null : asNumber(lo, 'clamp', 'min'),
        hi === null ? null : asNumber(hi, 'clamp', 'max'),
      ),
  );
  t.add(
    'math',
    'where',
    ['cond', 'a', 'b'],
    "Elementwise choice: a where cond is true, else b. The gradient reaches only the chosen branch (but a NaN in the other branch's gradient still poisons it; detect_anomaly explains).",
    (c: Value, a: Value, b: Value) =>
      nb.where(
        c instanceof Tensor || typeof c === 'number' ? (c as Tensor) : asTensor(c, 'where', 'condition'),
        num(a, 'where'),
        num(b, 'where'),
      ),
  );
  for (const [name, reduce, pair] of [
    ['max', nb.max, nb.maximum],
    ['min', nb.min, nb.minimum],
  ] as const) {
    t.add(
      'reductions',
      name,
      ['x', 'y=none', 'axis=none', 'keepdim=false', 'indices=false'],
      `${name}(x) reduces a tensor (with axis= and keepdim=); ${name}(a, b) is elementwise. The gradient goes to the ${name}imal elements, split evenly among ties. With indices=true and an axis, it gives (values, indices), as torch.${name}(x, dim).`,
      (x: Value, y: Value, axis: Value, keepdim: Value, indices: Value) => {
        if (y !== null) {
          if (indices)
            throw new LangError(`${name}: indices=true goes with a reduction along axis=, not with a second argument`);
          if (typeof x === 'number' && typeof y === 'number') return name === 'max' ? Math.max(x, y) : Math.min(x, y);
          return pair(num(x, name), num(y, name));
        }
        const ax = optionalAxis(axis, name);
        const values = reduce(asTensor(x, name), { axis: ax, keepdim: !!keepdim });
        if (!indices) return values;
        if (typeof ax !== 'number')
          throw new LangError(`${name}: indices=true needs one axis, e.g. ${name}(x, axis=1, indices=true)`);
        const at = (name === 'max' ? nb.argmax : nb.argmin)(asTensor(x, name), { axis: ax, keepdim: !!keepdim });
        return new Tuple([values, at]);
      },
    );
  }
  for (const [name, fn, doc] of [
    ['sum', nb.sum, 'Sum of the elements (all, or along axis=, keeping the dimension with keepdim=true).'],
    ['mean', nb.mean, 'Mean of the elements (all, or along axis=).'],
  ] as const) {
    t.add('reductions', name, ['x', 'axis=none', 'keepdim=false'], doc, (x: Value, axis: Value, keepdim: Value) =>
      fn(asTensor(x, name), { axis: optionalAxis(axis, name), keepdim: !!keepdim }),
    );
  }
  t.add(
    'shape',
    'reshape',
    ['x', '*shape'],
    'The same values in a new shape (a view when possible); one entry may be -1. x.reshape(5, 1) works too.',
    (x: Value, s: Value[]) => nb.reshape(asTensor(x, 'reshape'), asShape(s, 'reshape')),
  );
  t.add(
    'shape',
    'transpose',
    ['x', 'a=-2', 'b=-1'],
    "Swaps two axes (by default the last two). x.T reverses all axes; W' is the conjugate transpose.",
    (x: Value, a: Value, b: Value) =>
      nb.transpose(asTensor(x, 'transpose'), asInt(a, 'transpose', 'a'), asInt(b, 'transpose', 'b')),
  );
  t.add('shape', 'permute', ['x', '*axes'], 'Reorders the axes.', (x: Value, s: Value[]) =>
    nb.permute(asTensor(x, 'permute'), asShape(s, 'permute')),
  );
  t.add(
    'shape',
    'squeeze',
    ['x', 'axis=none'],
    'Removes axes of size 1 (all, or the given one).',
    (x: Value, a: Value) => nb.squeeze(asTensor(x, 'squeeze'), a === null ? null : asInt(a, 'squeeze', 'axis')),
  );
  t.add('shape', 'unsqueeze', ['x', 'axis'], 'Inserts an axis of size 1.', (x: Value, a: Value) =>
    nb.unsqueeze(asTensor(x, 'unsqueeze'), asInt(a, 'unsqueeze', 'axis')),
  );
  t.add(
    'shape',
    'expand',
    ['x', '*shape'],
    'Broadcasts to a larger shape without copying; -1 keeps a dimension.',
    (x: Value, s: Value[]) => nb.expand(asTensor(x, 'expand'), asShape(s, 'expand')),
  );
  t.add('shape', 'flatten', ['x'], 'The values as one dimension.', (x: Value) => nb.flatten(asTensor(x, 'flatten')));
  t.add('shape', 'concat', ['tensors', 'axis=0'], 'Joins tensors along an existing axis.', (ts: Value, a: Value) =>
    nb.concat(asTensorList(ts, 'concat', 'the entries'), asInt(a, 'concat', 'axis')),
  );
  t.add(
    'shape',
    'stack',
    ['tensors', 'axis=0'],
    'Joins equal-shaped tensors along a new axis.',
    (ts: Value, a: Value) => nb.stack(asTensorList(ts, 'stack', 'the entries'), asInt(a, 'stack', 'axis')),
  );
  t.add(
    'linalg',
    'matmul',
    ['a', 'b'],
    "Matrix product (also a @ b), batched over leading axes. Gradients: dA = dY @ B', dB = A' @ dY.",
    (a: Value, b: Value) => nb.matmul(asTensor(a, 'matmul'), asTensor(b, 'matmul')),
  );
  t.add('linalg', 'outer', ['a', 'b'], 'Outer product of two vectors.', (a: Value, b: Value) =>
    nb.outer(asTensor(a, 'outer'), asTensor(b, 'outer')),
  );
  t.add('linalg', 'dot', ['a', 'b'], 'Dot product of two vectors.', (a: Value, b: Value) =>
    nb.dot(asTensor(a, 'dot'), asTensor(b, 'dot')),
  );
  t.add(
    'complex',
    'complex',
    ['re', 'im'],
    'A complex tensor from real and imaginary parts (also 1 + 2i).',
    (re: Value, im: Value) => nb.complex(asTensor(re, 'complex'), asTensor(im, 'complex')),
  );
  t.add('complex', 'real', ['z'], 'The real part.', (z: Value) =>
    typeof z === 'number' ? z : nb.real(asTensor(z, 'real')),
  );
  t.add('complex', 'imag', ['z'], 'The imaginary part.', (z: Value) =>
    typeof z === 'number' ? 0 : nb.imag(asTensor(z, 'imag')),
  );
  t.add('complex', 'conj', ['z'], 'The complex conjugate (the identity on real tensors).', (z: Value) =>
    typeof z === 'number' ? z : nb.conj(asTensor(z, 'conj')),
  );
  t.add('complex', 'angle', ['z'], 'The phase angle atan2(imag, real).', (z: Value) =>
    typeof z === 'number' ? (z < 0 ? Math.PI : 0) : nb.angle(asTensor(z, 'angle')),
  );
}

function num(v: Value, fn: string): Tensor | number {
  if (typeof v === 'number') return v;
  if (v instanceof Tensor) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new LangError(`${fn}: expected a tensor or a number`);
}
