import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { broadcastShapes } from '../../runtime/shape';
import { memberNames } from '../members';
import { kindOf } from '../methods';
import { LangError } from '../operators';
import { FN_INFO, show, truthy, typeName, type NablaFunction, type Value } from '../values';
import { asNumber, asTensor } from './convert';
import type { BuiltinContext, BuiltinTable } from './table';

/**
 * What teachers and checks need: clone, any/all, PyTorch's isclose/allclose (same defaults), assert, and
 * help(x), which prints what inspect in a notebook shows.
 */
function numbersOf(v: Value, fn: string, what: string): { data: ArrayLike<number>; shape: readonly number[] } {
  const t = asTensor(v, fn, what);
  if (t.dtype === 'complex64')
    throw new LangError(
      `${fn}: complex tensors are compared by their parts: use ${fn}(real(a), real(b)) and ${fn}(imag(a), imag(b))`,
    );
  return { data: t.toHost() as ArrayLike<number>, shape: t.shape };
}

/** torch.isclose: a == b (so inf == inf), or |a - b| <= atol + rtol·|b|; NaN is close to NaN only with equal_nan. */
function isclose(
  a: Value,
  b: Value,
  rtol: Value,
  atol: Value,
  equalNan: Value,
  fn: string,
): { close: boolean[]; shape: number[] } {
  const x = numbersOf(a, fn, 'first argument');
  const y = numbersOf(b, fn, 'second argument');
  const shape = broadcastShapes(x.shape, y.shape);
  if (!shape)
    throw new LangError(
      `${fn}: shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}] do not broadcast`,
      'ShapeError',
    );
  const r = asNumber(rtol, fn, 'rtol');
  const t = asNumber(atol, fn, 'atol');
  if (r < 0 || t < 0) throw new LangError(`${fn}: rtol and atol must not be negative`, 'ValueError');
  const n = shape.reduce((p, d) => p * d, 1);
  const at = (src: { data: ArrayLike<number>; shape: readonly number[] }, i: number) => {
    // the flat index i of the broadcast shape, read from a smaller (broadcast) source
    let off = 0;
    let stride = 1;
    let rest = i;
    const lead = shape.length - src.shape.length;
    const idx: number[] = new Array(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    for (let d = src.shape.length - 1; d >= 0; d--) {
      off += (src.shape[d] === 1 ? 0 : idx[d + lead]) * stride;
      stride *= src.shape[d];
    }
    return src.data[off];
  };
  const close: boolean[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const u = at(x, i);
    const v = at(y, i);
    close[i] =
      u === v || (Number.isNaN(u) && Number.isNaN(v) ? equalNan === true : Math.abs(u - v) <= t + r * Math.abs(v));
  }
  return { close, shape };
}

const closeParams = ['a', 'b', 'rtol=1e-5', 'atol=1e-8', 'equal_nan=false'];

export function addTeaching(t: BuiltinTable, ctx: BuiltinContext): void {
  t.add(
    'tensors',
    'clone',
    ['x'],
    'A copy of x with its own storage, differentiable (the gradient passes through unchanged), as torch.clone: keep a value that an in-place update or a compiled function would overwrite.',
    (x: Value) => nb.clone(asTensor(x, 'clone')),
  );
  t.add(
    'tensors',
    'isclose',
    closeParams,
    'Elementwise closeness, as torch.isclose with its defaults: a == b or |a - b| <= atol + rtol·|b| (a bool tensor; NaN is close to NaN only with equal_nan=true).',
    (a: Value, b: Value, r: Value, at: Value, en: Value) => {
      const { close, shape } = isclose(a, b, r, at, en, 'isclose');
      return nb.ne(nb.reshape(nb.tensor(close.map(Number)), shape), 0);
    },
  );
  t.add(
    'tensors',
    'allclose',
    closeParams,
    'true when every element is close (isclose), as torch.allclose with its defaults rtol=1e-5, atol=1e-8: `assert(allclose(grad(f(x), x), 2 * x))`.',
    (a: Value, b: Value, r: Value, at: Value, en: Value) => isclose(a, b, r, at, en, 'allclose').close.every(Boolean),
  );
  t.add(
    'io',
    'assert',
    ['condition', 'message=none'],
    'Raises an AssertionError with the message (and the line) when the condition is false: assert(allclose(g, 2 * x), "the gradient of x² is 2x").',
    (c: Value, m: Value) => {
      if (truthy(c, 'assert')) return null;
      throw new LangError(m === null ? 'the assertion is false' : show(m), 'AssertionError');
    },
  );
  t.add(
    'io',
    'help',
    ['x'],
    'Prints the signature and documentation of a builtin, method or function (help(sum), help(x.backward), help("grad")), or what a value is and what it offers.',
    (x: Value) => {
      ctx.out().stdout(helpText(x, t) + '\n');
      return null;
    },
  );
}

/** What help(x) prints: a signature and its doc, or a value's kind and its members. */
export function helpText(x: Value, t: BuiltinTable): string {
  if (typeof x === 'string') {
    if (t.defs.has(x)) return `${t.signature(x)}\n\n${t.defs.get(x)!.doc}`;
    return `help: there is no builtin named "${x}"; help(x) also takes the function or value itself`;
  }
  if (typeof x === 'function') {
    const info = (x as NablaFunction)[FN_INFO];
    if (info && t.defs.has(info.name) && t.values.get(info.name) === x)
      return `${t.signature(info.name)}\n\n${info.doc ?? ''}`.trimEnd();
    if (info)
      return `${info.name}(${info.params.join(', ')})${info.doc ? `\n\n${info.doc}` : info.user ? '\n\nA function defined with fn.' : ''}`;
  }
  const members = memberNames(x, [...t.values.keys()], (n) => t.values.get(n)).sort();
  const offers = members.length ? `\n\nIts methods and attributes: ${members.join(', ')}` : '';
  if (x instanceof Tensor)
    return `a tensor of shape [${x.shape.join(', ')}], ${x.dtype}${x.requiresGrad ? ', requires grad' : ''}${offers}`;
  const what = kindOf(x)?.kind ?? typeName(x);
  return `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}: ${show(x, true).slice(0, 200)}${offers}`;
}
