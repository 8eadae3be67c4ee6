import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../grammar';
import { OBJECT_KINDS } from '../../compiler/methods';
import { createSession } from '../../compiler';
import { errorCorpus } from './error-corpus';
import { runNabla } from './run';

/**
 * Advice that works (issue 13, item 2): every name and keyword an error message recommends exists. Each
 * error case runs; the calls (`name(`), methods (`.name(`) and keywords (`name=`) its message mentions are
 * resolved against the builtin table, the method tables and the program's own names.
 */
const FULL_PROGRAMS = [
  // the output gradient, named per API
  'x = param([1.0, 2.0])\ny = x * 2\ny.backward()',
  'x = param([1.0, 2.0])\ny = x * 2\nbackward(y)',
  'x = param([1.0, 2.0])\ny = x * 2\ngrad(y, x)',
  'x = tensor([1.0, 2.0])\nwith tape() as t {\n  watch(x)\n  y = x * 2\n}\nt.gradient(y, x)',
  // truthiness, hooks, with, tapes, optimizers
  'x = tensor([1.0, 2.0])\nif x > 0 { print(1) }',
  'x = param([1.0])\nx.register_hook(3)',
  'with 3 as t { }',
  'x = tensor(3.0)\nwith tape() as t {\n  y = x * x\n}\nt.gradient(y, x)',
  'x = tensor(3.0)\nwith tape() as t {\n  watch(x)\n  y = x * x\n}\nt.gradient(y, x)\nt.gradient(y, x)',
  'x = param([1.0])\nopt = sgd([x], lr=0.1)\nopt.step(foo=1)',
  'x = param([1.0])\nopt = sgd([x], 0.1)\nopt.zero_grad(set_to_none=true, foo=2)',
  'x = tensor([1.0])\nopt = sgd([x], lr=0.1)',
  'opt = adam([])',
  'x = param([1.0])\nadam([x], betas=0.9)',
  // names, keywords, attributes
  'y = tahn(1)',
  'sum([1.0], dim=0)',
  'x = param([1.0])\nx.tolsit()',
  'x = param([1.0])\nx.backward(retain=true)',
  'x = param([1.0])\nx.numpy()',
  'net = mlp([1, 2, 1])\nnet.parameters',
  'x = param([1.0, 2.0])\ny = sum(x)\nfloat(x)',
  'x = param([1.0, 2.0])\nx.item()',
  'x = param([1.0, 2.0])\nh = x * 2\nh.requires_grad = false',
  'x = tensor([1.0, 2.0])\nx.grad = 3',
  'W = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])\nW @ W',
  'x = 1\nx @ 2',
  'x = param([1.0, 2.0])\nx += 1',
  'a, b = 1',
  'for i in 3 { }',
  'range(1, 2, 0)',
  'tensor([1.0], dtype="float16")',
  'compile(3)',
  'custom_grad(3)',
  'mlp([2, 3], act=3)',
  'jacobian(3, tensor(1.0))',
  'grad(sum(tensor([1.0])), [3])',
  'grad(sum(param([1.0])), param([1.0]), known_grads=3)',
  'x = param([1.0, 2.0])\ny = sum(x^3)\ny.backward()\ny.backward()',
  'x = param([1.0])\nt = tape()\nt.watch(x)',
  'progress(range(3), total=-1)',
  'check(3)',
  'exercise(3, 1)',
  'x = param([2.0])\nassert(x > 3, "x is small")',
  'allclose(complex(tensor(1.0), tensor(1.0)), 1)',
  'x = param([1.0, 2.0])\nh = tensor(x.tolist())\ny = sum(h^2)\ngrad(y, x)',
];

/** Text in a message that quotes the user's code or a formula, not advice: "(sum(h * 3))", "by the formula …;". */
const quoted = (m: string) =>
  m
    .replace(/at [^\s:]+:\d+:\d+ \((?:[^()]|\([^()]*(?:\([^()]*\))*[^()]*\))*\)/g, 'at SITE')
    .replace(/by the formula [^;]*/g, '')
    .replace(/"[^"]*"/g, '""')
    .replace(/'[^']*'/g, "''");

/** The calls, methods and keywords a message recommends. */
function suggestions(message: string): { calls: string[]; methods: string[]; keywords: string[]; mentioned: string[] } {
  const text = quoted(message);
  // a name after '/' is a formula's dL/d(...), not a call
  const calls = [...text.matchAll(/(?<![\w./])([a-z_][a-z_0-9]*)\(/gi)].map((m) => m[1]);
  const methods = [...text.matchAll(/\.([a-z_][a-z_0-9]*)\(/gi)].map((m) => m[1]);
  const keywords = [...text.matchAll(/(?<![\w.])([a-z_][a-z_0-9]*)=(?!=)/gi)].map((m) => m[1]);
  // names quoted as suggestions ("did you mean 'tanh'?"): a name, a method or a keyword
  const mentioned: string[] = [];
  for (const m of message.matchAll(/did you mean ((?:'[^']+'(?: or )?)+)/g))
    for (const q of m[1].matchAll(/'([^']+)'/g)) mentioned.push(q[1]);
  return { calls, methods, keywords, mentioned };
}

function knownNames() {
  const session = createSession();
  const builtins = session.builtins;
  const names = new Set<string>([...builtins.values.keys(), ...KEYWORDS]);
  const methods = new Set<string>(['T', 'H', 'grad', 'shape']);
  const keywords = new Set<string>();
  for (const d of builtins.defs.values()) for (const p of d.params) keywords.add(p.name);
  for (const k of OBJECT_KINDS) {
    for (const [name, m] of Object.entries(k.methods)) {
      methods.add(name);
      for (const p of m.params) keywords.add(p.name);
    }
    for (const a of Object.keys(k.attrs)) methods.add(a);
  }
  for (const n of builtins.values.keys()) methods.add(n); // builtins of a tensor read as methods
  // attributes that can be assigned (x.requires_grad = false) are written name= too
  for (const a of ['requires_grad', 'grad']) keywords.add(a);
  // each callee's own parameters, for advice that writes a keyword inside a call: f(..., kw=...)
  const paramsOf = new Map<string, Set<string>>();
  const addParams = (name: string, ps: { name: string }[]) => {
    const set = paramsOf.get(name) ?? new Set<string>();
    ps.forEach((p) => set.add(p.name));
    paramsOf.set(name, set);
  };
  for (const d of builtins.defs.values()) addParams(d.name, d.params);
  for (const k of OBJECT_KINDS) for (const [name, m] of Object.entries(k.methods)) addParams(name, m.params);
  return { names, methods, keywords, paramsOf };
}

/** Keywords written inside a call in the advice, with the callee: `y.backward(gradient=g)` gives ['backward', 'gradient']. */
function keywordsInCalls(message: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of quoted(message).matchAll(/([a-z_][a-z_0-9]*)\(([^()]*)\)/gi)) {
    for (const k of m[2].matchAll(/(?<![\w.])([a-z_][a-z_0-9]*)=(?!=)/gi)) out.push([m[1], k[1]]);
  }
  return out;
}

describe('every name and keyword an error recommends exists', () => {
  const known = knownNames();
  const cases = [
    ...FULL_PROGRAMS.map((source) => {
      const r = runNabla(source);
      if (r.ok) throw new Error(`expected an error from:\n${source}`);
      return { source, from: 'advice.test.ts', ename: r.ename, evalue: r.evalue };
    }),
    ...errorCorpus(),
  ];

  it(`resolves the advice of every error case (${cases.length} cases)`, () => {
    console.log(
      `advice checked in ${cases.length} error cases (${FULL_PROGRAMS.length} listed here, ${cases.length - FULL_PROGRAMS.length} collected from the suite and docs)`,
    );
    const unresolved: string[] = [];
    for (const c of cases) {
      // the program's own names (x, h, W, a user's function) are fine to mention
      const own = new Set([...c.source.matchAll(/[A-Za-z_][A-Za-z_0-9]*/g)].map((m) => m[0]));
      const s = suggestions(c.evalue);
      for (const n of s.calls)
        if (!known.names.has(n) && !own.has(n) && !known.methods.has(n)) unresolved.push(`${n}( in ${c.evalue}`);
      for (const n of s.methods) if (!known.methods.has(n)) unresolved.push(`.${n}( in ${c.evalue}`);
      for (const n of s.mentioned)
        if (![known.names, known.methods, known.keywords, own].some((set) => set.has(n)))
          unresolved.push(`'${n}' in ${c.evalue}`);
      for (const [fn, kw] of keywordsInCalls(c.evalue))
        if (known.paramsOf.has(fn) && !known.paramsOf.get(fn)!.has(kw)) unresolved.push(`${fn}(${kw}=) in ${c.evalue}`);
      for (const n of s.keywords) if (!known.keywords.has(n) && !own.has(n)) unresolved.push(`${n}= in ${c.evalue}`);
    }
    expect(unresolved).toEqual([]);
    expect(cases.length).toBeGreaterThan(100);
  }, 120_000);

  it('the suggestion extractor sees what a message recommends', () => {
    expect(suggestions('reduce it first (e.g. sum(y)) or pass y.backward(gradient=g)')).toEqual({
      calls: ['sum'],
      methods: ['backward'],
      keywords: ['gradient'],
      mentioned: [],
    });
    expect(suggestions("'tahn' is not defined; did you mean 'tanh' or 'tan'?").mentioned).toEqual(['tanh', 'tan']);
    expect(keywordsInCalls('pass y.backward(gradient=g) or backward(y, grad_tensors=g)')).toEqual([
      ['backward', 'gradient'],
      ['backward', 'grad_tensors'],
    ]);
    expect(suggestions('by the formula dL/dx = dL/d(sqrt(x)) / 2; there dL/d(y) = 0').calls).toEqual([]);
  });
});
