// Statements (LANGUAGE.md § Statements, and the statement forms `explain`, `detect_anomaly`,
// `time`): one test per construct, asserting the AST shape.
import { describe, expect, it } from 'vitest';
import { parseOk, sexpr, shape, stmt } from './helpers';

const n = (name: string) => ({ kind: 'Name', name });
const num = (raw: string) => ({ kind: 'Num', value: Number(raw), raw });

describe('assignments', () => {
  it('binds a name', () => {
    expect(shape(stmt('x = 1'))).toEqual({ kind: 'Assign', target: n('x'), value: num('1') });
  });

  it('destructures a tuple', () => {
    expect(shape(stmt('a, b = f(x)'))).toEqual({
      kind: 'Destructure',
      targets: [n('a'), n('b')],
      value: { kind: 'Call', callee: n('f'), args: [{ kind: 'Arg', name: null, value: n('x') }] },
    });
  });

  it('reads `a, b = 1, 2` with a tuple on the right', () => {
    expect(shape(stmt('a, b = 1, 2'))).toEqual({
      kind: 'Destructure',
      targets: [n('a'), n('b')],
      value: { kind: 'Tuple', items: [num('1'), num('2')] },
    });
  });

  it.each(['+=', '-=', '*=', '/='])('updates in place with %s', (op) => {
    expect(shape(stmt(`w ${op} lr * g`))).toEqual({
      kind: 'CompoundAssign',
      op,
      target: n('w'),
      value: { kind: 'Binary', op: '*', left: n('lr'), right: n('g') },
    });
  });

  it('assigns to an index and to an attribute', () => {
    expect(shape(stmt('x[0, 1:2] = e'))).toMatchObject({ kind: 'Assign', target: { kind: 'Index' }, value: n('e') });
    expect(shape(stmt('m.w = e'))).toEqual({
      kind: 'Assign',
      target: { kind: 'Attr', target: n('m'), name: 'w' },
      value: n('e'),
    });
    expect(shape(stmt('m.w -= e'))).toMatchObject({ kind: 'CompoundAssign', target: { kind: 'Attr', name: 'w' } });
  });

  it('keeps contextual keywords usable as names', () => {
    expect(shape(stmt('time = 3'))).toEqual({ kind: 'Assign', target: n('time'), value: num('3') });
    expect(shape(stmt('no_grad(x)'))).toMatchObject({ kind: 'ExprStmt', expr: { kind: 'Call', callee: n('no_grad') } });
  });
});

describe('expression statements', () => {
  it('wraps a bare expression', () => {
    expect(shape(stmt('print(a, b)'))).toMatchObject({ kind: 'ExprStmt', expr: { kind: 'Call' } });
  });

  it('reads a bare `a, b` as a tuple', () => {
    expect(shape(stmt('a, b'))).toEqual({ kind: 'ExprStmt', expr: { kind: 'Tuple', items: [n('a'), n('b')] } });
  });

  it('reads `{` at a statement start as a map literal', () => {
    expect(shape(stmt('{a: 1, "b": 2}'))).toMatchObject({ kind: 'ExprStmt', expr: { kind: 'Map' } });
  });
});

describe('functions', () => {
  it('defines with an expression body', () => {
    expect(shape(stmt('fn mse(a, b) = mean((a - b)^2)'))).toEqual({
      kind: 'FnDef',
      name: n('mse'),
      params: [
        { kind: 'Param', name: 'a', default: null },
        { kind: 'Param', name: 'b', default: null },
      ],
      body: {
        kind: 'Call',
        callee: n('mean'),
        args: [
          {
            kind: 'Arg',
            name: null,
            value: {
              kind: 'Binary',
              op: '^',
              left: { kind: 'Binary', op: '-', left: n('a'), right: n('b') },
              right: num('2'),
            },
          },
        ],
      },
      decorators: [],
    });
  });

  it('defines with a block body and defaults', () => {
    const s = stmt('fn net(x, scale=1) {\n  h = tanh(x @ W1 + b1)\n  h @ W2 + b2\n}');
    if (s.kind !== 'FnDef' || s.body.kind !== 'Block') throw new Error('expected a block function');
    expect(s.params.map((p) => [p.name, p.default && sexpr(p.default)])).toEqual([
      ['x', null],
      ['scale', '1'],
    ]);
    expect(s.body.body.map((b) => b.kind)).toEqual(['Assign', 'ExprStmt']);
  });

  it('returns with and without a value', () => {
    const s = stmt('fn f(x) {\n  if x { return }\n  return x, 2\n}');
    if (s.kind !== 'FnDef' || s.body.kind !== 'Block') throw new Error('expected a block function');
    const [first, second] = s.body.body;
    expect(shape(first)).toMatchObject({ kind: 'If', then: { body: [{ kind: 'Return', value: null }] } });
    expect(shape(second)).toEqual({ kind: 'Return', value: { kind: 'Tuple', items: [n('x'), num('2')] } });
  });

  it('takes decorators with and without arguments', () => {
    const s = stmt('@custom_grad(fn(x, y, g) = g)\n@compile\nfn binarize(x) = round(x)');
    if (s.kind !== 'FnDef') throw new Error(s.kind);
    expect(s.decorators.map((d) => sexpr(d.expr))).toEqual(['(call custom_grad (fn (x y g) g))', 'compile']);
  });

  it('takes a dotted decorator', () => {
    const s = stmt('@nabla.compile\nfn f(x) = x');
    if (s.kind !== 'FnDef') throw new Error(s.kind);
    expect(sexpr(s.decorators[0].expr)).toBe('(. nabla compile)');
  });
});

describe('control flow', () => {
  it('reads if / else if / else', () => {
    expect(shape(stmt('if c { a } else if d { b } else { e }'))).toEqual({
      kind: 'If',
      test: n('c'),
      then: { kind: 'Block', body: [{ kind: 'ExprStmt', expr: n('a') }] },
      else: {
        kind: 'If',
        test: n('d'),
        then: { kind: 'Block', body: [{ kind: 'ExprStmt', expr: n('b') }] },
        else: { kind: 'Block', body: [{ kind: 'ExprStmt', expr: n('e') }] },
      },
    });
  });

  it('allows `else` on the line after `}`', () => {
    expect(shape(stmt('if c {\n  a\n}\nelse {\n  b\n}'))).toMatchObject({ kind: 'If', else: { kind: 'Block' } });
  });

  it('reads an if without else', () => {
    expect(shape(stmt('if x > 0 { y = 1 }'))).toMatchObject({ kind: 'If', else: null });
  });

  it.each([
    ['for i in range(1000) { }', '(call range 1000)'],
    ['for i in 0..n { }', '(.. 0 n)'],
    ['for x in [1, 2] { }', '[1 2]'],
    ['for i in progress(range(n)) { }', '(call progress (call range n))'],
  ])('reads %s', (source, iter) => {
    const s = stmt(source);
    if (s.kind !== 'For') throw new Error(s.kind);
    expect(s.targets.map((t) => t.name)).toEqual([source.split(' ')[1]]);
    expect(sexpr(s.iter)).toBe(iter);
  });

  it('loops over pairs', () => {
    expect(shape(stmt('for k, v in items { }'))).toEqual({
      kind: 'For',
      targets: [n('k'), n('v')],
      iter: n('items'),
      body: { kind: 'Block', body: [] },
    });
  });

  it('reads while, break and continue', () => {
    expect(shape(stmt('while i < 10 {\n  if a { break }\n  continue\n}'))).toEqual({
      kind: 'While',
      test: { kind: 'Binary', op: '<', left: n('i'), right: num('10') },
      body: {
        kind: 'Block',
        body: [
          { kind: 'If', test: n('a'), then: { kind: 'Block', body: [{ kind: 'Break' }] }, else: null },
          { kind: 'Continue' },
        ],
      },
    });
  });
});

describe('scopes', () => {
  it.each([
    ['no_grad', 'NoGrad'],
    ['detect_anomaly', 'DetectAnomaly'],
    ['time', 'Time'],
  ])('reads %s { }', (word, kind) => {
    expect(shape(stmt(`${word} { w -= lr * w.grad }`))).toMatchObject({
      kind,
      body: { kind: 'Block', body: [{ kind: 'CompoundAssign', op: '-=' }] },
    });
  });

  it('reads with … as …', () => {
    expect(shape(stmt('with tape(persistent=true) as t { watch(x); y = f(x) }'))).toEqual({
      kind: 'With',
      context: {
        kind: 'Call',
        callee: n('tape'),
        args: [{ kind: 'Arg', name: 'persistent', value: { kind: 'Bool', value: true } }],
      },
      name: n('t'),
      body: {
        kind: 'Block',
        body: [
          {
            kind: 'ExprStmt',
            expr: { kind: 'Call', callee: n('watch'), args: [{ kind: 'Arg', name: null, value: n('x') }] },
          },
          {
            kind: 'Assign',
            target: n('y'),
            value: { kind: 'Call', callee: n('f'), args: [{ kind: 'Arg', name: null, value: n('x') }] },
          },
        ],
      },
    });
  });

  it('reads with … without a name', () => {
    expect(shape(stmt('with ctx { }'))).toEqual({
      kind: 'With',
      context: n('ctx'),
      name: null,
      body: { kind: 'Block', body: [] },
    });
  });
});

describe('explain', () => {
  it.each([
    ['explain grad(y, x)', '(call grad y x)'],
    ['explain backward(L)', '(call backward L)'],
    ['explain y', 'y'],
    ['explain ∇(y, x)', '(call grad y x)'],
  ])('%s', (source, tree) => {
    const s = stmt(source);
    if (s.kind !== 'Explain') throw new Error(s.kind);
    expect(sexpr(s.expr)).toBe(tree);
  });
});

describe('statement separators', () => {
  it('separates statements with newlines and `;`', () => {
    expect(parseOk('a = 1; b = 2\nc = 3;\n\n;d').body.map((s) => s.kind)).toEqual([
      'Assign',
      'Assign',
      'Assign',
      'ExprStmt',
    ]);
  });

  it('ignores comments and blank lines', () => {
    expect(parseOk('# header\n\nx = 1 # trailing\n# end').body).toHaveLength(1);
  });

  it('reads an empty program', () => {
    expect(parseOk('').body).toEqual([]);
    expect(parseOk('\n\n# only a comment\n').body).toEqual([]);
  });
});

describe('the program', () => {
  it('carries the file name', () => {
    expect(parseOk('x').file).toBe('test.nabla');
  });

  it("parses the design's training example", () => {
    const program = parseOk(`W1 = param(randn(1, 32, seed=0)); b1 = param(zeros(32))
opt = adam([W1, b1], lr=1e-3, betas=(0.9, 0.999))
for i in range(1000) {
  loss = mean((net(xs) - ys)^2)
  opt.zero_grad()
  loss.backward()
  opt.step()
}
no_grad { W1 -= 0.1 * W1.grad }
dLdx = grad(loss, x, create_graph=true, known_grads={h: g})
z = complex(1, 2) + 0.5i
W' @ x
`);
    expect(program.body.map((s) => s.kind)).toEqual([
      'Assign',
      'Assign',
      'Assign',
      'For',
      'NoGrad',
      'Assign',
      'Assign',
      'ExprStmt',
    ]);
  });
});
