// Lexical structure (LANGUAGE.md § Lexical): tokens, the keyword and operator lists, and the
// layout rule that decides which newlines end a statement.
import { describe, expect, it } from 'vitest';
import { CONTEXTUAL_KEYWORDS, KEYWORDS, OPERATORS, parse } from '../../grammar/index';
import { lex } from '../../grammar/lex';
import { LineIndex } from '../../grammar/positions';
import { parseOk, sexpr, shape, stmt } from './helpers';

/** Token names and images as the parser sees them (after layout). */
function tokens(source: string): string[] {
  return lex(source, new LineIndex(source)).tokens.map((t) =>
    t.tokenType.name === 'Newline' ? 'NL' : `${t.tokenType.name}:${t.image}`,
  );
}

describe('tokens', () => {
  it('lexes numbers, imaginaries, ranges and attributes apart', () => {
    expect(tokens('0..n 1e-3 2i .5 x.T 2.5i 3')).toEqual([
      'NumberLiteral:0',
      'DotDot:..',
      'Identifier:n',
      'NumberLiteral:1e-3',
      'ImagLiteral:2i',
      'NumberLiteral:.5',
      'Identifier:x',
      'Dot:.',
      'Identifier:T',
      'ImagLiteral:2.5i',
      'NumberLiteral:3',
    ]);
  });

  it('keeps identifiers that start with a keyword whole', () => {
    expect(tokens('format input fnx iffy time_step no_grads')).toEqual(
      ['format', 'input', 'fnx', 'iffy', 'time_step', 'no_grads'].map((w) => `Identifier:${w}`),
    );
  });

  it('lexes Unicode letters in identifiers and ∇ on its own', () => {
    expect(tokens('héllo αβγ x₁ ∇')).toEqual(['Identifier:héllo', 'Identifier:αβγ', 'Identifier:x₁', 'Nabla:∇']);
  });

  it('tells the adjoint apostrophe from a string', () => {
    expect(tokens(`W' "it's"`)).toEqual(['Identifier:W', "Apostrophe:'", `StringLiteral:"it's"`]);
  });

  it('skips comments but keeps them for tools', () => {
    const source = 'x = 1 # note\n# line';
    expect(tokens(source)).toEqual(['Identifier:x', 'Equals:=', 'NumberLiteral:1', 'NL']);
    expect(lex(source, new LineIndex(source)).comments.map((c) => c.image)).toEqual(['# note', '# line']);
  });

  it('reads \\r\\n line ends', () => {
    expect(parseOk('a = 1\r\nb = 2\r\n').body).toHaveLength(2);
  });
});

describe('keyword and operator lists (for the editor)', () => {
  it('lists every keyword of the language', () => {
    expect([...KEYWORDS].sort()).toEqual(
      [
        'fn',
        'if',
        'else',
        'for',
        'in',
        'while',
        'break',
        'continue',
        'return',
        'with',
        'as',
        'explain',
        'and',
        'or',
        'not',
        'true',
        'false',
        'none',
        'no_grad',
        'detect_anomaly',
        'time',
      ].sort(),
    );
    expect(CONTEXTUAL_KEYWORDS).toEqual(['no_grad', 'detect_anomaly', 'time']);
  });

  it('lists every operator, longest spelling first where one is a prefix of another', () => {
    const spellings = "+ - * / @ % ^ ** == != < <= > >= = += -= *= /= .. . ' , : ; ( ) [ ] { }".split(' ');
    expect([...OPERATORS].sort()).toEqual(spellings.sort());
    expect(OPERATORS.indexOf('**')).toBeLessThan(OPERATORS.indexOf('*'));
    expect(OPERATORS.indexOf('..')).toBeLessThan(OPERATORS.indexOf('.'));
    expect(OPERATORS.indexOf('==')).toBeLessThan(OPERATORS.indexOf('='));
    expect(new Set(OPERATORS).size).toBe(OPERATORS.length);
  });
});

describe('newlines', () => {
  it('do not end a statement inside () and []', () => {
    const s = stmt('y = f(\n  a,\n  b=[\n    1,\n    2\n  ]\n)');
    expect(s.kind).toBe('Assign');
    if (s.kind === 'Assign') expect(sexpr(s.value)).toBe('(call f a b=[1 2])');
  });

  it('do not end a statement inside a map literal', () => {
    const s = stmt('opts = {\n  lr: 1e-3,\n  betas: (0.9,\n    0.999),\n}');
    if (s.kind !== 'Assign') throw new Error(s.kind);
    expect(sexpr(s.value)).toBe('{lr: 1e-3, betas: (tuple 0.9 0.999)}');
  });

  it('end statements inside a block, even a block inside parentheses', () => {
    const s = stmt('r = map(xs, fn(x) {\n  y = x * 2\n  y + 1\n})');
    if (s.kind !== 'Assign' || s.value.kind !== 'Call') throw new Error('expected a call');
    const lambda = s.value.args[1].value;
    if (lambda.kind !== 'Lambda' || lambda.body.kind !== 'Block') throw new Error('expected a block lambda');
    expect(lambda.body.body.map((b) => b.kind)).toEqual(['Assign', 'ExprStmt']);
  });

  it("inside a map inside a block do not end the block's statement", () => {
    const body = parseOk('if c {\n  m = {\n    a: 1\n  }\n  n = 2\n}').body[0];
    expect(shape(body)).toMatchObject({ kind: 'If', then: { body: [{ kind: 'Assign' }, { kind: 'Assign' }] } });
  });

  it('decide whether `{` opens a block or a map from the token before it', () => {
    const kinds = (source: string) =>
      tokens(source)
        .filter((t) => t.endsWith(':{'))
        .map((t) => t.split(':')[0]);
    expect(kinds('if c { }')).toEqual(['BlockOpen']);
    expect(kinds('fn f(x) { }')).toEqual(['BlockOpen']);
    expect(kinds('if a { } else { }')).toEqual(['BlockOpen', 'BlockOpen']);
    expect(kinds('with t() as t { }; no_grad { }; time { }')).toEqual(['BlockOpen', 'BlockOpen', 'BlockOpen']);
    expect(kinds('x = {a: 1}; f({}); [{}]')).toEqual(['LCurly', 'LCurly', 'LCurly']);
    expect(kinds('{a: 1}')).toEqual(['LCurly']);
    expect(kinds('x = 1\n{a: 1}')).toEqual(['LCurly']);
    expect(kinds('for k in {a: 1} { }')).toEqual(['LCurly', 'BlockOpen']);
  });

  it('end a statement outside brackets', () => {
    expect(parseOk('a\nb').body).toHaveLength(2);
  });

  it('after an operator leave the expression unfinished (no implicit continuation)', () => {
    expect(parse('y = x +\n  1').diagnostics.map((d) => d.message)).toEqual(["expected an expression after '+'"]);
  });

  it("before a block's `{` are an error that says where the `{` goes", () => {
    const { diagnostics } = parse('if x\n{ y }');
    expect(diagnostics[0].message).toBe(
      "expected '{' to start a block after 'x': a block's '{' goes on the same line as its header",
    );
  });
});
