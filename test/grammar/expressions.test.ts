// Expressions: literals, postfix forms, collections, lambdas, and precedence (LANGUAGE.md §
// Expressions: or; and; not; comparisons; + -; * / @ %; unary -; ^; postfix).
import { describe, expect, it } from 'vitest';
import { expr, sexpr, shape } from './helpers';

const s = (source: string) => sexpr(expr(source));

describe('precedence and associativity', () => {
  it.each([
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['not a and b', '(and (not a) b)'],
    ['not a == b', '(not (== a b))'],
    ['a and not b == c or d', '(or (and a (not (== b c))) d)'],
    ['not not a', '(not (not a))'],
    ['a == b + c', '(== a (+ b c))'],
    ['a < b and b <= c', '(and (< a b) (<= b c))'],
    ['a != b', '(!= a b)'],
    ['a >= b', '(>= a b)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a * b + c', '(+ (* a b) c)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b / c', '(/ (/ a b) c)'],
    ['x @ W + b', '(+ (@ x W) b)'],
    ['a % b * c', '(* (% a b) c)'],
    ['-x^2', '(- (^ x 2))'],
    ['-x * y', '(* (- x) y)'],
    ['2^3^2', '(^ 2 (^ 3 2))'],
    ['2**3**2', '(^ 2 (^ 3 2))'],
    ['2^-1', '(^ 2 (- 1))'],
    ['a^b * c', '(* (^ a b) c)'],
    ['--x', '(- (- x))'],
    ['+x', '(+ x)'],
    ['-f(x)^2', '(- (^ (call f x) 2))'],
    ["W'^2", "(^ (' W) 2)"],
    ['0..n', '(.. 0 n)'],
    ['0..n+1', '(.. 0 (+ n 1))'],
    ['i < 0..n', '(< i (.. 0 n))'],
    ['(a + b) * c', '(* (+ a b) c)'],
  ])('%s', (source, tree) => {
    expect(s(source)).toBe(tree);
  });

  it('spells `**` as `^` in the AST', () => {
    expect(expr('a ** b')).toMatchObject({ kind: 'Binary', op: '^' });
  });
});

describe('literals', () => {
  it.each([
    ['3', { kind: 'Num', value: 3, raw: '3' }],
    ['0.5', { kind: 'Num', value: 0.5, raw: '0.5' }],
    ['1e-3', { kind: 'Num', value: 0.001, raw: '1e-3' }],
    ['2.5E+2', { kind: 'Num', value: 250, raw: '2.5E+2' }],
    ['.5', { kind: 'Num', value: 0.5, raw: '.5' }],
    ['2i', { kind: 'Imag', value: 2, raw: '2i' }],
    ['0.5i', { kind: 'Imag', value: 0.5, raw: '0.5i' }],
    ['1e-3i', { kind: 'Imag', value: 0.001, raw: '1e-3i' }],
    ['true', { kind: 'Bool', value: true }],
    ['false', { kind: 'Bool', value: false }],
    ['none', { kind: 'None' }],
    ['"hi"', { kind: 'Str', value: 'hi' }],
    ['"a\\"b\\\\c\\n\\t\\u{1F600}\\u00e9"', { kind: 'Str', value: 'a"b\\c\n\t😀é' }],
    ['x', { kind: 'Name', name: 'x' }],
    ['_x1', { kind: 'Name', name: '_x1' }],
    ['αβγ', { kind: 'Name', name: 'αβγ' }],
    ['∇', { kind: 'Name', name: 'grad' }],
    ['time', { kind: 'Name', name: 'time' }],
    ['no_grad', { kind: 'Name', name: 'no_grad' }],
  ])('%s', (source, node) => {
    expect(shape(expr(source))).toEqual(node);
  });

  it('reads `∇(y, x)` as a call of grad', () => {
    expect(s('∇(y, x)')).toBe('(call grad y x)');
  });

  it('keeps `..` apart from numbers: `1..5` is a range', () => {
    expect(s('1..5')).toBe('(.. 1 5)');
  });
});

describe('postfix forms', () => {
  it.each([
    ['f(a, k=v)', '(call f a k=v)'],
    ['f()', '(call f)'],
    ['f(a,)', '(call f a)'],
    ['opt.step()', '(call (. opt step))'],
    ['x.grad', '(. x grad)'],
    ['x.T.H', '(. (. x T) H)'],
    ["W'", "(' W)"],
    ["W' @ x", "(@ (' W) x)"],
    ["x.a(1)[2]'", "(' (index (call (. x a) 1) 2))"],
    ['x[i, 1:3, :, -1, ::2]', '(index x i 1:3: :: (- 1) ::2)'],
    ['x[a:b:c]', '(index x a:b:c)'],
    ['x[:n]', '(index x :n:)'],
    ['x[1:]', '(index x 1::)'],
    ['x[::]', '(index x ::)'],
    ['f(fn(g) = -g)', '(call f (fn (g) (- g)))'],
    ['y.backward()', '(call (. y backward))'],
    ['m(x)(y)', '(call (call m x) y)'],
    ['f(time=3)', '(call f time=3)'],
  ])('%s', (source, tree) => {
    expect(s(source)).toBe(tree);
  });

  it('records keyword argument names', () => {
    const e = expr('tape(persistent=true)');
    expect(shape(e)).toEqual({
      kind: 'Call',
      callee: { kind: 'Name', name: 'tape' },
      args: [{ kind: 'Arg', name: 'persistent', value: { kind: 'Bool', value: true } }],
    });
  });

  it('makes a slice node for `a:b` and keeps a plain index as an expression', () => {
    const e = expr('x[0, 1:2]');
    if (e.kind !== 'Index') throw new Error(e.kind);
    expect(shape(e.items)).toEqual([
      { kind: 'Num', value: 0, raw: '0' },
      {
        kind: 'Slice',
        start: { kind: 'Num', value: 1, raw: '1' },
        stop: { kind: 'Num', value: 2, raw: '2' },
        step: null,
      },
    ]);
  });
});

describe('collections', () => {
  it.each([
    ['[1, 2, 3]', '[1 2 3]'],
    ['[[1, 2], [3, 4]]', '[[1 2] [3 4]]'],
    ['[]', '[]'],
    ['[1, 2,]', '[1 2]'],
    ['(a, b)', '(tuple a b)'],
    ['(a,)', '(tuple a)'],
    ['()', '(tuple)'],
    ['(a)', 'a'],
    ['((a))', 'a'],
    ['{h: g}', '{h: g}'],
    ['{"k": 1, x + 1: [2]}', '{"k": 1, (+ x 1): [2]}'],
    ['{}', '{}'],
    [
      '[{params: gen.params, lr: 1e-3}, {params: c, maximize: true}]',
      '[{params: (. gen params), lr: 1e-3} {params: c, maximize: true}]',
    ],
  ])('%s', (source, tree) => {
    expect(s(source)).toBe(tree);
  });
});

describe('lambdas', () => {
  it('takes an expression body', () => {
    expect(shape(expr('fn(x, y=2) = x + y'))).toEqual({
      kind: 'Lambda',
      params: [
        { kind: 'Param', name: 'x', default: null },
        { kind: 'Param', name: 'y', default: { kind: 'Num', value: 2, raw: '2' } },
      ],
      body: {
        kind: 'Binary',
        op: '+',
        left: { kind: 'Name', name: 'x' },
        right: { kind: 'Name', name: 'y' },
      },
    });
  });

  it('takes a block body', () => {
    expect(shape(expr('fn(x) {\n  h = x * 2\n  h + 1\n}'))).toEqual({
      kind: 'Lambda',
      params: [{ kind: 'Param', name: 'x', default: null }],
      body: {
        kind: 'Block',
        body: [
          {
            kind: 'Assign',
            target: { kind: 'Name', name: 'h' },
            value: {
              kind: 'Binary',
              op: '*',
              left: { kind: 'Name', name: 'x' },
              right: { kind: 'Num', value: 2, raw: '2' },
            },
          },
          {
            kind: 'ExprStmt',
            expr: {
              kind: 'Binary',
              op: '+',
              left: { kind: 'Name', name: 'h' },
              right: { kind: 'Num', value: 1, raw: '1' },
            },
          },
        ],
      },
    });
  });

  it('takes no parameters', () => {
    expect(s('fn() = 1')).toBe('(fn () 1)');
  });
});
