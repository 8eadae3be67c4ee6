import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { runNabla } from './run';

/** Issue 13 item 7: help(x) and x?, and completion that offers only the language's names. */
describe('help(x) and x?', () => {
  it("prints a builtin's signature and doc, a method's, a user function's, and what a value offers", () => {
    expect(runNabla('help(sum)').stdout).toBe(
      'sum(x, axis=none, keepdim=false)\n\nSum of the elements (all, or along axis=, keeping the dimension with keepdim=true).\n',
    );
    expect(runNabla('help("grad")').stdout).toMatch(
      /^grad\(outputs, inputs, grad_outputs=none, retain_graph=none, create_graph=false, allow_unused=false, known_grads=none, consider_constant=none\)\n\nReturns the gradients/,
    );
    expect(runNabla('y = param([1.0])\nhelp(y.backward)').stdout).toMatch(
      /^tensor\.backward\(gradient=none, retain_graph=none, create_graph=false, inputs=none\)\n\nAccumulates/,
    );
    expect(runNabla('fn f(a, b=1) = a + b\nhelp(f)').stdout).toBe('f(a, b=…)\n\nA function defined with fn.\n');
    expect(runNabla('opt = sgd([param([1.0])], lr=0.1)\nhelp(opt)').stdout).toMatch(
      /^an optimizer: .*\n\nIts methods and attributes: add_param_group, defaults, load_state_dict, lr, param_groups, state, state_dict, step, zero_grad\n$/,
    );
  });

  it('x? in a cell is help(x)', () => {
    const s = createSession();
    const a = runNabla('sum?', s).stdout;
    expect(a).toBe(runNabla('help(sum)', s).stdout);
    expect(runNabla('x = param([1.0])\nx.backward?', s).ok).toBe(false); // a ? inside a longer cell is not help
    runNabla('x = param([1.0])', s);
    expect(runNabla('x.backward?', s).stdout).toMatch(/^tensor\.backward\(/);
  });
});

describe('completion', () => {
  const JS_INTERNALS = [
    'length',
    'name',
    'to_string',
    'enter',
    'exit',
    'write',
    'state_of',
    'constructor',
    'prototype',
    'run',
    'check_answer',
    'watched',
    'open',
    'answered',
    'site',
    'bind',
    'call',
    'apply',
  ];

  it('offers only names that work after a dot, without JavaScript internals or duplicates', () => {
    const s = createSession();
    runNabla(
      `x = param([1.0, 2.0])
net = mlp([2, 3, 1], seed=0)
opt = adam(net.params)
with tape() as t { watch(x) }
h = x.register_hook(fn(g) = g)`,
      s,
    );
    for (const v of ['x', 'net', 'opt', 't', 'h']) {
      const code = `${v}.`;
      const { matches } = s.complete(code, code.length);
      expect(matches.length, v).toBeGreaterThan(0);
      expect(new Set(matches).size, v).toBe(matches.length);
      for (const bad of JS_INTERNALS) expect(matches, `${v}.${bad}`).not.toContain(bad);
      // every offered name can be read without an error
      for (const m of matches) expect(runNabla(`${v}.${m}`, s).ok, `${v}.${m}`).toBe(true);
    }
    expect(s.complete('t.', 2).matches).toEqual(['gradient', 'jacobian', 'persistent', 'watch']);
    expect(s.complete('opt.', 4).matches).toEqual([
      'add_param_group',
      'defaults',
      'load_state_dict',
      'lr',
      'param_groups',
      'state',
      'state_dict',
      'step',
      'zero_grad',
    ]);
  });

  it('top-level completion has no duplicates', () => {
    const s = createSession();
    runNabla('sum = 3', s);
    const { matches } = s.complete('su', 2);
    expect(matches.filter((m) => m === 'sum')).toHaveLength(1);
  });
});
