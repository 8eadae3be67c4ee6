import { REAL_UNARY } from '../backends/js/elementwise';
import { add, adj, call, matmul, mul, num, pow, print, type Expr } from './symbolic';

/**
 * Simplification for `formula`: constant folding, dropping 0 and 1, collecting like terms and powers
 * (x*x is x^2, 2*x + 3*x is 5*x), |u|*sign(u) = u, and numbers pulled out of @. Canonical enough that like
 * terms meet; it is not a CAS.
 */

/** Constants fold with the js backend's own scalar functions, so a folded number is what the op computes. */
const FOLD = REAL_UNARY;

const key = (e: Expr) => print(e);

/** Kind order for a product's factors: numbers, names, powers, calls, sums, matrix products. */
const RANK: Record<Expr['k'], number> = { num: 0, sym: 1, adj: 2, pow: 3, call: 4, cmp: 5, add: 6, matmul: 7, mul: 8 };
const baseOf = (f: Expr) => (f.k === 'pow' ? f.base : f);

export function simplify(e: Expr): Expr {
  switch (e.k) {
    case 'num':
    case 'sym':
      return e;
    case 'call': {
      const args = e.args.map(simplify);
      const f = FOLD[e.fn];
      if (f && args.length === 1 && args[0].k === 'num') return num(f(args[0].v));
      // elementwise view: conj, and the shape plumbing of gradients (expand, reshape, unbroadcast sums) is the identity
      if (['expand', 'reshape', 'conj'].includes(e.fn) && args.length === 1 && (e.fn !== 'conj' || isReal(args[0])))
        return args[0];
      if (e.fn === 'where' && args.length === 3 && key(args[1]) === key(args[2])) return args[1];
      // a known condition (an op's param, as gelu's approximate) picks its branch
      if (e.fn === 'where' && args.length === 3 && args[0].k === 'num') return args[0].v ? args[1] : args[2];
      return call(e.fn, ...args);
    }
    case 'cmp': {
      const args = e.args.map(simplify);
      if (args.every((a) => a.k === 'num')) {
        const v = args
          .slice(1)
          .every((b, i) => compare(e.ops[i], (args[i] as { v: number }).v, (b as { v: number }).v));
        return num(v ? 1 : 0);
      }
      return { k: 'cmp', ops: e.ops, args };
    }
    case 'pow': {
      const base = simplify(e.base);
      const exp = simplify(e.exp);
      if (exp.k === 'num') {
        if (exp.v === 0) return num(1);
        if (exp.v === 1) return base;
        if (base.k === 'num') return num(base.v ** exp.v);
        if (base.k === 'pow' && base.exp.k === 'num') return simplify(pow(base.base, num(base.exp.v * exp.v)));
        // (a*b)^n = a^n * b^n for whole n, so x2/(x1*x2) can cancel
        if (base.k === 'mul' && Number.isInteger(exp.v))
          return simplifyMul(base.factors.map((f) => simplify(pow(f, exp))));
      }
      if (base.k === 'num' && (base.v === 1 || base.v === 0)) return base;
      return pow(base, exp);
    }
    case 'add':
      return simplifyAdd(e.terms.map(simplify));
    case 'mul':
      return simplifyMul(e.factors.map(simplify));
    case 'matmul': {
      const [ca, a] = coefficient(simplify(e.a));
      const [cb, b] = coefficient(simplify(e.b));
      const c = ca * cb;
      if (c === 0) return num(0);
      // a number stands for a tensor of ones or a scale: scaling commutes with @
      const inner = a.k === 'num' ? b : b.k === 'num' ? a : matmul(a, b);
      return c === 1 ? inner : simplifyMul([num(c), inner]);
    }
    case 'adj': {
      const a = simplify(e.a);
      if (a.k === 'adj') return a.a;
      if (a.k === 'num') return a;
      if (a.k === 'sym' && a.vector && !a.complex) return a;
      const [c, rest] = coefficient(a);
      if (c !== 1) return simplifyMul([num(c), adj(rest)]);
      return adj(a);
    }
  }
}

function isReal(e: Expr): boolean {
  switch (e.k) {
    case 'num':
      return true;
    case 'sym':
      return !e.complex;
    case 'add':
      return e.terms.every(isReal);
    case 'mul':
      return e.factors.every(isReal);
    case 'pow':
      return isReal(e.base) && isReal(e.exp);
    case 'call':
    case 'cmp':
      return e.args.every(isReal);
    case 'matmul':
      return isReal(e.a) && isReal(e.b);
    case 'adj':
      return isReal(e.a);
  }
}

function compare(op: string, a: number, b: number): boolean {
  return op === '<'
    ? a < b
    : op === '>'
      ? a > b
      : op === '<='
        ? a <= b
        : op === '>='
          ? a >= b
          : op === '=='
            ? a === b
            : a !== b;
}

/** A simplified expression as (numeric coefficient, the rest). */
function coefficient(e: Expr): [number, Expr] {
  if (e.k === 'num') return [e.v, num(1)];
  if (e.k !== 'mul') return [1, e];
  let c = 1;
  const rest = e.factors.filter((f) => (f.k === 'num' ? ((c *= f.v), false) : true));
  return [c, rest.length === 0 ? num(1) : rest.length === 1 ? rest[0] : mul(...rest)];
}

function simplifyAdd(terms: Expr[]): Expr {
  const flat: Expr[] = [];
  for (const t of terms)
    if (t.k === 'add') flat.push(...t.terms);
    else flat.push(t);
  let constant = 0;
  // terms keep the order they came in; the constant stands where the first one stood (1 - h^2, x - 3)
  const like = new Map<string, { coef: number; rest: Expr }>();
  const CONST = '\u0000const';
  for (const t of flat) {
    if (t.k === 'num') {
      constant += t.v;
      if (!like.has(CONST)) like.set(CONST, { coef: 0, rest: num(1) });
      continue;
    }
    const [c, rest] = coefficient(t);
    const k = key(rest);
    const prev = like.get(k);
    if (prev) prev.coef += c;
    else like.set(k, { coef: c, rest });
  }
  const out: Expr[] = [];
  for (const [k, { coef, rest }] of like) {
    if (k === CONST) {
      if (constant !== 0) out.push(num(constant));
      continue;
    }
    if (Math.abs(coef) < 1e-12) continue;
    out.push(coef === 1 ? rest : simplifyMul([num(coef), rest]));
  }
  if (!out.length) return num(0);
  return out.length === 1 ? out[0] : add(...out);
}

function simplifyMul(factors: Expr[]): Expr {
  const flat: Expr[] = [];
  for (const f of factors)
    if (f.k === 'mul') flat.push(...f.factors);
    else flat.push(f);
  let coef = 1;
  const powers = new Map<string, { base: Expr; exps: Expr[] }>();
  for (const f of flat) {
    if (f.k === 'num') {
      coef *= f.v;
      continue;
    }
    const base = baseOf(f);
    const exp = f.k === 'pow' ? f.exp : num(1);
    const k = key(base);
    const prev = powers.get(k);
    if (prev) prev.exps.push(exp);
    else powers.set(k, { base, exps: [exp] });
  }
  if (coef === 0) return num(0);
  // |u| * sign(u) = u (d|u|/du = sign(u) makes this pair in every chain through abs)
  for (const [k, p] of powers) {
    const b = p.base;
    if (b.k !== 'call' || b.fn !== 'abs' || p.exps.length !== 1 || key(p.exps[0]) !== '1') continue;
    const s = powers.get(key(call('sign', ...b.args)));
    if (!s || s.exps.length !== 1 || key(s.exps[0]) !== '1') continue;
    powers.delete(key(call('sign', ...b.args)));
    powers.delete(k);
    const u = b.args[0];
    powers.set(key(u), { base: u, exps: [num(1)] });
  }
  const rest: Expr[] = [];
  for (const { base, exps } of powers.values()) {
    const e = simplify(pow(base, exps.length === 1 ? exps[0] : add(...exps)));
    if (e.k === 'num') coef *= e.v;
    else if (e.k === 'mul') rest.push(...e.factors);
    else rest.push(e);
  }
  rest.sort(
    (a, b) =>
      RANK[baseOf(a).k] - RANK[baseOf(b).k] ||
      (key(baseOf(a)) < key(baseOf(b)) ? -1 : key(baseOf(a)) > key(baseOf(b)) ? 1 : 0),
  );
  if (!rest.length) return num(coef);
  if (coef === 1 && rest.length === 1) return rest[0];
  return mul(...(coef === 1 ? rest : [num(coef), ...rest]));
}
