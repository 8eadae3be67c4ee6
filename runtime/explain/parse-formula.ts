import { add, adj, call, div, matmul, mul, neg, NoSymbolicForm, num, pow, type Expr } from './symbolic';

/**
 * The formula strings ops declare (OpDef.formulas) read as expressions, so `formula` derives with the same
 * rules that backward runs and explain prints: they are written once, in the op's declaration.
 */

/**
 * Parses an OpDef formula: numbers, {placeholders} and attribute names (looked up in `env`), + - * / @ ^,
 * unary minus, postfix ', calls f(a, b), and comparisons (chained: min <= x <= max). A trailing remark in
 * words, `0 (round is flat almost everywhere)`, is dropped.
 */
export function parseFormula(text: string, env: (name: string) => Expr | undefined): Expr {
  const src = text.replace(/\s+\(([a-z][a-z ]*)\)\s*$/i, '');
  const toks = src.match(/\{\w+\}|[A-Za-z_]\w*|\d+(?:\.\d+)?(?:e-?\d+)?|<=|>=|==|!=|[-+*/@^()',<>]|\S/g) ?? [];
  let i = 0;
  const peek = () => toks[i];
  const take = (t?: string) => {
    const x = toks[i++];
    if (t !== undefined && x !== t) throw new NoSymbolicForm(`expected ${t} in "${text}"`);
    return x;
  };
  const CMP = ['<', '>', '<=', '>=', '==', '!='];
  const comparison = (): Expr => {
    const first = sum();
    if (!CMP.includes(peek())) return first;
    const ops: string[] = [];
    const args = [first];
    while (CMP.includes(peek())) {
      ops.push(take());
      args.push(sum());
    }
    return { k: 'cmp', ops, args };
  };
  const sum = (): Expr => {
    let e = product();
    while (peek() === '+' || peek() === '-') e = take() === '+' ? add(e, product()) : add(e, neg(product()));
    return e;
  };
  const product = (): Expr => {
    let e = unary();
    while (peek() === '*' || peek() === '/' || peek() === '@') {
      const op = take();
      const r = unary();
      e = op === '*' ? mul(e, r) : op === '/' ? div(e, r) : matmul(e, r);
    }
    return e;
  };
  const unary = (): Expr => (peek() === '-' ? (take(), neg(unary())) : power());
  const power = (): Expr => {
    const b = postfix();
    if (peek() === '^') {
      take();
      return pow(b, unary());
    }
    return b;
  };
  const postfix = (): Expr => {
    let e = atom();
    while (peek() === "'") {
      take();
      e = adj(e);
    }
    return e;
  };
  const atom = (): Expr => {
    const t = take();
    if (t === undefined) throw new NoSymbolicForm(`"${text}" ends early`);
    if (t === '(') {
      const e = comparison();
      take(')');
      return e;
    }
    if (/^\d/.test(t)) return num(Number(t));
    const ph = /^\{(\w+)\}$/.exec(t);
    if (ph) {
      const v = env(ph[1]);
      if (!v) throw new NoSymbolicForm(`no value for {${ph[1]}}`);
      return v;
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        take('(');
        const args: Expr[] = [];
        if (peek() !== ')') {
          args.push(comparison());
          while (peek() === ',') {
            take();
            args.push(comparison());
          }
        }
        take(')');
        return call(t, ...args);
      }
      const v = env(t);
      if (!v) throw new NoSymbolicForm(`"${t}" in "${text}" is not a value`);
      return v;
    }
    throw new NoSymbolicForm(`unexpected "${t}" in "${text}"`);
  };
  const e = comparison();
  if (i < toks.length) throw new NoSymbolicForm(`"${text}" is not a single expression`);
  return e;
}
