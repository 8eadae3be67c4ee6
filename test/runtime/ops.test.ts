import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { IndexItem, Tensor } from '../../runtime';
import {
  F32,
  F64,
  checkGrads,
  pinBackend,
  runnableBackends,
  expectClose,
  fixture,
  load,
  orZeros,
  rng,
  values,
  type Fx,
  type Real,
  type Tol,
} from './helpers';

/**
 * One table over all ops (STYLE.md point 8), against two oracles: PyTorch (test/fixtures/torch/ops.json —
 * output, VJP and second order, in float64 and float32) and float64 central finite differences (orders 1
 * and 2, via checkGrads). Each fixture entry names a torch op and its attributes; OPS maps those to Nabla.
 */
interface Input {
  name: string;
  value: Fx;
  input_transposed: boolean;
  stored_value?: Fx;
}
interface Entry {
  name: string;
  op: string;
  expr: string;
  inputs: Input[];
  attrs: Record<string, any>;
  output: Fx;
  cotangent: Fx;
  vjp: Fx[];
  second_order: null | { input: string; u: Fx; grads: Fx[] }[];
  indices?: Fx;
  note?: string;
}

type IndexSpec = { int: number } | { slice: [number | null, number | null, number | null] } | { tensor: number[] };

interface OpSpec {
  /** The fixture attributes this mapping understands; an entry with any other attribute fails. */
  attrs: string[];
  run(xs: Tensor[], attrs: Record<string, any>, dtype: Real): Tensor;
}

const unary = (f: (x: Tensor) => Tensor): OpSpec => ({ attrs: [], run: ([x]) => f(x) });

/** a op b, or a op scalar / scalar op a (torch's `2.5 - a` is {scalar: 2.5, reversed: true}). */
const arith = (f: (a: Tensor | number, b: Tensor | number) => Tensor): OpSpec => ({
  attrs: ['scalar', 'reversed'],
  run: ([a, b], { scalar, reversed }) => (scalar === undefined ? f(a, b) : reversed ? f(scalar, a) : f(a, scalar)),
});

const reduction = (f: (x: Tensor, o: nb.ReduceOptions) => Tensor): OpSpec => ({
  attrs: ['dim', 'keepdim'],
  run: ([x], { dim, keepdim }) => f(x, { axis: dim, keepdim: !!keepdim }),
});

/** torch index specs → Nabla items. Integer lists go in as a plain list in float64 and as a tensor in float32, to cover both forms. */
function indexItems(spec: IndexSpec[], dtype: Real): IndexItem[] {
  return spec.map((s) => {
    if ('int' in s) return s.int;
    if ('slice' in s) return { start: s.slice[0], stop: s.slice[1], step: s.slice[2] };
    return dtype === 'float64' ? [...s.tensor] : nb.tensor(s.tensor);
  });
}

const OPS: Record<string, OpSpec> = {
  add: arith(nb.add),
  sub: arith(nb.sub),
  mul: arith(nb.mul),
  div: arith(nb.div),
  pow: {
    attrs: ['exponent', 'base'],
    run: ([a, b], { exponent, base }) =>
      exponent !== undefined ? nb.pow(a, exponent) : base !== undefined ? nb.pow(base, a) : nb.pow(a, b),
  },
  matmul: { attrs: [], run: ([a, b]) => nb.matmul(a, b) },
  neg: unary(nb.neg),
  exp: unary(nb.exp),
  log: unary(nb.log),
  sqrt: unary(nb.sqrt),
  sin: unary(nb.sin),
  cos: unary(nb.cos),
  tan: unary(nb.tan),
  tanh: unary(nb.tanh),
  sigmoid: unary(nb.sigmoid),
  relu: unary(nb.relu),
  abs: unary(nb.abs),
  sign: unary(nb.sign),
  round: unary(nb.round),
  floor: unary(nb.floor),
  softplus: {
    attrs: ['beta', 'threshold'],
    run: ([x], { beta, threshold }) => {
      // Nabla's softplus is torch's with beta = 1; torch switches to x above `threshold`, which these inputs never reach
      if (beta !== 1 || Math.max(...values(nb.abs(x))) >= threshold)
        throw new Error('softplus: only beta = 1 below the threshold is mapped');
      return nb.softplus(x);
    },
  },
  clamp: { attrs: ['min', 'max'], run: ([x], { min, max }) => nb.clamp(x, min, max) },
  where: { attrs: ['cond'], run: ([a, b], { cond }) => nb.where(load(cond), a, b) },
  sum: reduction(nb.sum),
  mean: reduction(nb.mean),
  max: reduction(nb.max),
  min: reduction(nb.min),
  norm: {
    attrs: ['p', 'dim'],
    run: ([x], { p, dim }) => {
      if (p !== 2) throw new Error('norm: only the 2-norm is mapped');
      return nb.norm(x, { axis: dim });
    },
  },
  reshape: { attrs: ['shape'], run: ([x], { shape }) => nb.reshape(x, shape) },
  transpose: { attrs: ['dim0', 'dim1'], run: ([x], { dim0, dim1 }) => nb.transpose(x, dim0, dim1) },
  permute: { attrs: ['dims'], run: ([x], { dims }) => nb.permute(x, dims) },
  squeeze: { attrs: ['dim'], run: ([x], { dim }) => nb.squeeze(x, dim) },
  unsqueeze: { attrs: ['dim'], run: ([x], { dim }) => nb.unsqueeze(x, dim) },
  expand: { attrs: ['shape'], run: ([x], { shape }) => nb.expand(x, shape) },
  cat: { attrs: ['dim'], run: (xs, { dim }) => nb.concat(xs, dim) },
  stack: { attrs: ['dim'], run: (xs, { dim }) => nb.stack(xs, dim) },
  index: { attrs: ['index', 'python'], run: ([x], { index }, dtype) => nb.index(x, indexItems(index, dtype)) },
};

const entries = fixture<{ entries: Entry[] }>('ops').entries;

/** The op's inputs as PyTorch saw them: a transposed input is a non-contiguous view of a stored leaf. */
function buildInputs(e: Entry, dtype: Real): Tensor[] {
  return e.inputs.map((inp) => {
    if (!inp.input_transposed) return load(inp.value, { dtype, requiresGrad: true });
    const stored = load(inp.stored_value!, { dtype, requiresGrad: true });
    const view = nb.transpose(stored);
    expect(view.isContiguous, `${inp.name} should be a non-contiguous view`).toBe(false);
    return view;
  });
}

const apply = (e: Entry, xs: Tensor[], dtype: Real) => OPS[e.op].run(xs, e.attrs, dtype);

/** Output, VJP (d/dx_i of sum(out * v)) and, where the fixture has them, the second-order values. */
function againstTorch(e: Entry, dtype: Real, tol: Tol): void {
  const xs = buildInputs(e, dtype);
  xs.forEach((x, i) => expectClose(x, e.inputs[i].value, tol, `input ${e.inputs[i].name}`));
  const out = apply(e, xs, dtype);
  expect(out.dtype).toBe(dtype);
  expectClose(out, e.output, tol, 'output');
  const v = load(e.cotangent, { dtype });
  const createGraph = e.second_order !== null;
  const vjp = (nb.grad(nb.sum(nb.mul(out, v)), xs, { allowUnused: true, createGraph }) as (Tensor | null)[]).map(
    (g, i) => orZeros(g, xs[i]),
  );
  vjp.forEach((g, i) => {
    expect(g.dtype).toBe(dtype);
    expectClose(g, e.vjp[i], tol, `VJP for ${e.inputs[i].name}`);
  });
  if (!e.second_order) return;
  e.second_order.forEach((so, i) => {
    expect(so.input).toBe(e.inputs[i].name);
    const u = load(so.u, { dtype });
    // a gradient that does not depend on any input (e.g. of a + b) has no graph: its derivatives are zero
    const hs = vjp[i].requiresGrad
      ? (nb.grad(nb.sum(nb.mul(vjp[i], u)), xs, { allowUnused: true }) as (Tensor | null)[]).map((h, j) =>
          orZeros(h, xs[j]),
        )
      : xs.map((x) => nb.zerosLike(x));
    hs.forEach((h, j) => expectClose(h, so.grads[j], tol, `d/d${e.inputs[j].name} of sum(VJP_${so.input} * u)`));
  });
}

/** max/min with dim: PyTorch's argmax/argmin indices are where Nabla's gradient lands (the values are distinct). */
function gradientLandsAtIndices(e: Entry): void {
  const xs = buildInputs(e, 'float64');
  const x = xs[0];
  const dim = e.attrs.dim < 0 ? e.attrs.dim + x.rank : e.attrs.dim;
  const g = values(nb.grad(nb.sum(apply(e, xs, 'float64')), x) as Tensor);
  const idx = e.indices!.data as number[];
  const strides = x.shape.map((_, d) => x.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const hits: number[] = [];
  for (let p = 0; p < g.length; p++) {
    const at = x.shape.map((_, d) => Math.floor(p / strides[d]) % x.shape[d]);
    const reduced = at.filter((_, d) => d !== dim);
    const r = reduced.reduce((acc, c, k) => acc * x.shape.filter((_, d) => d !== dim)[k] + c, 0);
    if (at[dim] === idx[r]) hits.push(p);
    expect(g[p], `gradient at flat position ${p}`).toBe(at[dim] === idx[r] ? 1 : 0);
  }
  expect(hits.length).toBe(idx.length);
}

describe('the op table', () => {
  it('maps every op and every attribute of the fixtures, and every mapping is used', () => {
    expect(entries.length).toBe(106);
    for (const e of entries) {
      expect(OPS[e.op], `no mapping for torch op '${e.op}' (${e.name})`).toBeDefined();
      for (const k of Object.keys(e.attrs)) expect(OPS[e.op].attrs, `${e.name}: attribute '${k}'`).toContain(k);
    }
    expect(new Set(entries.map((e) => e.op))).toEqual(new Set(Object.keys(OPS)));
  });
});

describe.each(entries.map((e) => [e.name, e] as const))('%s', (_name, e) => {
  it('matches PyTorch in float64 (output, VJP, second order)', () => againstTorch(e, 'float64', F64));

  it('agrees with float64 finite differences, orders 1 and 2', () => {
    const points = e.inputs.map((inp) => load(inp.input_transposed ? inp.stored_value! : inp.value));
    const f = (...leaves: Tensor[]) =>
      apply(
        e,
        leaves.map((l, i) => (e.inputs[i].input_transposed ? nb.transpose(l) : l)),
        'float64',
      );
    checkGrads(f, points, { order: 2, seed: e.name.length });
  });

  if (e.indices) it("sends the gradient to PyTorch's argmax/argmin indices", () => gradientLandsAtIndices(e));
});

/** The backends that can run here, each pinned in turn (float64 always takes the js reference path). */
const runnable = runnableBackends();

describe.each(runnable)('float32 on the %s backend', (backend) => {
  const callsSincePinned = pinBackend(backend);

  it.each(entries.map((e) => [e.name, e] as const))('%s matches PyTorch (output, VJP, second order)', (_name, e) => {
    expect(nb.getBackend().name).toBe(backend);
    againstTorch(e, 'float32', F32);
  });

  if (backend !== 'js') {
    it("ran the backend's own kernels, not only the js fallback", () => {
      expect(callsSincePinned()).toBeGreaterThan(100);
    });
  }
});

it('the reference js backend is among those the float32 table ran on', () => {
  expect(runnable).toContain('js');
});

// ---- beyond the fixtures: the rest of Nabla's differentiable ops, and inputs with unusual layouts --------

const gen = rng(2024);
const fill = (shape: number[], f: () => number) =>
  nb.Tensor.fromHost(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f), shape, 'float64');
/** Values in [-1.5, -0.2] ∪ [0.2, 1.5]: away from the kinks of abs, relu, sign and from division by 0. */
const r = (...shape: number[]) => fill(shape, () => (gen() < 0.5 ? -1 : 1) * (0.2 + 1.3 * gen()));
const pos = (...shape: number[]) => fill(shape, () => 0.5 + gen());
/** Distinct values at least 0.5 apart (no ties for max/min/maximum). */
function distinct(...shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => i - n / 2 + 0.25 * gen());
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen() * (i + 1));
    [vals[i], vals[j]] = [vals[j], vals[i]];
  }
  return fill(
    shape,
    (
      (k) => () =>
        vals[k++]
    )(0),
  );
}

const T = (x: Tensor) => nb.transpose(x);
/** Every other row: a view with a step, so a non-unit stride and (for [::2]) an offset-free window. */
const everyOther = (x: Tensor) => nb.index(x, [{ start: null, stop: null, step: 2 }]);
/** Complex results leave through a float64 cast, so checkGrads sees a real function of real inputs. */
const f64 = (x: Tensor) => nb.cast(x, 'float64');

interface Extra {
  name: string;
  inputs: Tensor[];
  f: (...xs: Tensor[]) => Tensor;
  order?: number;
  /** Complex tensors are complex64 (float32 parts): see COMPLEX_FD. */
  complex?: boolean;
}

// complex64 holds float32 parts, so these finite differences take eps = 3e-3 (truncation ~eps^2 ~ 1e-5,
// float32 roundoff ~6e-8 / eps ~ 2e-5) and a 2e-3 tolerance; a wrong conjugation or sign is off by O(1)
const COMPLEX_FD = { eps: 3e-3, rtol: 2e-3, atol: 2e-3 };

const EXTRAS: Extra[] = [
  { name: 'maximum, broadcast (2,3) with (3,)', inputs: [distinct(2, 3), distinct(3)], f: (a, b) => nb.maximum(a, b) },
  { name: 'minimum, transposed a', inputs: [distinct(3, 2), distinct(2, 3)], f: (a, b) => nb.minimum(T(a), b) },
  { name: 'maximum with a number', inputs: [distinct(2, 3)], f: (a) => nb.maximum(a, 0.1) },
  { name: 'square of a transposed view', inputs: [r(3, 2)], f: (x) => nb.square(T(x)) },
  { name: 'clone of a stepped view', inputs: [r(4, 3)], f: (x) => nb.mul(nb.clone(everyOther(x)), x.index(1)) },
  { name: 'contiguous of a transposed view', inputs: [r(3, 2)], f: (x) => nb.exp(nb.contiguous(T(x))) },
  { name: 'flatten of a transposed view', inputs: [r(3, 2), r(6)], f: (x, w) => nb.mul(nb.flatten(T(x)), w) },
  { name: 'outer', inputs: [r(3), r(4)], f: (a, b) => nb.outer(a, b) },
  { name: 'dot', inputs: [r(4), r(4)], f: (a, b) => nb.dot(a, b) },
  {
    name: 'adjoint of a real batch (last two axes)',
    inputs: [r(2, 3, 4), r(2, 4, 3)],
    f: (x, w) => nb.mul(nb.adjoint(x), w),
  },
  { name: '.T reverses all axes', inputs: [r(2, 3, 4), r(4, 3, 2)], f: (x, w) => nb.mul(x.T, w) },
  {
    name: 'index: new axis, negative slice bounds, an int',
    inputs: [r(4, 5)],
    f: (x) => nb.sin(nb.index(x, [null, { start: -3, stop: null }, 1])),
  },
  { name: 'index: gather on a stepped view', inputs: [r(5, 3)], f: (x) => nb.index(everyOther(x), [[2, 0, 2, 1]]) },
  {
    name: 'index: negative integer list along axis 1 of a transposed view',
    inputs: [r(4, 3)],
    f: (x) => nb.index(T(x), [{ start: null }, [-1, 0, -1]]),
  },
  {
    name: 'sum over axes 0 and 2 keepdim, transposed 3-d view',
    inputs: [r(4, 3, 2)],
    f: (x) => nb.sum(nb.permute(x, [2, 1, 0]), { axis: [0, 2], keepdim: true }),
  },
  { name: 'mean over axes [0, 1]', inputs: [r(2, 3, 4)], f: (x) => nb.mean(x, { axis: [0, 1] }) },
  { name: 'max over axes [0, -1]', inputs: [distinct(2, 3, 4)], f: (x) => nb.max(x, { axis: [0, -1] }) },
  {
    name: 'min keepdim of a transposed view',
    inputs: [distinct(4, 3)],
    f: (x) => nb.min(T(x), { axis: 1, keepdim: true }),
  },
  {
    name: 'norm keepdim of a broadcast (stride-0) view',
    inputs: [r(3)],
    f: (x) => nb.norm(nb.expand(x, [2, 3]), { axis: 1, keepdim: true }),
  },
  { name: 'matmul, both operands transposed', inputs: [r(3, 2), r(4, 3)], f: (a, b) => nb.matmul(T(a), T(b)) },
  {
    name: 'matmul, batch broadcast (1,3,4) @ (2,4,5) from a permute',
    inputs: [r(1, 3, 4), r(5, 2, 4)],
    f: (a, b) => nb.matmul(a, nb.permute(b, [1, 2, 0])),
  },
  {
    name: 'matmul of an expanded (stride-0) batch',
    inputs: [r(3, 4), r(2, 4, 2)],
    f: (a, b) => nb.matmul(nb.expand(a, [2, 3, 4]), b),
  },
  { name: 'matmul vector @ batch', inputs: [r(3), r(2, 3, 4)], f: (a, b) => nb.matmul(a, b) },
  {
    name: 'where: broadcast condition, a number and a transposed tensor',
    inputs: [r(3, 2)],
    f: (b) => nb.where(nb.tensor([true, false, true]), 0.5, nb.mul(T(b), T(b))),
  },
  {
    name: 'pow: expanded base, transposed exponent',
    inputs: [pos(3), r(3, 2)],
    f: (a, b) => nb.pow(nb.expand(a, [2, 3]), T(b)),
  },
  { name: 'number / broadcast tensor', inputs: [r(1, 3)], f: (a) => nb.div(2, nb.expand(a, [2, 3])) },
  { name: 'pow with exponent 1 and 0', inputs: [r(2, 3)], f: (a) => nb.add(nb.pow(a, 1), nb.mul(nb.pow(a, 0), a)) },
  { name: 'exp of a broadcast (stride-0) view', inputs: [r(3, 1)], f: (x) => nb.exp(nb.expand(x, [3, 4])) },
  { name: 'sigmoid of a stepped view', inputs: [r(5, 2)], f: (x) => nb.sigmoid(everyOther(x)) },
  { name: 'log of a reshaped transposed view', inputs: [pos(3, 2)], f: (x) => nb.log(nb.reshape(T(x), [3, 2])) },
  {
    name: 'concat of a transposed and an expanded input',
    inputs: [r(3, 2), r(1, 2)],
    f: (a, b) => nb.concat([T(a), nb.expand(b, [2, 2]), T(a)], 1),
  },
  { name: 'stack along the last axis', inputs: [r(2, 3), r(3, 2)], f: (a, b) => nb.stack([a, T(b)], -1) },
  {
    name: 'squeeze/unsqueeze/expand chain',
    inputs: [r(3, 1)],
    f: (x) => nb.squeeze(nb.expand(nb.unsqueeze(x, 0), [2, 3, 1]), -1),
  },
  {
    name: 'clamp of a transposed view (max only)',
    inputs: [fill([3, 2], () => (gen() < 0.5 ? -0.6 : 0.6) + 0.4 * (gen() - 0.5))],
    f: (x) => nb.clamp(T(x), null, 0.1),
  },
  { name: 'a value used twice (accumulation)', inputs: [r(2, 3)], f: (x) => nb.mul(nb.tanh(x), nb.exp(x)) },
  {
    name: 'tanh network to order 3',
    inputs: [r(4, 3), r(2, 3), r(2)],
    f: (x, W, b) => nb.sum(nb.pow(nb.tanh(nb.add(nb.matmul(x, T(W)), b)), 2), { axis: 1 }),
    order: 3,
  },
  // complex ops, as real functions of real and imaginary parts
  {
    name: 'complex: abs(exp(complex(a, b)))',
    inputs: [r(3), r(3)],
    f: (a, b) => f64(nb.abs(nb.exp(nb.complex(a, b)))),
    complex: true,
  },
  {
    name: 'complex: angle(complex(a, b))',
    inputs: [r(3), r(3)],
    f: (a, b) => f64(nb.angle(nb.complex(a, b))),
    complex: true,
  },
  {
    name: 'complex: real and imag of z * conj(w)',
    inputs: [r(3), r(3), r(3), r(3)],
    f: (a, b, c, d) =>
      f64(
        nb.add(
          nb.real(nb.mul(nb.complex(a, b), nb.conj(nb.complex(c, d)))),
          nb.imag(nb.mul(nb.complex(a, b), nb.complex(c, d))),
        ),
      ),
    complex: true,
  },
  {
    name: 'complex: |z / w|^2 and real(log(z))',
    inputs: [r(3), r(3), r(3), r(3)],
    f: (a, b, c, d) =>
      f64(nb.add(nb.pow(nb.abs(nb.div(nb.complex(a, b), nb.complex(c, d))), 2), nb.real(nb.log(nb.complex(a, b))))),
    complex: true,
  },
  {
    name: 'complex: abs of a complex matmul (transposed operand)',
    inputs: [r(3, 2), r(2, 3), r(2, 3)],
    f: (a, b, c) => f64(nb.abs(nb.matmul(nb.complex(a, T(c)), nb.complex(b, b)))),
    complex: true,
  },
  {
    name: 'complex: sum, index and z^3',
    inputs: [r(2, 3), r(2, 3)],
    f: (a, b) => f64(nb.abs(nb.sum(nb.pow(nb.index(nb.complex(a, b), [{ start: null }, [2, 0]]), 3), { axis: 0 }))),
    complex: true,
  },
];

describe.each(EXTRAS.map((x) => [x.name, x] as const))('beyond the fixtures: %s', (_name, x) => {
  it(`agrees with finite differences to order ${x.order ?? 2}`, () => {
    checkGrads(x.f, x.inputs, { order: x.order ?? 2, seed: x.name.length, ...(x.complex ? COMPLEX_FD : {}) });
  });
});

describe('the tables cover every op in the registries', () => {
  it('records each unary and binary op of runtime/ops in some entry', () => {
    const seen = new Set<string>();
    const walk = (t: Tensor) => {
      const stack = t.gradFn ? [t.gradFn] : [];
      const visited = new Set(stack);
      while (stack.length) {
        const n = stack.pop()!;
        seen.add(n.op.name);
        for (const c of n.next) if (c && !visited.has(c)) (visited.add(c), stack.push(c));
      }
    };
    for (const e of entries) walk(apply(e, buildInputs(e, 'float64'), 'float64'));
    for (const x of EXTRAS)
      walk(
        x.f(
          ...x.inputs.map((t) =>
            load({ shape: [...t.shape], dtype: 'float64', data: values(t) }, { requiresGrad: true }),
          ),
        ),
      );
    // the registry's newer ops have their rows in registry_ops.json (test/runtime/registry-ops.test.ts)
    const elsewhere = new Set(fixture<{ entries: { op: string }[] }>('registry_ops').entries.map((e) => e.op));
    const registry = [...Object.values(nb.UNARY_OPS), ...Object.values(nb.BINARY_OPS)].map((d) => d.name);
    expect(registry.length).toBeGreaterThan(20);
    expect(registry.filter((name) => !seen.has(name) && !elsewhere.has(name))).toEqual([]);
  });
});
