import { describe, expect, it } from 'vitest';
import { parseFormula } from '../../runtime/explain/parse-formula';
import { simplify } from '../../runtime/explain/simplify';
import * as S from '../../runtime/explain/symbolic';
import { runNabla } from '../lang/run';

/** formula(y, x): the derivative re-derived from the recorded graph with each op's declared rule, simplified. */
function formulaOf(setup: string, expr: string): string {
  const r = runNabla(`${setup}\nformula(${expr})`);
  if (!r.ok) throw new Error(r.traceback.join('\n'));
  return JSON.parse(String(r.value!['text/plain']));
}

const P = 'x1 = param(0.3)\nx2 = param(0.7)\nx = param([1.0, 2.0, 3.0])\nz = param([0.5])';

describe('formula simplifies what the rules produce', () => {
  it.each([
    ['x1^2 + 5*x2, x1', '2*x1'],
    ['x1^2 + 5*x2, x2', '5'],
    ['sum(tanh(z)), z', '1 - tanh(z)^2'],
    ['x * x + x^2, x', '4*x'],
    ['3*x + 2*x, x', '5'],
    ['x1 - x2, x2', '-1'],
    ['1 / x, x', '-1/x^2'],
    ['exp(2*x), x', '2*exp(2*x)'],
    ['mean(x^2), x', '2*x/3'],
    ['sqrt(x), x', '1/(2*sqrt(x))'],
    ['sigmoid(x), x', 'sigmoid(x)*(1 - sigmoid(x))'],
    ['log(x1 * x2), x1', '1/x1'],
    ['(x - 3)^2, x', '2*(x - 3)'],
    ['sin(x) * x, x', 'sin(x) + x*cos(x)'],
    ['x1 * x2 * x2, x2', '2*x1*x2'],
    ['relu(x), x', 'x > 0'],
    ['clamp(x, min=0, max=1), x', '0 <= x <= 1'],
    ['round(x) * 2, x', '0'],
    ['tanh(tanh(x)), x', '(1 - tanh(tanh(x))^2)*(1 - tanh(x)^2)'],
    ['x, x', '1'],
  ])('formula(%s) = %s', (expr, want) => {
    expect(formulaOf(P, expr)).toBe(want);
  });

  it("follows @ with the adjoint, as backward does: 2*(W' @ (W @ I)) for sum(abs(W @ I)^2)", () => {
    const setup =
      'W = complex(randn(3, 4, seed=1), randn(3, 4, seed=2))\nI = complex(randn(4, 2, seed=3), randn(4, 2, seed=4))\nwatch(I)\nY = W @ I';
    expect(formulaOf(setup, 'sum(abs(Y)^2), I')).toBe("2*(W' @ (W @ I))");
    expect(formulaOf(setup, 'sum(real(Y)), I')).toBe("W' @ ones(3, 2)");
  });

  it('says plainly which step has no symbolic form, and when the graph is gone', () => {
    const r = runNabla('p = param([1.0, 2.0])\ny = p[0]^2\nformula(y, p)');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.evalue).toBe(
        'formula: index at test.nabla:2:5 (p[0]) has no symbolic form: its backward is "scatter({g}) into zeros", which is not an expression of its inputs, so no formula for dy/dp can be written (grad(y, p) gives the numbers)',
      );
    const freed = runNabla('x = param(2.0)\ny = x^3\ny.backward()\nformula(y, x)');
    expect(freed.ok).toBe(false);
    if (!freed.ok)
      expect(freed.evalue).toMatch(
        /^formula: the graph of 'y' was freed by a backward pass .*call formula before backward or grad, or pass retain_graph=true/,
      );
    const unrelated = runNabla('x = param(2.0)\nw = param(1.0)\ny = w * 3\nformula(y, x)');
    expect(unrelated.ok).toBe(false);
    if (!unrelated.ok) expect(unrelated.evalue).toMatch(/^formula: 'x' was not used to compute 'y'.*unrelated/);
  });
});

describe('the symbolic engine', () => {
  const { num, sym, add, mul, pow, neg, div, call, print } = S;
  const x = sym('x');
  const y = sym('y');
  const show = (e: S.Expr) => print(simplify(e));

  it('folds constants and drops 0 and 1', () => {
    expect(show(add(mul(num(1), x), num(0)))).toBe('x');
    expect(show(mul(num(2), num(3), x))).toBe('6*x');
    expect(show(mul(num(0), x))).toBe('0');
    expect(show(pow(x, num(1)))).toBe('x');
    expect(show(pow(x, num(0)))).toBe('1');
    expect(show(call('exp', num(0)))).toBe('1');
    expect(show(add(num(2), num(3)))).toBe('5');
  });

  it('collects like terms and powers', () => {
    expect(show(add(mul(num(2), x), mul(x, num(3)), neg(x)))).toBe('4*x');
    expect(show(mul(x, x, pow(x, num(2))))).toBe('x^4');
    expect(show(div(mul(x, y), y))).toBe('x');
    expect(show(add(x, neg(x)))).toBe('0');
    expect(show(add(mul(x, y), mul(y, x)))).toBe('2*x*y');
  });

  it('prints with Nabla precedence', () => {
    expect(show(add(num(1), neg(pow(call('tanh', x), num(2)))))).toBe('1 - tanh(x)^2');
    expect(show(mul(num(-1), add(x, y)))).toBe('-(x + y)');
    expect(show(pow(add(x, num(1)), num(2)))).toBe('(x + 1)^2');
    expect(show(div(num(1), mul(num(2), x)))).toBe('1/(2*x)');
    expect(show(S.matmul(S.adj(sym('W')), mul(num(2), sym('G'))))).toBe("2*(W' @ G)");
  });

  it('parses the formulas ops declare', () => {
    const env = (n: string) => ({ g: num(1), x0: x, x1: y, out: call('tanh', x), p: num(3) })[n];
    expect(show(parseFormula('{g} * {p} * {x0}^({p} - 1)', env))).toBe('3*x^2');
    expect(show(parseFormula('{g} * (1 - {out}^2)', env))).toBe('1 - tanh(x)^2');
    expect(show(parseFormula("{x0}' @ {g}", env))).toBe("x'");
    expect(show(parseFormula('0 (round is flat almost everywhere)', env))).toBe('0');
    expect(() => parseFormula('scatter({g}) into zeros', env)).toThrow(S.NoSymbolicForm);
  });
});
