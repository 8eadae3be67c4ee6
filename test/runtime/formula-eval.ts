import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { REAL_BINARY, REAL_UNARY } from '../../runtime/backends/js/elementwise';
import { parseFormula } from '../../runtime/explain/parse-formula';
import type { Expr } from '../../runtime/explain/symbolic';
import type { ForwardEntry } from '../../runtime/ops/registry';
import { allEntries } from '../../runtime/ops/registry';
import { asTensor, countN, vocabulary, type FormulaContext, type Value } from './formula-vocabulary';

export type { FormulaContext } from './formula-vocabulary';

/**
 * Evaluates the backward formula text of a reduction, nn, indexing or linalg entry on tensors, so a test can
 * compare it with the gradient autograd computes by the entry's rule (test/runtime/registry-formulas.test.ts).
 *
 * The text: `dname = expr; dname2 = expr` (one part per differentiable input; a single part without `d... =`
 * is the first input's), each part `expr, name = expr, ...` with bindings after the expression; or, for an
 * entry whose formulas are its recorded rule's (linalg's OpDefs), one text per input, evaluated with the values
 * at the recorded node. There det's and slogdet's {g} and {out}, one number per matrix, multiply every entry
 * of it (they get two trailing axes of 1, as the rule's own g does). Values:
 * {g} (the incoming gradient of the first output; {g1} of the second), {out} ({out1}: the second output),
 * {x0} {x1} or the inputs' names, the params by name, `inf`, `none`, and `N`: in a reduction the number of
 * elements reduced into each output; in an nn loss what reduction='mean' divides by (1 for 'sum' and 'none').
 * Calls reach the vocabulary (formula-vocabulary.ts), then elementwise ops and the registry entries (positionally, inputs then
 * params). Everything is float64; the vocabulary is written from the definitions (loops over positions), not
 * from the rules, so agreement means something.
 */

type Env = (name: string) => Value;

function binary(
  a: Value,
  b: Value,
  num: (p: number, q: number) => number,
  op: (p: Tensor, q: Tensor) => Tensor,
): Value {
  if (typeof a === 'number' && typeof b === 'number') return num(a, b);
  if (Array.isArray(a) && typeof b === 'number') return (a as number[]).map((v) => num(v, b));
  if (typeof a === 'number' && Array.isArray(b)) return (b as number[]).map((v) => num(a, v));
  return op(asTensor(a), asTensor(b));
}

function evaluate(e: Expr, env: Env, fns: Record<string, (...a: Value[]) => Value>): Value {
  const ev = (x: Expr) => evaluate(x, env, fns);
  switch (e.k) {
    case 'num':
      return e.v;
    case 'sym':
      return env(e.name);
    case 'add':
      return e.terms.map(ev).reduce((s, t) => binary(s, t, (p, q) => p + q, nb.add));
    case 'mul':
      return e.factors.reduce<Value>(
        (p, f) =>
          f.k === 'pow' && f.exp.k === 'num' && f.exp.v === -1
            ? binary(p, ev(f.base), (a, b) => a / b, nb.div)
            : binary(p, ev(f), (a, b) => a * b, nb.mul),
        1,
      );
    case 'pow':
      return binary(ev(e.base), ev(e.exp), Math.pow, (a, b) => nb.pow(a, b));
    case 'cmp': {
      const v = e.args.map(ev);
      const cmp: Record<string, [(a: number, b: number) => boolean, (a: Tensor, b: Tensor) => Tensor]> = {
        '<': [(a, b) => a < b, nb.lt],
        '>': [(a, b) => a > b, nb.gt],
        '<=': [(a, b) => a <= b, nb.le],
        '>=': [(a, b) => a >= b, nb.ge],
        '==': [(a, b) => a === b, nb.eq],
        '!=': [(a, b) => a !== b, nb.ne],
      };
      let acc: Value = 1;
      e.ops.forEach((op, i) => {
        const [a, b] = [v[i], v[i + 1]];
        const one: Value =
          (typeof a !== 'object' && typeof b !== 'object') || a === null || b === null
            ? cmp[op][0](a as number, b as number)
              ? 1
              : 0
            : nb.where(cmp[op][1](asTensor(a), asTensor(b)), 1, 0);
        acc = binary(acc, one, (p, q) => p * q, nb.mul);
      });
      return acc;
    }
    case 'matmul':
      return nb.matmul(asTensor(ev(e.a)), asTensor(ev(e.b)));
    case 'adj': {
      const t = asTensor(ev(e.a));
      return t.rank < 2 ? t : nb.conj(nb.transpose(t, -2, -1));
    }
    case 'call': {
      if (e.fn === 'where') {
        const c = ev(e.args[0]);
        // a plain condition picks one branch (the other may not even have the right shape)
        if (typeof c === 'number' || typeof c === 'boolean') return ev(c ? e.args[1] : e.args[2]);
        return nb.where(nb.ne(asTensor(c), 0), asTensor(ev(e.args[1])), asTensor(ev(e.args[2])));
      }
      const args = e.args.map(ev);
      if (fns[e.fn]) return fns[e.fn](...args);
      const entry = allEntries().find((x) => x.name === e.fn);
      if (entry && 'forward' in entry) {
        const fe = entry as ForwardEntry;
        const kw = Object.fromEntries(
          (fe.params ?? []).map((p, i) => [p.name, args[fe.inputs.length + i] ?? p.default]),
        );
        const r = nb.noGrad(() => fe.forward(...args.slice(0, fe.inputs.length).map(asTensor), kw));
        return Array.isArray(r) ? r[0] : (r as Tensor);
      }
      const scalar = args.length === 1 ? REAL_UNARY[e.fn] : REAL_BINARY[e.fn];
      if (scalar && args.every((a) => typeof a === 'number'))
        return (scalar as (...v: number[]) => number)(...(args as number[]));
      const op = (nb as unknown as Record<string, unknown>)[e.fn];
      if (typeof op === 'function')
        return (op as (...a: unknown[]) => Tensor)(...args.map((a) => (typeof a === 'number' ? a : asTensor(a))));
      throw new Error(`formula calls ${e.fn}, which is neither in the vocabulary nor an op`);
    }
  }
}

/** Splits at top-level occurrences of `sep` (outside parentheses). */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The parts of a formula: the gradient expression for each named input, with its bindings. */
export function formulaParts(
  text: string,
  firstInput: string,
): { input: string; expr: string; bindings: [string, string][] }[] {
  return splitTop(text, ';').map((part) => {
    const m = /^\s*d(\w+)\s*=(?!=)\s*([\s\S]*)$/.exec(part);
    const [input, body] = m ? [m[1], m[2]] : [firstInput, part];
    const pieces = splitTop(body, ',');
    const bindings: [string, string][] = [];
    let expr = pieces[0];
    for (const piece of pieces.slice(1)) {
      const b = /^\s*([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(piece);
      if (b) bindings.push([b[1], b[2]]);
      else if (bindings.length) bindings[bindings.length - 1][1] += `,${piece}`;
      else expr += `,${piece}`;
    }
    return { input, expr: expr.trim(), bindings };
  });
}

/** The gradient each part of the entry's formula gives, by input name. */
export function evaluateFormula(ctx: FormulaContext): Map<string, Tensor> {
  const texts = ctx.entry.formulas ?? [];
  if (!texts.length) throw new Error(`${ctx.entry.name} has no formula`);
  const names = Object.keys(ctx.tensors);
  const fns = vocabulary(ctx);
  const result = new Map<string, Tensor>();
  const parts =
    texts.length > 1 ? texts.flatMap((t, i) => formulaParts(t, ctx.entry.inputs[i])) : formulaParts(texts[0], names[0]);
  const x0 = ctx.tensors[ctx.entry.inputs[0]];
  const perMatrix = (v: Tensor | undefined) =>
    v && ctx.entry.family === 'linalg' && x0 && v.rank === x0.rank - 2 ? nb.reshape(v, [...v.shape, 1, 1]) : v;
  for (const part of parts) {
    const bound = new Map<string, Value>();
    const env: Env = (name) => {
      if (bound.has(name)) return bound.get(name)!;
      const b = part.bindings.find(([n]) => n === name);
      if (b) {
        const v = evaluate(parse(b[1]), env, fns);
        bound.set(name, v);
        return v;
      }
      if (name === 'g') return perMatrix(ctx.grads[0]) as Value;
      const gm = /^g(\d+)$/.exec(name);
      if (gm) return perMatrix(ctx.grads[Number(gm[1])]) as Value;
      if (name === 'out') return perMatrix(ctx.outs[0]) as Value;
      const om = /^out(\d+)$/.exec(name);
      if (om) return perMatrix(ctx.outs[Number(om[1])]) as Value;
      const xm = /^x(\d+)$/.exec(name);
      if (xm) {
        const input = ctx.entry.inputs[Number(xm[1])] ?? names[Number(xm[1])];
        return (ctx.tensors[input] ?? ctx.params[input]) as Value;
      }
      if (name in ctx.tensors) return ctx.tensors[name];
      if (name in ctx.params) return ctx.params[name] as Value;
      if (name === 'inf') return Infinity;
      if (name === 'none') return null;
      if (name === 'N') return countN(ctx);
      if (name === 'C') return fns.classes();
      if (name === 'class_axis') return fns.class_axis();
      const rest = ctx.entry.params?.find((p) => p.rest);
      if (rest && name === rest.name) return names.map((n) => ctx.tensors[n]);
      throw new Error(`formula of ${ctx.entry.name} names ${name}, which has no value`);
    };
    const parse = (src: string) => parseFormula(src, (name) => ({ k: 'sym', name }));
    const v = evaluate(parse(part.expr), env, fns);
    if (Array.isArray(v) && v[0] instanceof Tensor) (v as Tensor[]).forEach((t, i) => result.set(names[i], t));
    else result.set(part.input, asTensor(v));
  }
  return result;
}
