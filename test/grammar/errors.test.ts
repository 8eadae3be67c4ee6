// Syntax errors: plain-English messages, positions, recovery that reports every broken
// line in one pass, and the rendered form `file:line:col`, source line, caret.
import { describe, expect, it } from 'vitest';
import { parse, renderDiagnostic, renderDiagnostics } from '../../grammar/index';
import { sexpr } from './helpers';

/** `line:col message` of each diagnostic, in order. */
function problems(source: string): string[] {
  return parse(source, 'cell.nabla').diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.message}`);
}

describe('recovery', () => {
  it('reports three errors on three lines, in order, and keeps the statements it could read', () => {
    const source = 'x = 1 +\ny = (2 * )\nz = 3 4\nw = 5';
    expect(problems(source)).toEqual([
      "1:7 expected an expression after '+'",
      "2:10 expected an expression after '*'",
      "3:7 expected a newline or ';' before '4'",
    ]);
    // `x = 1 +` is left out; `(2 * )` lost only what is inside the parentheses.
    const { program } = parse(source);
    expect(program?.body.map((s) => s.kind)).toEqual(['Assign', 'Assign', 'ExprStmt', 'Assign']);
    expect(program?.body[0]).toMatchObject({ kind: 'Assign', target: { name: 'y' }, value: { kind: 'Missing' } });
  });

  it('reports errors inside blocks and carries on after them', () => {
    const source = 'fn f(x) {\n  a = )\n  b = x +\n}\nfor i in 0..n {\n  c = [1, 2\n}\nok = 1';
    expect(problems(source)).toEqual([
      "2:7 expected an expression after '='",
      "3:9 expected an expression after '+'",
      "7:1 expected ']' to close the '[' opened at 6:7",
    ]);
    expect(parse(source).program?.body.at(-1)).toMatchObject({ kind: 'Assign', target: { name: 'ok' } });
  });

  it('leaves Missing where an expression inside brackets was lost', () => {
    const { program } = parse('y = [f(x * ), 2]');
    const s = program?.body[0];
    if (s?.kind !== 'Assign') throw new Error('expected an assignment');
    expect(sexpr(s.value)).toBe('[(call f ?) 2]');
  });

  it('reports one error per line, since later ones on the line echo the first', () => {
    expect(problems('x = [1 2 3]\ny = {1, 2}')).toEqual([
      "1:8 expected ',' or ']' before '2'",
      "2:7 expected ':' after the map key, found ','",
    ]);
  });

  it('reports a stray closer once and goes on', () => {
    expect(problems('x = f(1))\ny = 2 )\nz = 3')).toEqual(["1:9 unexpected ')'", "2:7 unexpected ')'"]);
  });
});

const targets = 'a name, an index like x[0] or an attribute like m.w';

describe('messages', () => {
  it.each([
    ['x = )', "1:5 expected an expression after '='"],
    ['f(1, 2))', "1:8 unexpected ')'"],
    ['} x = 1', "1:1 unexpected '}'"],
    ['else { }', "1:1 'else' must follow the '}' of an 'if' block"],
    ['x = (1 + 2', "1:10 expected ')' to close the '(' opened at 1:5"],
    ['x = [1, 2)', "1:10 expected ']' to close the '[' opened at 1:5"],
    ['print("hi"\nx = 1', "2:1 expected ')' to close the '(' opened at 1:6"],
    ['x = {a: 1\ny = 2', "2:1 expected '}' to close the map opened at 1:5"],
    ['if c {\n  x = 1\n', "2:7 expected '}' to close the block opened at 1:6"],
    ['fn f(a b) = 1', "1:8 expected ',' or ')' before 'b'"],
    ['x = {a: 1, b 2}', "1:14 expected ':' after the map key, found '2'"],
    ['for in x { }', "1:5 expected a loop variable, found 'in'"],
    ['for i x { }', "1:7 expected 'in' after the loop variable, found 'x'"],
    ['fn (x', "1:5 expected ')' to close the '(' opened at 1:4"],
    ['fn f(x) x', "1:9 expected '= expression' or a '{' block after the parameters, found 'x'"],
    ['while x\n{ }', "1:7 expected '{' to start a block after 'x': a block's '{' goes on the same line as its header"],
    ['@foo\nx = 1', "2:1 expected 'fn' after the decorator, found 'x'"],
    ['x.1', "1:2 expected a newline or ';' before '.1'"],
    ['x = 1 = 2', "1:7 unexpected '='"],
    ["x = 'abc'", `1:5 unexpected "'": strings use double quotes`],
    ['explain', "1:1 expected an expression after 'explain'"],
    ['x = $ + 1', "1:5 unexpected character '$'"],
    ['x = y {\n  z = 1\n}', "1:7 unexpected '{': a block follows 'if', 'for', 'while', 'fn', 'with' or a scope"],
    ['fn f() {\n  x = {a: 1, b: {c: 2}\n', "2:22 expected '}' to close the map opened at 2:7"],
    ['if a != b && c { }', "1:11 unexpected character '&': write 'and'"],
    ['s = "open', `1:5 this string is not closed: add '"' before the end of the line`],
    ['s = "a\\qb"', "1:7 unknown escape '\\q' in a string: write '\\\\' for a backslash"],
    ['f(x) = 3', `1:1 cannot assign to a function call: the left side of '=' must be ${targets}`],
    [
      '[a, b] = p',
      `1:1 cannot assign to a list (write 'a, b = …' without brackets): the left side of '=' must be ${targets}`,
    ],
    ['1 + = 2', "1:5 expected an expression after '+'"],
    ['a, b += 1', "1:6 '+=' updates one target: write one statement per target"],
    ['x = a < b < c', "1:11 comparisons do not chain: write 'a < b and b < c'"],
    ['x = a..b..c', "1:9 ranges do not chain: write 'a..b' once"],
    ['g(a=1, 2)', '1:8 a positional argument cannot follow a keyword argument'],
    ['g(a=1, a=2)', "1:8 keyword argument 'a' is given twice"],
    ['fn f(a, a) = 1', "1:9 parameter 'a' appears twice"],
    ['fn f(a=1, b) = 1', "1:11 parameter 'b' needs a default value, as the parameters before it have one"],
  ])('%s', (source, message) => {
    expect(problems(source)[0]).toBe(message);
  });
});

describe('rendering', () => {
  it('prints file:line:col, the line and a caret under the column', () => {
    const source = 'x = 1\nz = 2\ny = x + \nw = 3';
    const { diagnostics } = parse(source, 'cell.nabla');
    expect(diagnostics).toHaveLength(1);
    expect(renderDiagnostic(diagnostics[0], source, 'cell.nabla')).toBe(
      "cell.nabla:3:7: error: expected an expression after '+'\n" + '  y = x + \n' + '        ^',
    );
  });

  it('keeps tabs in the caret line so the caret lines up', () => {
    const source = '\tx = )';
    const [d] = parse(source).diagnostics;
    expect(renderDiagnostic(d, source, 'a.nabla')).toBe(
      "a.nabla:1:6: error: expected an expression after '='\n  \tx = )\n  \t    ^",
    );
  });

  it('places the caret by code points after astral characters', () => {
    const source = 's = "𝑥" $';
    const [d] = parse(source).diagnostics;
    expect(renderDiagnostic(d, source)).toBe(`<input>:1:9: error: unexpected character '$'\n  ${source}\n          ^`);
  });

  it('renders several diagnostics one after another', () => {
    const source = 'a = )\nb = )';
    expect(renderDiagnostics(parse(source).diagnostics, source, 'f.nabla').split('\n')).toEqual([
      "f.nabla:1:5: error: expected an expression after '='",
      '  a = )',
      '      ^',
      "f.nabla:2:5: error: expected an expression after '='",
      '  b = )',
      '      ^',
    ]);
  });
});

describe('robustness', () => {
  it('turns nesting deeper than the stack into a diagnostic, and parses normally afterwards', () => {
    const deep = 'x = ' + '('.repeat(100_000) + '1' + ')'.repeat(100_000);
    const result = parse(deep);
    expect(result.program).toBeNull();
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'this code is nested too deeply to parse: split it into smaller pieces',
    ]);
    expect(parse('y = (1)').diagnostics).toEqual([]);
  });

  it('parses moderately deep nesting', () => {
    const source = 'x = ' + '['.repeat(200) + '1' + ']'.repeat(200);
    expect(parse(source).diagnostics).toEqual([]);
  });
});
