import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { REAL_BINARY, REAL_UNARY } from '../../runtime/backends/js/elementwise';
import { parseFormula } from '../../runtime/explain/parse-formula';
import type { Expr } from '../../runtime/explain/symbolic';
import {
  allEntries,
  ELEMENTWISE,
  familyNames,
  familyOf,
  KERNEL_FNS,
  type ElementwiseEntry,
} from '../../runtime/ops/registry';
import { createBuiltins } from '../../compiler/builtins';
import * as unaryModule from '../../runtime/ops/unary';
import * as binaryModule from '../../runtime/ops/binary';
import { fixture, rng } from './helpers';
import { runNabla } from '../lang/run';

/**
 * The op registry (runtime/ops/registry): every entry complete, every formula the same function as its
 * rule, and plain numbers agreeing with 0-d tensors on every op.
 */
const builtins = createBuiltins({
  out: () => ({ stdout: () => {}, stderr: () => {}, display: () => {} }) as never,
  scriptArgs: new Map(),
  bundle: () => ({}),
});
const fixtureOps = new Set([
  ...fixture<{ entries: { op: string }[] }>('ops').entries.map((e) => e.op),
  ...fixture<{ entries: { op: string }[] }>('registry_ops').entries.map((e) => e.op),
]);

describe('every registry entry is complete', () => {
  it('has many entries, each name once, in every family', () => {
    const names = allEntries().map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(ELEMENTWISE.length).toBeGreaterThanOrEqual(44);
    expect(familyNames()).toEqual(['elementwise', 'reduction', 'nn', 'indexing', 'linalg']);
    for (const f of familyNames()) expect(familyOf(f).length, f).toBeGreaterThan(0);
    expect(names.length).toBe(familyNames().reduce((n, f) => n + familyOf(f).length, 0));
  });

  it.each(ELEMENTWISE.map((e) => [e.name, e] as const))('%s', (name, e) => {
    expect(e.doc.length, 'doc line').toBeGreaterThan(5);
    expect(e.js, 'js expression').toMatch(/\S/);
    expect(e.gradName).toMatch(/^[A-Z]\w*Backward\d$/);
    expect(e.inputs.length).toBe(e.arity);
    expect(e.rules.length, 'one rule per input').toBe(e.arity);
    expect(e.formulas?.length, 'one formula per input').toBe(e.arity);
    // the runtime op (the TypeScript export line), the method, the kernel scalar form
    expect(typeof (nb as any)[name], `runtime export ${name}`).toBe('function');
    expect((nb as any)[name].name, 'the function carries its op name').toBe(name);
    expect(typeof (Tensor.prototype as any)[name], `method ${name}`).toBe('function');
    expect((e.arity === 1 ? REAL_UNARY : REAL_BINARY)[name], 'scalar form').toBeTypeOf('function');
    // the builtin, with the entry's params
    const surface = e.surface ?? 'builtin';
    if (surface !== 'operator') {
      const d = builtins.defs.get(name);
      expect(d, `builtin ${name}`).toBeDefined();
      if (surface === 'builtin')
        expect(d!.params.map((p) => p.name)).toEqual([...e.inputs, ...(e.params ?? []).map((p) => p.name)]);
    }
    // the PyTorch fixture row
    expect(fixtureOps.has(name), `a row for ${name} in scripts/torch_fixtures.py`).toBe(true);
  });

  it('the TypeScript export lines name only registry ops (a misspelt name would export undefined)', () => {
    for (const [k, v] of [...Object.entries(unaryModule), ...Object.entries(binaryModule)])
      expect(v, `export ${k}`).toBeDefined();
  });

  it.each(
    allEntries()
      .filter((e) => e.family !== 'elementwise')
      .map((e) => [`${e.family} ${e.name}`, e] as const),
  )('%s', (_label, e) => {
    expect(e.doc.length, 'doc line').toBeGreaterThan(5);
    // it takes a tensor: an input, or a tensor-kind param (einsum's equation comes before its *operands)
    expect(
      e.inputs.length + (e.params ?? []).filter((p) => p.kind === 'tensor' || p.kind === 'tensors').length,
      'tensor inputs',
    ).toBeGreaterThan(0);
    // a param without a default is a required positional argument, so it must say how it converts
    for (const p of e.params ?? [])
      expect('default' in p || p.kind !== undefined, `${p.name} has a default or a kind`).toBe(true);
    expect(e.formulas === undefined || e.formulas.every((f) => f.length > 5), 'formula text').toBe(true);
    const surface = e.surface ?? 'builtin';
    if (surface === 'builtin') expect(typeof (e as { forward?: unknown }).forward, 'forward').toBe('function');
    if (e.method)
      expect(
        typeof (Tensor.prototype as any)[e.name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())],
        'TypeScript method',
      ).toBe('function');
    if (surface !== 'operator') {
      const d = builtins.defs.get(e.name);
      expect(d, `builtin ${e.name}`).toBeDefined();
      if (surface === 'builtin')
        expect(d!.params.map((p) => p.name)).toEqual([...e.inputs, ...(e.params ?? []).map((p) => p.name)]);
    }
  });

  it('kernel fns have an expression each and no op name twice', () => {
    for (const k of KERNEL_FNS) expect(k.js, k.name).toMatch(/\S/);
    const all = [...ELEMENTWISE, ...KERNEL_FNS].map((e) => e.name);
    expect(new Set(all).size).toBe(all.length);
  });
});

// ---- formulas against rules ----------------------------------------------------------------------

/** Evaluates a parsed formula on numbers, with the js kernels' own scalar functions for calls. */
function evaluate(e: Expr, env: Record<string, number>): number {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'sym':
      if (!(e.name in env)) throw new Error(`no value for ${e.name}`);
      return env[e.name];
    case 'add':
      return e.terms.reduce((s, t) => s + evaluate(t, env), 0);
    case 'mul':
      // a / b parses as a * b^-1: divide, so x / x is exactly 1 (trunc and floor of it are sensitive)
      return e.factors.reduce(
        (p, f) =>
          f.k === 'pow' && f.exp.k === 'num' && f.exp.v === -1 ? p / evaluate(f.base, env) : p * evaluate(f, env),
        1,
      );
    case 'pow':
      return Math.pow(evaluate(e.base, env), evaluate(e.exp, env));
    case 'cmp': {
      const v = e.args.map((a) => evaluate(a, env));
      const cmp: Record<string, (a: number, b: number) => boolean> = {
        '<': (a, b) => a < b,
        '>': (a, b) => a > b,
        '<=': (a, b) => a <= b,
        '>=': (a, b) => a >= b,
        '==': (a, b) => a === b,
        '!=': (a, b) => a !== b,
      };
      return e.ops.every((op, i) => cmp[op](v[i], v[i + 1])) ? 1 : 0;
    }
    case 'call': {
      const a = e.args.map((x) => evaluate(x, env));
      if (e.fn === 'where') return a[0] ? a[1] : a[2];
      const f = a.length === 1 ? REAL_UNARY[e.fn] : REAL_BINARY[e.fn];
      if (!f) throw new Error(`formula calls ${e.fn}, which has no scalar form`);
      return (f as (...v: number[]) => number)(...a);
    }
    default:
      throw new Error(`${e.k} has no numeric value`);
  }
}

/** Inputs that exercise masks and ties: zeros, ±1, equal pairs, then random values in ±3. */
function samplePoints(arity: 1 | 2, seed: number): number[][] {
  const special = [0, 1, -1, 0.5, -0.5, 2, -2, 1.5];
  const r = rng(seed);
  const random = Array.from({ length: 24 }, () => Math.round((r() * 6 - 3) * 1000) / 1000);
  const xs = [...special, ...random];
  if (arity === 1) return [xs];
  // pairs: each special value against each (ties included), then random pairs and random ties
  const a: number[] = [];
  const b: number[] = [];
  for (const p of special) for (const q of special) (a.push(p), b.push(q));
  random.forEach((v, i) => (a.push(v), b.push(i % 3 === 0 ? v : random[(i + 7) % random.length])));
  return [a, b];
}

const close = (got: number, want: number) =>
  (Number.isNaN(got) && Number.isNaN(want)) || got === want || Math.abs(got - want) <= 1e-9 * (1 + Math.abs(want));

describe('each formula is the function its rule computes (ties, zeros and masked cases included)', () => {
  const checked = ELEMENTWISE.filter((e) => !e.zeroGrad);
  it.each(checked.map((e) => [e.name, e] as const))('%s', (name, e: ElementwiseEntry) => {
    const cols = samplePoints(e.arity, name.length);
    const n = cols[0].length;
    // numeric params off their defaults; a string choice (gelu's approximate) each way, as its index in the formula
    const numeric = Object.fromEntries(
      (e.params ?? []).filter((p) => !p.choices).map((p) => [p.name, (p.default as number) + 0.15]),
    );
    const choice = (e.params ?? []).find((p) => p.choices);
    const variants = choice
      ? choice.choices!.map((c, k) => ({ op: { ...numeric, [choice.name]: c }, env: { ...numeric, [choice.name]: k } }))
      : [{ op: numeric, env: numeric }];
    for (const v of variants) {
      const xs = cols.map((c) => nb.tensor(c, { dtype: 'float64', requiresGrad: true }));
      const op = (nb as any)[name] as (...a: unknown[]) => Tensor;
      const out = e.params ? op(xs[0], v.op) : op(...xs);
      const r = rng(99);
      const gv = Array.from({ length: n }, () => r() * 2 - 1);
      const g = nb.tensor(gv, { dtype: 'float64' });
      const grads = nb.grad(nb.sum(nb.mul(out, g)), xs, { allowUnused: true }) as (Tensor | null)[];
      const outv = Array.from(out.toHost());
      e.formulas!.forEach((text, i) => {
        const expr = parseFormula(text, (name) => ({ k: 'sym', name }));
        const rule = grads[i] ? Array.from(grads[i]!.toHost()) : new Array(n).fill(0);
        for (let k = 0; k < n; k++) {
          const env: Record<string, number> = {
            g: gv[k],
            out: outv[k],
            x0: cols[0][k],
            ...(cols[1] ? { x1: cols[1][k] } : {}),
            ...v.env,
          };
          const want = evaluate(expr, env);
          expect(
            close(rule[k], want),
            `${name} ${JSON.stringify(v.op)} input ${i + 1} at (${cols.map((c) => c[k]).join(', ')}): rule ${rule[k]}, formula "${text}" ${want}`,
          ).toBe(true);
        }
      });
    }
  });
});

// ---- numbers and 0-d tensors ----------------------------------------------------------------------

describe('plain numbers and 0-d tensors agree on every builtin op', () => {
  const points = [-2.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 2.5, 3, NaN, Infinity, -Infinity];
  const viaBuiltin = ELEMENTWISE.filter((e) => (e.surface ?? 'builtin') !== 'operator');
  it.each(viaBuiltin.map((e) => [e.name, e] as const))('%s', (name, e) => {
    const impl = builtins.defs.get(name)!.impl;
    const defaults = (e.params ?? []).map((p) => p.default);
    const pairs =
      e.arity === 1 ? points.map((p) => [p]) : points.flatMap((p) => points.slice(0, 11).map((q) => [p, q]));
    for (const args of pairs) {
      const num = impl(...args, ...defaults) as number;
      expect(typeof num, `${name}(${args}) on numbers is a number`).toBe('number');
      const t = impl(...args.map((v) => nb.tensor(v, { dtype: 'float64' })), ...defaults) as Tensor;
      expect(t.rank).toBe(0);
      const tv = t.item() as number;
      expect(
        Object.is(num, tv) || (Number.isNaN(num) && Number.isNaN(tv)) || num === tv,
        `${name}(${args.join(', ')}): number ${num}, tensor ${tv}`,
      ).toBe(true);
    }
  });

  it('fixes the old disagreements: round halves to even, sigmoid is stable, sign(nan) is 0', () => {
    const call = (name: string, ...a: number[]) => builtins.defs.get(name)!.impl(...a) as number;
    expect([call('round', 0.5), call('round', 1.5), call('round', 2.5), call('round', -0.5)]).toEqual([0, 2, 2, -0]);
    expect(call('sigmoid', -1000)).toBe(0);
    expect(call('sigmoid', 1000)).toBe(1);
    expect(call('sign', NaN)).toBe(0);
  });
});

describe('max and min with indices=true', () => {
  it('give (values, indices) along one axis, the values differentiable, as torch.max(x, dim)', () => {
    const r = runNabla(
      'x = param([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])\nv, i = max(x, axis=1, indices=true)\nsum(v).backward()\nprint(v.tolist(), i.tolist(), x.grad.tolist())\nprint(min(x, axis=0, indices=true)[1].tolist())',
    );
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe('[5, 7] [1, 0] [[0, 1, 0], [1, 0, 0]]\n[0, 1, 0]\n');
  });

  it('need an axis', () => {
    const r = runNabla('max(tensor([1.0, 2.0]), indices=true)');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.evalue).toMatch(/indices=true needs one axis/);
  });
});

describe('compiled (fused) loops run the registry expressions, params and helpers included', () => {
  it('leaky_relu, elu, erf and fmod give the eager values when compiled', () => {
    const f = (x: Tensor) =>
      nb.add(nb.add(nb.leaky_relu(x, { negative_slope: 0.3 }), nb.elu(x, { alpha: 0.7 })), nb.fmod(nb.erf(x), 0.4));
    const c = nb.compile(f);
    const x = nb.tensor([-2, -0.5, 0, 0.25, 1.5, 3]);
    const want = Array.from(f(x).toHost());
    for (let k = 0; k < 3; k++) expect(Array.from(c(x).toHost())).toEqual(want);
    expect(c.info.replays).toBeGreaterThan(0);
    expect(c.info.source).toMatch(/0\.3/);
  });
});
