import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../compiler/did-you-mean';
import { isTensorMethodBuiltin } from '../../compiler/members';
import { createSession } from '../../compiler';
import { kindOf, OBJECT_KINDS } from '../../compiler/methods';
import type { Value } from '../../compiler/values';
import { runNabla } from './run';

/**
 * No silent wrong answer: every method and runtime object's call binds its arguments as a builtin does, so an
 * unknown keyword or a wrong count is an error with a did-you-mean, never ignored (issue 13, item 1).
 */
const SETUP = `x = param([1.0, 2.0])
y = sum(x * x)
net = mlp([2, 3, 1], seed=0)
lin = linear(2, 1, seed=0)
opt = adam(net.params)
with tape(persistent=true) as t {
  watch(x)
  z = sum(x * 3)
}
`;

function error(code: string): string {
  const r = runNabla(SETUP + code);
  if (r.ok) throw new Error(`expected an error from ${code}, got: ${r.stdout}`);
  return `${r.ename}: ${r.evalue}`;
}

function evalue(code: string): string {
  const r = runNabla(code);
  if (r.ok) throw new Error(`expected an error from ${code.slice(0, 80)}, got: ${r.stdout}`);
  return r.evalue;
}

describe('the reproducers of issue 13', () => {
  it('t.gradient(z, x, output_gradient=...) is refused, naming output_gradients, instead of answering 3', () => {
    expect(error('t.gradient(z, x, output_gradient=tensor([2.0]))')).toBe(
      "TypeError: tape.gradient() has no parameter named 'output_gradient'; did you mean 'output_gradients'? (its parameters: target, sources, output_gradients, unconnected)",
    );
    // and the right spelling gives 6 per element (3 · 2)
    const r = runNabla(SETUP + 'print(t.gradient(z, x, output_gradients=tensor(2.0)))');
    expect(r.stdout).toBe('tensor([6., 6.])\n');
  });

  it("PyTorch's and TensorFlow's spellings are suggested as the Nabla ones", () => {
    expect(error('t.gradient(z, x, grad_outputs=tensor(2.0))')).toContain("did you mean 'output_gradients'?");
    expect(error('t.gradient(z, x, unconnected_gradients="zero")')).toContain("did you mean 'unconnected'?");
    expect(error('y.backward(retain=true)')).toBe(
      "TypeError: tensor.backward() has no parameter named 'retain'; did you mean 'retain_graph'? (its parameters: gradient, retain_graph, create_graph, inputs)",
    );
    expect(error('x.sum(dim=0)')).toContain("did you mean 'axis'?");
    expect(error('sum(x, keepdims=true)')).toContain("did you mean 'keepdim'?");
  });

  it('unknown keywords on methods and models are errors', () => {
    expect(error('y.backward(foo=1)')).toMatch(/^TypeError: tensor\.backward\(\) has no parameter named 'foo'/);
    expect(error('x.tolist(precision=3)')).toBe("TypeError: tensor.tolist() takes no arguments, so no 'precision='");
    expect(error('net(tensor([[1.0, 2.0]]), training=true)')).toBe(
      "TypeError: model() has no parameter named 'training' (its parameters: x)",
    );
    expect(error('lin(tensor([[1.0, 2.0]]), 3)')).toBe('TypeError: model() takes 1 argument but 2 were given');
  });

  it('opt.step(foo=1) and opt.step(1, 2, 3) are sentences, not InternalError', () => {
    expect(error('opt.step(foo=1)')).toBe(
      "TypeError: optimizer.step() has no parameter named 'foo' (its parameters: closure)",
    );
    expect(error('opt.step(1, 2, 3)')).toBe('TypeError: optimizer.step() takes at most 1 argument but 3 were given');
    expect(error('opt.step(3)')).toBe(
      'TypeError: adam.step: the closure must be a function that computes the loss, got a number',
    );
    expect(error('opt.zero_grad(foo=1)')).toMatch(/^TypeError: optimizer\.zero_grad\(\) has no parameter named 'foo'/);
    expect(error('opt.zero_grad(true, 2)')).toBe(
      'TypeError: optimizer.zero_grad() takes at most 1 argument but 2 were given',
    );
  });

  it('a builtin used as a tensor method counts the arguments as written', () => {
    expect(error('x.sum(0, true, 3)')).toBe(
      'TypeError: x.sum() takes at most 2 arguments (axis=none, keepdim=false) but 3 were given',
    );
  });

  it('a method taken as a value still checks its keywords', () => {
    expect(error('f = x.sum\nf(dim=0)')).toContain("no parameter named 'dim'; did you mean 'axis'?");
    expect(error('g = t.gradient\ng(z, x, retain=true)')).toContain("tape.gradient() has no parameter named 'retain'");
  });

  it('a function with a custom gradient refuses keywords and a wrong count', () => {
    const def = '@custom_grad(fn(x, y, g) = g)\nfn binarize(x) = round(x)\n';
    expect(error(def + 'binarize(x, 2)')).toBe('TypeError: binarize() takes 1 argument but 2 were given');
    expect(error(def + 'binarize(x=x)')).toContain('takes its inputs by position');
  });

  it('attributes of runtime objects: unknown ones get a did-you-mean, assignments are refused rather than ignored', () => {
    expect(error('x.tolsit()')).toBe("AttributeError: a tensor has no attribute 'tolsit'; did you mean 'tolist'?");
    expect(error('net.parameters')).toContain("did you mean 'params'?");
    expect(error('t.persistant')).toContain("did you mean 'persistent'?");
    expect(error('net.foo = 1')).toBe("AttributeError: cannot set attribute 'foo' of a model");
  });
});

describe('every runtime-object method rejects an unknown keyword', () => {
  /** One instance of every kind in OBJECT_KINDS, made from the language, in OBJECT_KINDS' order (L-BFGS is a kind of its own, also called an optimizer). */
  const INSTANCES: readonly { kind: string; source: string }[] = [
    { kind: 'tensor', source: 'x' },
    { kind: 'tape', source: 't' },
    { kind: 'optimizer', source: 'lbfgs([x])' },
    { kind: 'optimizer', source: 'opt' },
    { kind: 'schedule', source: 'step_lr(opt, 10)' },
    { kind: 'reduce_on_plateau', source: 'reduce_on_plateau(opt)' },
    { kind: 'model', source: 'net' },
    { kind: 'hook handle', source: 'x.register_hook(fn(g) = g)' },
    { kind: 'progress bar', source: 'progress(range(3))' },
    { kind: 'list', source: '["a", "b"]' },
    { kind: 'map', source: '{"a": 1}' },
  ];

  it('has an instance for every declared kind', () => {
    expect(INSTANCES.map((i) => i.kind)).toEqual(OBJECT_KINDS.map((k) => k.kind));
    const s = createSession();
    const quiet = { stdout: () => {}, stderr: () => {}, display: () => {} };
    expect(s.run(SETUP, quiet).ok).toBe(true);
    OBJECT_KINDS.forEach((k, i) => {
      expect(s.run(`obj = ${INSTANCES[i].source}`, quiet).ok).toBe(true);
      expect(kindOf(s.lookup('obj') as Value), INSTANCES[i].source).toBe(k);
    });
  });

  OBJECT_KINDS.forEach((kind, i) => {
    const names = [...Object.keys(kind.methods), ...(kind.call ? ['(call)'] : [])];
    for (const name of names) {
      it(`${INSTANCES[i].source}: ${kind.kind}.${name}`, () => {
        const call = name === '(call)' ? `obj(not_a_parameter=1)` : `obj.${name}(not_a_parameter=1)`;
        const msg = error(`obj = ${INSTANCES[i].source}\n${call}`);
        expect(msg).toMatch(
          /^TypeError: .*(no parameter named 'not_a_parameter'|takes no arguments, so no 'not_a_parameter=')/,
        );
      });
    }
  });

  it('and every builtin that reads as a tensor method does too', () => {
    const r = runNabla('1');
    const builtins = r.session.builtins;
    const methods = [...builtins.values.keys()].filter((n) => isTensorMethodBuiltin(builtins.values.get(n)));
    expect(methods.length).toBeGreaterThan(30);
    for (const m of methods)
      expect(error(`x.${m}(not_a_parameter=1)`), m).toMatch(
        /no parameter named 'not_a_parameter'|takes no arguments, so no 'not_a_parameter='/,
      );
  });
});

describe('did-you-mean', () => {
  it('ranks a transposition as one edit: tahn is tanh, not tan', () => {
    expect(editDistance('tahn', 'tanh')).toBe(1);
    expect(closest('tahn', ['tan', 'tanh', 'than'])[0]).toBe('tanh');
    expect(evalue('tahn(1)')).toMatch(/^'tahn' is not defined; did you mean 'tanh'/);
  });

  it('answers a 30,000-character name next to a near miss at once, with bounded work', () => {
    const huge = 'x'.repeat(30000);
    const t0 = performance.now();
    expect(closest(huge, ['tanh', huge.slice(1), 'x'.repeat(29999) + 'y'])).toEqual([]);
    expect(editDistance(huge, huge + 'a', 2)).toBe(Infinity);
    expect(evalue(`${huge}(1)`)).toMatch(/is not defined$/);
    // not a speed assertion: the bounded algorithm does a few thousand steps, so even a loaded machine is far under this
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('skips candidates whose length differs by more than the allowed distance', () => {
    expect(editDistance('ab', 'abcdefgh', 2)).toBe(Infinity);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('unconnected sources (TensorFlow semantics) and the kind of a list answer', () => {
  const TAPE = `a = tensor([1.0, 2.0])
b = tensor([3.0])
c = tensor([5.0])
with tape(persistent=true) as t {
  watch(a)
  watch(b)
  y = sum(a^3)
}
`;
  it('unconnected="zero" gives zeros for a watched but unused source, and for an unwatched one', () => {
    const r = runNabla(
      TAPE +
        'print(t.gradient(y, [a, b], unconnected="zero"))\nprint(t.gradient(y, [a, c], unconnected="zero"))\nprint(t.gradient(y, [a, b], unconnected="none"))',
    );
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe(
      '(tensor([ 3., 12.]), tensor([0.]))\n(tensor([ 3., 12.]), tensor([0.]))\n(tensor([ 3., 12.]), none)\n',
    );
  });

  it('without unconnected=, the answer is none with a warning, and an unwatched source is an error', () => {
    const r = runNabla(TAPE + 'print(t.gradient(y, [a, b]))');
    expect(r.stdout).toBe(
      "Warning: t.gradient: no gradient for the source 'b', so it is none: it was watched but not used by any recorded operation\n(tensor([ 3., 12.]), none)\n",
    );
    expect(evalue(TAPE + 't.gradient(y, c)')).toMatch(/was not watched by this tape/);
    expect(evalue(TAPE + 't.gradient(y, a, unconnected="zeros")')).toBe(
      't.gradient: unconnected= is "none" or "zero" (TensorFlow\'s UnconnectedGradients), got "zeros"',
    );
  });

  it('t.gradient and grad return the same kind for a list of inputs', () => {
    const r = runNabla(
      'x = param([1.0])\nw = param([2.0])\nwith tape() as t { y = sum(x * w) }\nprint(t.gradient(y, [x, w]))\nprint(grad(sum(x * w), [x, w]))',
    );
    expect(r.stdout).toBe('(tensor([2.]), tensor([1.]))\n(tensor([2.]), tensor([1.]))\n');
  });
});
