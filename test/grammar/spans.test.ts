// Source spans: every node has one; lines and columns are 1-based, columns count code
// points, ends are exclusive.
import { describe, expect, it } from 'vitest';
import { parse, type Span } from '../../grammar/index';
import { expr, parseOk, stmt } from './helpers';
import { allNodes, spanProblem } from './walk';

/** `line:col-line:col` of a span, for compact assertions. */
const at = (s: Span) => `${s.start.line}:${s.start.col}-${s.end.line}:${s.end.col}`;

describe('spans', () => {
  it('cover a statement and its parts', () => {
    const s = stmt('x = foo(1, k=2)');
    expect(at(s.span)).toBe('1:1-1:16');
    if (s.kind !== 'Assign' || s.value.kind !== 'Call') throw new Error('expected a call');
    expect(at(s.target.span)).toBe('1:1-1:2');
    expect(at(s.value.span)).toBe('1:5-1:16');
    expect(at(s.value.callee.span)).toBe('1:5-1:8');
    expect(at(s.value.args[0].span)).toBe('1:9-1:10');
    expect(at(s.value.args[1].span)).toBe('1:12-1:15');
    expect(s.value.span.start.offset).toBe(4);
    expect(s.value.span.end.offset).toBe(15);
  });

  it('widen a parenthesized expression to its parentheses', () => {
    const e = expr('(a + b) * c');
    if (e.kind !== 'Binary') throw new Error(e.kind);
    expect(at(e.span)).toBe('1:1-1:12');
    expect(at(e.left.span)).toBe('1:1-1:8');
  });

  it('cover postfix chains and unary operators', () => {
    const e = expr("-W'.T[0]");
    expect(at(e.span)).toBe('1:1-1:9');
    if (e.kind !== 'Unary' || e.operand.kind !== 'Index') throw new Error('expected -index');
    expect(at(e.operand.span)).toBe('1:2-1:9');
    const attr = e.operand.target;
    if (attr.kind !== 'Attr') throw new Error(attr.kind);
    expect(at(attr.nameSpan)).toBe('1:5-1:6');
  });

  it('span several lines', () => {
    const program = parseOk('# c\nfor i in 0..n {\n  x += i\n}\ny');
    const [loop, last] = program.body;
    expect(at(loop.span)).toBe('2:1-4:2');
    if (loop.kind !== 'For') throw new Error(loop.kind);
    expect(at(loop.body.span)).toBe('2:15-4:2');
    expect(at(loop.body.body[0].span)).toBe('3:3-3:9');
    expect(at(last.span)).toBe('5:1-5:2');
    expect(at(program.span)).toBe('1:1-5:2');
  });

  it('start a decorated function at its first decorator', () => {
    expect(at(stmt('@compile\nfn f(x) = x').span)).toBe('1:1-2:12');
  });

  it('count columns in code points, offsets in UTF-16 units', () => {
    const s = stmt('αβ = "𝑥" + y');
    if (s.kind !== 'Assign' || s.value.kind !== 'Binary') throw new Error('expected a sum');
    const y = s.value.right.span.start;
    // `𝑥` is two UTF-16 units: Chevrotain would say column 13.
    expect(y).toEqual({ offset: 12, line: 1, col: 12 });
    expect(at(s.value.left.span)).toBe('1:6-1:9');
  });

  it('exist and are sound on every node of a program', () => {
    const source = `@custom_grad(fn(x, y, g) = g)
fn f(a, b=1) { if a { return a' @ b[0, 1:2, ::3] } else if b { c = {k: [1, (2,)]} } else { while 1 { break } } }
for i, x in 0..n { no_grad { w -= 1 }; detect_anomaly { time { continue } } }
with tape() as t { explain grad(y, x) }
z = not a < b and -c^2 or 2i; q, r = "s", none`;
    const program = parseOk(source);
    const nodes = allNodes(program);
    expect(nodes.length).toBeGreaterThan(80);
    for (const node of nodes) expect([node.kind, spanProblem(node.span, source)]).toEqual([node.kind, null]);
  });

  it('are sound on the partial AST of a broken program', () => {
    const source = 'x = (1 +\nfn f(a, { \ny = [1, 2\n';
    const { program } = parse(source);
    for (const node of allNodes(program))
      expect([node.kind, spanProblem(node.span, source)]).toEqual([node.kind, null]);
  });
});
