import { isComplex } from '../dtype';
import { LeafNode, type Node } from '../graph';
import { short } from '../provenance';
import { fmtSite } from '../site';
import type { Tensor } from '../tensor';

/**
 * How explain, formula and graph call things, in the source's own words: a value is the name the user bound
 * it to, else the source text that computed it, else (a plain constant) its number.
 */
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The user's name for a node's output: the bound name of its tensor (or of the leaf). */
export function nodeName(n: Node): string | null {
  if (n instanceof LeafNode) return n.leaf.name;
  return n.name ?? n.retained?.name ?? null;
}

/** A node's output as text: its name, else the source expression, else the op. */
export function nodeLabel(n: Node): string {
  return nodeName(n) ?? (n.site?.text ? short(n.site.text, 32) : n.op.name);
}

/** A value as text: its name, the label of its producer, a scalar's number, or its source text. */
export function valueLabel(t: Tensor, producer: Node | null = null): string {
  if (t.name) return t.name;
  const p = producer ?? t.gradFn;
  if (p && !(p instanceof LeafNode)) return nodeLabel(p);
  if (t.size === 1 && !t.requiresGrad) return fmtValue(t.toHost(), 0, isComplex(t.dtype));
  if (t.origin.site?.text) return short(t.origin.site.text, 32);
  return t.origin.op;
}

/** d(label): `dY` for a name, `d(x1^2)` for an expression. */
export const dOf = (label: string) => (IDENT.test(label) ? `d${label}` : `d(${label})`);

/** The gradient of `root` with respect to `label`, as `dL/dY`. */
export const gradSymbol = (root: string, label: string) => `${dOf(root)}/${dOf(label)}`;

/** A name, a number, a call `f(...)`, a parenthesized group or a gradient symbol needs no parentheses. */
export function isAtomic(s: string): boolean {
  if (IDENT.test(s) || /^-?[0-9.]+(e-?\d+)?$/.test(s) || /^d\S*\/d\S*$/.test(s)) return true;
  const open = /^[A-Za-z_][A-Za-z0-9_.]*\(|^\(/.exec(s);
  if (!open) return false;
  let depth = 0;
  for (let i = open[0].length - 1; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i === s.length - 1 || s.slice(i + 1) === "'";
  }
  return false;
}

/** Parenthesizes a substituted name when it is an expression (so `{x0}'` stays readable). */
const wrap = (s: string) => (isAtomic(s) ? s : `(${s})`);

/**
 * An OpDef formula with its placeholders replaced by names: {g} the incoming gradient, {x0}, {x1} the
 * inputs, {out} the output, {attr} an attribute. Numeric attributes fold (`x^(2 - 1)` reads `x`).
 */
export function renderFormula(
  template: string,
  names: { g: string; inputs: readonly string[]; out: string; attrs: Readonly<Record<string, unknown>> },
): string {
  const s = template.replace(/\{(\w+)\}/g, (m, key: string) => {
    if (key === 'g') return names.g;
    if (key === 'out') return wrap(names.out);
    const xi = /^x(\d+)$/.exec(key);
    if (xi) return wrap(names.inputs[Number(xi[1])] ?? key);
    const a = names.attrs[key];
    if (typeof a === 'number') return fmtNumber(a);
    if (a === null || a === undefined) return key === 'min' ? '-inf' : key === 'max' ? 'inf' : m;
    return String(a);
  });
  return foldNumbers(s);
}

/** `(2 - 1)` → `1`, `x^1` → `x`, `* 1 *` kept: only what attribute substitution made foldable. */
function foldNumbers(s: string): string {
  let prev = '';
  while (prev !== s) {
    prev = s;
    s = s.replace(/\((-?\d+(?:\.\d+)?) ([-+]) (\d+(?:\.\d+)?)\)/g, (_, a: string, op: string, b: string) =>
      fmtNumber(op === '-' ? Number(a) - Number(b) : Number(a) + Number(b)),
    );
    s = s.replace(/\^1(?![\d.])/g, '');
  }
  return s;
}

/** Numbers in explanations: up to 4 significant digits, integers as they are. */
export function fmtNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

export function fmtValue(h: ArrayLike<number>, i: number, complex: boolean): string {
  if (!complex) return fmtNumber(h[i]);
  const re = h[2 * i];
  const im = h[2 * i + 1];
  if (im === 0) return fmtNumber(re);
  if (re === 0) return `${fmtNumber(im)}i`;
  return `${fmtNumber(re)}${im < 0 ? '-' : '+'}${fmtNumber(Math.abs(im))}i`;
}

/** A tensor's values on one line: the number for a scalar, nested lists up to `max` values, then `…`. */
export function fmtTensor(t: Tensor, max = 6): string {
  const h = t.toHost();
  const complex = isComplex(t.dtype);
  if (t.rank === 0) return fmtValue(h, 0, complex);
  let shown = 0;
  const walk = (d: number, base: number): string => {
    const stride = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < t.shape[d]; i++) {
      if (shown >= max) {
        parts.push('…');
        break;
      }
      if (d === t.rank - 1) {
        parts.push(fmtValue(h, base + i, complex));
        shown++;
      } else parts.push(walk(d + 1, base + i * stride));
    }
    return `[${parts.join(', ')}]`;
  };
  return walk(0, 0);
}

/** "[3, 2] complex64" style shape note; empty for scalars. */
export const fmtShapeNote = (t: Tensor) =>
  t.rank === 0 ? '' : `[${t.shape.join(', ')}]${t.dtype === 'float32' ? '' : ' ' + t.dtype}`;

/** "test.nabla:3:5" or "" */
export const placeText = (n: Node) => (n.site ? fmtSite(n.site) : '');

/** The element at flat index k as [i, j]. */
export function elementIndex(shape: readonly number[], k: number): string {
  if (!shape.length) return '';
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(k % shape[d]);
    k = Math.floor(k / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}
