/**
 * A small expression engine for `formula`: expressions over named tensors with elementwise + * ^ and calls,
 * plus the non-commutative `@` and adjoint `'`, and their printer with Nabla's precedence. Tensors are
 * treated elementwise, as the ops' formulas are. parse-formula.ts reads those formulas; simplify.ts
 * simplifies.
 */
export type Expr =
  | { k: 'num'; v: number }
  | { k: 'sym'; name: string; vector?: boolean; complex?: boolean }
  | { k: 'add'; terms: Expr[] }
  | { k: 'mul'; factors: Expr[] }
  | { k: 'pow'; base: Expr; exp: Expr }
  | { k: 'call'; fn: string; args: Expr[] }
  | { k: 'cmp'; ops: string[]; args: Expr[] }
  | { k: 'matmul'; a: Expr; b: Expr }
  | { k: 'adj'; a: Expr };

export const num = (v: number): Expr => ({ k: 'num', v });
/** A named value; `vector` (rank ≤ 1, real) makes its adjoint itself, `complex` keeps conj() from vanishing. */
export const sym = (name: string, opts: { vector?: boolean; complex?: boolean } = {}): Expr => ({
  k: 'sym',
  name,
  ...opts,
});
export const add = (...terms: Expr[]): Expr => ({ k: 'add', terms });
export const mul = (...factors: Expr[]): Expr => ({ k: 'mul', factors });
export const pow = (base: Expr, exp: Expr): Expr => ({ k: 'pow', base, exp });
export const call = (fn: string, ...args: Expr[]): Expr => ({ k: 'call', fn, args });
export const neg = (a: Expr): Expr => mul(num(-1), a);
export const div = (a: Expr, b: Expr): Expr => mul(a, pow(b, num(-1)));
export const matmul = (a: Expr, b: Expr): Expr => ({ k: 'matmul', a, b });
export const adj = (a: Expr): Expr => ({ k: 'adj', a });

/** Thrown for a formula that is not an expression (`scatter({g}) into zeros`): that step has no symbolic form. */
export class NoSymbolicForm extends Error {}

// ---- printing ---------------------------------------------------------------------------------------

export function fmtNum(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** Precedence: comparisons 0, + - 1, * / @ 2, unary minus 3, ^ 4, postfix ' 5, atoms 6. */
function prec(e: Expr): number {
  switch (e.k) {
    case 'num':
      return e.v < 0 ? 3 : 6;
    case 'sym':
    case 'call':
      return 6;
    case 'cmp':
      return 0;
    case 'add':
      return 1;
    case 'mul': {
      const { coef, top, bottom } = splitMul(e);
      if (coef < 0) return 3;
      return top.length + bottom.length + (coef !== 1 ? 1 : 0) > 1 || bottom.length ? 2 : prec(top[0] ?? num(coef));
    }
    case 'matmul':
      return 2;
    case 'pow':
      return e.exp.k === 'num' && e.exp.v < 0 ? 2 : 4;
    case 'adj':
      return 5;
  }
}

const paren = (e: Expr, min: number) => (prec(e) < min ? `(${print(e)})` : print(e));

/** A product as coefficient × numerator / denominator (factors with a negative numeric exponent). */
function splitMul(e: Expr & { k: 'mul' }): { coef: number; top: Expr[]; bottom: Expr[] } {
  let coef = 1;
  const top: Expr[] = [];
  const bottom: Expr[] = [];
  for (const f of e.factors) {
    if (f.k === 'num') coef *= f.v;
    else if (f.k === 'pow' && f.exp.k === 'num' && f.exp.v < 0)
      bottom.push(f.exp.v === -1 ? f.base : pow(f.base, num(-f.exp.v)));
    else top.push(f);
  }
  return { coef, top, bottom };
}

export function print(e: Expr): string {
  switch (e.k) {
    case 'num':
      return fmtNum(e.v);
    case 'sym':
      return e.name;
    case 'call':
      return `${e.fn}(${e.args.map(print).join(', ')})`;
    case 'cmp':
      return e.args.map((a, i) => (i ? ` ${e.ops[i - 1]} ` : '') + paren(a, 1)).join('');
    case 'add':
      return e.terms
        .map((t, i) => {
          const negTerm = negated(t);
          if (i === 0) return negTerm ? `-${paren(negTerm, 2)}` : paren(t, 1);
          return negTerm ? ` - ${paren(negTerm, 2)}` : ` + ${paren(t, 2)}`;
        })
        .join('');
    case 'mul': {
      let { coef, top, bottom } = splitMul(e);
      let sign = '';
      if (coef < 0) {
        sign = '-';
        coef = -coef;
      }
      // 0.5*x reads x/2, and 0.666667*x reads 2*x/3
      if (!Number.isInteger(coef)) {
        const d = [2, 3, 4, 5, 6, 8, 10, 12].find((q) => Math.abs(coef * q - Math.round(coef * q)) < 1e-9 * q);
        if (d) {
          bottom = [num(d), ...bottom];
          coef = Math.round(coef * d);
        }
      }
      const parts = [...(coef !== 1 || !top.length ? [fmtNum(coef)] : []), ...top.map((f) => paren(f, 3))];
      const numer = parts.join('*');
      if (!bottom.length) return sign + numer;
      const denom = bottom.length === 1 ? paren(bottom[0], 4) : `(${bottom.map((f) => paren(f, 3)).join('*')})`;
      return `${sign}${numer}/${denom}`;
    }
    case 'matmul':
      return `${paren(e.a, 2)} @ ${paren(e.b, 3)}`;
    case 'pow':
      if (e.exp.k === 'num' && e.exp.v < 0) return print(mul(e));
      return `${paren(e.base, 5)}^${paren(e.exp, 4)}`;
    case 'adj':
      return `${paren(e.a, 6)}'`;
  }
}

/** For a term with a negative coefficient, the term without its sign; else null. */
function negated(t: Expr): Expr | null {
  if (t.k === 'num' && t.v < 0) return num(-t.v);
  if (t.k === 'mul') {
    const c = t.factors.find((f) => f.k === 'num') as { v: number } | undefined;
    if (c && c.v < 0)
      return mul(...t.factors.map((f) => (f === c ? num(-c.v) : f)).filter((f) => !(f.k === 'num' && f.v === 1)));
  }
  return null;
}
