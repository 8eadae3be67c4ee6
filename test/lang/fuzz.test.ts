import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Interrupted, mode } from '../../runtime';
import { createSession } from '../../compiler';

/**
 * Property: any program — random, or a valid one mutated — yields a result or a diagnostic, never an
 * uncaught exception and never an internal error. Loops are bounded by an operation budget (the same hook the
 * kernel uses for interrupts), so endless programs end with KeyboardInterrupt.
 */
const quiet = { stdout: () => {}, stderr: () => {}, display: () => {} };

function runBounded(code: string) {
  let budget = 2000;
  mode.checkInterrupt = () => {
    if (--budget < 0) throw new Interrupted();
  };
  try {
    return createSession().run(code, quiet);
  } finally {
    mode.checkInterrupt = null;
  }
}

const names = fc.constantFrom('x', 'y', 'w', 'g', 'f', 'L', 't', 'opt');
const atoms = fc.oneof(
  names,
  fc.constantFrom('1', '0', '-2.5', '2i', 'true', 'none', '"s"', 'pi', 'inf', 'nan'),
  fc.constantFrom(
    '[1, 2, 3]',
    '[[1, 2], [3, 4]]',
    'ones(2, 3)',
    'randn(3, seed=1)',
    'param([1.0, 2.0])',
    'zeros(0)',
    'eye(2)',
    '(1, 2)',
    '{x: 1}',
  ),
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atoms,
    fc
      .tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '@', '^', '%', '==', '<', 'and', 'or'), tie('e'))
      .map(([a, o, b]) => `(${a} ${o} ${b})`),
    fc
      .tuple(
        fc.constantFrom(
          'sum',
          'tanh',
          'exp',
          'log',
          'sqrt',
          'abs',
          'relu',
          'mean',
          'norm',
          'detach',
          'grad',
          'reshape',
          'max',
          'len',
          'print',
          'backward',
          'transpose',
          'concat',
          'stack',
          'real',
          'conj',
          'where',
          'hessian',
          'jacobian',
          'sgd',
          'adam',
          'mlp',
        ),
        fc.array(tie('e'), { maxLength: 3 }),
      )
      .map(([f, args]) => `${f}(${args.join(', ')})`),
    fc
      .tuple(
        tie('e'),
        fc.constantFrom(
          '.grad',
          '.shape',
          '.T',
          "'",
          '.item()',
          '.backward()',
          '.sum()',
          '[0]',
          '[:, 1]',
          '[-1]',
          '.tolist()',
          '.step()',
        ),
      )
      .map(([a, s]) => `${a}${s}`),
    tie('e').map((a) => `fn(v) = ${a}`),
  ),
})).e;
const stmt = fc.oneof(
  fc.tuple(names, expr).map(([n, e]) => `${n} = ${e}`),
  fc.tuple(names, fc.constantFrom('+=', '-=', '*=', '/='), expr).map(([n, o, e]) => `${n} ${o} ${e}`),
  expr,
  fc.tuple(names, expr).map(([n, e]) => `fn ${n}(a, b=1) { ${e} }`),
  fc.tuple(expr, expr).map(([c, e]) => `if ${c} { ${e} } else { ${e} }`),
  fc.tuple(names, expr).map(([n, e]) => `for ${n} in range(3) { ${e} }`),
  expr.map((e) => `while true { ${e} }`),
  expr.map((e) => `no_grad { ${e} }`),
  expr.map((e) => `with tape() as t { watch(x); ${e} }`),
  expr.map((e) => `detect_anomaly { ${e} }`),
);
const program = fc.array(stmt, { minLength: 1, maxLength: 6 }).map((ss) => ss.join('\n'));

const VALID = `x = param([1.0, 2.0])
fn f(v) = sum(tanh(v)^2)
g = grad(f(x), x, create_graph=true)
with tape(persistent=true) as t { w = tensor(3.0); watch(w); y = w * w }
for i in range(3) { if i == 1 { continue }; no_grad { x -= 0.1 * g } }
print(t.gradient(y, w), hessian(f, x), x[0], {x: g})`;

function expectNoInternalError(code: string) {
  let r;
  try {
    r = runBounded(code);
  } catch (e) {
    throw new Error(`uncaught exception for program:\n${code}\n${(e as Error).stack}`);
  }
  if (!r.ok && r.ename === 'InternalError')
    throw new Error(`internal error for program:\n${code}\n${r.traceback.join('\n')}`);
  if (!r.ok) expect(r.traceback.join('\n')).not.toMatch(/\.ts:\d+:\d+\)?$/m);
}

describe('random programs', () => {
  it('the valid base program runs', () => {
    const r = runBounded(VALID);
    if (!r.ok) throw new Error(r.traceback.join('\n'));
  });
  it('generated programs only ever produce values or diagnostics', () => {
    fc.assert(
      fc.property(program, (code) => expectNoInternalError(code)),
      { numRuns: 1500, seed: 42 },
    );
  }, 120_000);
  it('mutated valid programs only ever produce values or diagnostics', () => {
    const mutation = fc.tuple(
      fc.nat(VALID.length),
      fc.nat(8),
      fc.constantFrom(
        '',
        '(',
        ')',
        '{',
        '}',
        '[',
        ']',
        ',',
        '=',
        '@',
        "'",
        '"',
        '\n',
        'fn',
        'x',
        '.',
        '1e',
        'i',
        '::',
        '..',
        '∇',
      ),
    );
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        let code = VALID;
        for (const [at, del, ins] of muts)
          code = code.slice(0, at % (code.length + 1)) + ins + code.slice((at % (code.length + 1)) + del);
        expectNoInternalError(code);
      }),
      { numRuns: 1500, seed: 7 },
    );
  }, 120_000);
});
