import { afterAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { familyOf, type ForwardEntry, type ParamDecl } from '../../runtime/ops/registry';
import {
  F32,
  F64,
  checkGrads,
  rng,
  expectClose,
  fixture,
  load,
  orZeros,
  pinBackend,
  runnableBackends,
  values,
  type Fx,
  type Real,
  type Tol,
} from './helpers';

/**
 * The indexing/shape and linear-algebra families of the op registry (declared in runtime/ops/families) against PyTorch
 * (test/fixtures/torch/family_ops.json, written by scripts/torch_fixtures.py: output, VJP and second order)
 * and float64 central finite differences of orders 1 and 2. Each fixture entry names a family entry and its
 * arguments by the entry's own parameter names, so this file calls the table's forwards directly: the same
 * functions the builtins call.
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
  inputs: Input[];
  args: Record<string, any>;
  out: number | null;
  complex_out: boolean;
  gram: boolean;
  fd: boolean;
  output: Fx;
  cotangent: Fx;
  vjp: Fx[];
  second_order: null | { input: number; u: Fx; grads: Fx[] }[];
  indices?: Fx;
  sign?: Fx;
}

const TABLE = new Map<string, ForwardEntry>(
  [...familyOf('indexing'), ...familyOf('linalg')].map((e) => [e.name, e as ForwardEntry]),
);

/** An entry's parameters in call order: its tensor inputs, then its params. */
const paramsOf = (def: ForwardEntry): ParamDecl[] => [
  ...def.inputs.map((name): ParamDecl => ({ name, kind: 'tensor' })),
  ...(def.params ?? []),
];

/** Runs an entry's forward (the function its builtin calls) with each parameter's value. */
function run(def: ForwardEntry, valueOf: (p: ParamDecl) => unknown): Tensor | Tensor[] {
  const kw = Object.fromEntries((def.params ?? []).map((p) => [p.name, valueOf(p)]));
  return def.forward(...def.inputs.map((name) => valueOf({ name, kind: 'tensor' })), kw);
}
const entries = fixture<{ entries: Entry[] }>('family_ops').entries;
const isComplexEntry = (e: Entry) => e.inputs.some((i) => i.value.dtype === 'complex128');

/** x x' + n I: positive definite, and symmetric in how a perturbation of x reaches it. */
function gram(a: Tensor): Tensor {
  const n = a.shape[a.rank - 1];
  return nb.add(nb.matmul(a, nb.adjoint(a)), nb.mul(nb.eye(n), n));
}

function call(e: Entry, xs: Tensor[]): Tensor {
  const def = TABLE.get(e.op)!;
  const ins = e.gram ? xs.map(gram) : xs;
  const r = run(def, (p) => {
    if (p.kind === 'tensors') return ins;
    const k = e.inputs.findIndex((i) => i.name === p.name);
    if (k >= 0) return ins[k];
    return p.name in e.args ? e.args[p.name] : p.default;
  });
  const y = Array.isArray(r) ? r[e.out ?? 0] : r;
  return e.complex_out ? nb.stack([nb.real(y), nb.imag(y)]) : y;
}

function buildInputs(e: Entry, dtype: Real): Tensor[] {
  return e.inputs.map((inp) => {
    if (!inp.input_transposed) return load(inp.value, { dtype, requiresGrad: true });
    const view = nb.transpose(load(inp.stored_value!, { dtype, requiresGrad: true }));
    expect(view.isContiguous).toBe(false);
    return view;
  });
}

function againstTorch(e: Entry, dtype: Real, tol: Tol): void {
  const xs = buildInputs(e, dtype);
  const out = call(e, xs);
  expectClose(out, e.output, tol, 'output');
  const v = load(e.cotangent, { dtype: out.dtype === 'float64' ? 'float64' : 'float32' });
  const createGraph = e.second_order !== null;
  const vjp = (nb.grad(nb.sum(nb.mul(out, v)), xs, { allowUnused: true, createGraph }) as (Tensor | null)[]).map(
    (g, i) => orZeros(g, xs[i]),
  );
  vjp.forEach((g, i) => expectClose(g, e.vjp[i], tol, `VJP for input ${i + 1} (${e.inputs[i].name})`));
  if (e.second_order) {
    e.second_order.forEach((so) => {
      const g = vjp[so.input];
      const u = load(so.u, { dtype });
      const hs = g.requiresGrad
        ? (
            nb.grad(nb.real(nb.sum(nb.mul(g, nb.conj(u)))), xs, {
              allowUnused: true,
              retainGraph: true,
            }) as (Tensor | null)[]
          ).map((h, j) => orZeros(h, xs[j]))
        : xs.map((x) => nb.zerosLike(x));
      hs.forEach((h, j) => expectClose(h, so.grads[j], tol, `d/d input ${j + 1} of sum(VJP_${so.input + 1} * u)`));
    });
  }
  if (e.indices) {
    const r = run(TABLE.get(e.op)!, (p) =>
      p.name === 'x' ? xs[0] : p.name in e.args ? e.args[p.name] : p.default,
    ) as Tensor[];
    expect(values(r[1])).toEqual(e.indices.data);
    expect(r[1].requiresGrad).toBe(false);
  }
  if (e.sign) expect(values(nb.slogdet(xs[0])[0])).toEqual(e.sign.data);
}

const C64: Tol = { rtol: 1e-4, atol: 1e-5 };
// complex64 holds float32 parts, so finite differences take eps = 3e-3 (as test/runtime/ops.test.ts does)
const COMPLEX_FD = { eps: 3e-3, rtol: 2e-3, atol: 2e-3 };

describe('the indexing and linalg families of the registry', () => {
  it('every fixture entry names a table entry and only its parameters, and every entry has fixtures', () => {
    expect(entries.length).toBe(78);
    for (const e of entries) {
      const def = TABLE.get(e.op);
      expect(def, `no table entry '${e.op}' (${e.name})`).toBeDefined();
      const names = paramsOf(def!).map((p) => p.name);
      for (const k of Object.keys(e.args)) expect(names, `${e.name}: argument '${k}'`).toContain(k);
      for (const i of e.inputs) expect(names, `${e.name}: input '${i.name}'`).toContain(i.name);
    }
    expect(new Set(entries.map((e) => e.op))).toEqual(new Set(TABLE.keys()));
  });

  it('every entry has a name, parameters, a doc line and a gradient formula', () => {
    for (const def of TABLE.values()) {
      expect(def.name).toMatch(/^[a-z_]+$/);
      expect(def.doc.length, def.name).toBeGreaterThan(20);
      // one text, or (a linalg rule's OpDef formulas, which the entry shares) one per input
      expect([1, def.inputs.length], `${def.name}: one formula, or one per input`).toContain(def.formulas?.length);
      for (const f of def.formulas!) expect(f.length, def.name).toBeGreaterThan(5);
      expect(typeof def.forward).toBe('function');
      for (const q of def.params ?? []) expect(q.kind, `${def.name}: '${q.name}' has a kind`).toBeDefined();
      const all = paramsOf(def);
      const required = all.filter((q) => !('default' in q) && !q.rest);
      expect(all.slice(0, required.length), `${def.name}: required parameters come first`).toEqual(required);
    }
  });
});

describe.each(entries.map((e) => [e.name, e] as const))('%s', (_name, e) => {
  if (isComplexEntry(e)) {
    it('matches PyTorch in complex64 (output, VJP, second order)', () => againstTorch(e, 'float32', C64));
    it('agrees with finite differences through complex(re, im), orders 1 and 2', () => {
      const parts = e.inputs.flatMap((inp) => {
        const d = inp.value.data as number[];
        return [0, 1].map((lane) =>
          nb.Tensor.fromHost(Float64Array.from(d.filter((_, k) => k % 2 === lane)), inp.value.shape, 'float64'),
        );
      });
      const f = (...ps: Tensor[]) =>
        nb.cast(
          call(
            e,
            e.inputs.map((_, i) => nb.complex(ps[2 * i], ps[2 * i + 1])),
          ),
          'float64',
        );
      checkGrads(f, parts, { order: 2, seed: e.name.length, ...COMPLEX_FD });
    });
    return;
  }
  it('matches PyTorch in float64 (output, VJP, second order)', () => againstTorch(e, 'float64', F64));
  if (e.fd) {
    it('agrees with float64 finite differences, orders 1 and 2', () => {
      const points = e.inputs.map((inp) => load(inp.input_transposed ? inp.stored_value! : inp.value));
      const f = (...leaves: Tensor[]) =>
        call(
          e,
          leaves.map((l, i) => (e.inputs[i].input_transposed ? nb.transpose(l) : l)),
        );
      checkGrads(f, points, { order: 2, seed: e.name.length });
    });
  }
});

describe.each(runnableBackends())('float32 on the %s backend', (backend) => {
  const callsSincePinned = pinBackend(backend);
  if (backend !== 'js') {
    afterAll(() => {
      // the entries ran on this backend's own kernels, not only on the js fallback
      expect(callsSincePinned()).toBeGreaterThan(100);
    });
  }
  it.each(entries.map((e) => [e.name, e] as const))('%s matches PyTorch', (_name, e) => {
    expect(nb.getBackend().name).toBe(backend);
    againstTorch(e, 'float32', isComplexEntry(e) ? C64 : F32);
  });
});

// ---- beyond the fixtures ------------------------------------------------------------------------------

const f64 = (data: number[], shape: number[]) => nb.Tensor.fromHost(Float64Array.from(data), shape, 'float64');

describe('family ops beyond the fixtures', () => {
  it('the tensor methods are the table forwards', () => {
    const x = f64([3, 1, 2, 6, 5, 4], [2, 3]);
    expect(values(x.flip([1]))).toEqual(values(nb.flip(x, [1])));
    expect(values(x.sort(1, true)[0])).toEqual([3, 2, 1, 6, 5, 4]);
    expect(values(x.indexSelect(1, [2]))).toEqual([2, 4]);
    const A = f64([4, 1, 2, 3], [2, 2]);
    expect(A.det().item()).toBeCloseTo(10, 12);
    expect(values(A.tril())).toEqual([4, 0, 2, 3]);
  });

  it('scatter_add with a src larger than the index uses its leading part (finite differences, orders 1 and 2)', () => {
    const f = (x: Tensor, src: Tensor) =>
      nb.mul(
        nb.scatterAdd(
          x,
          0,
          [
            [0, 1],
            [0, 0],
          ],
          src,
        ),
        nb.scatterAdd(x, 1, [[1], [1], [0]], src),
      );
    checkGrads(f, [f64([1, 2, 3, 4, 5, 6], [3, 2]), f64([0.5, -1, 2, 0.25, 3, -2, 1, 1.5, -0.5], [3, 3])], {
      order: 2,
    });
    expect(
      values(
        nb.scatterAdd(
          nb.zeros([3, 2], { dtype: 'float64' }),
          0,
          [
            [0, 1],
            [0, 0],
          ],
          f64([1, 2, 9, 3, 4, 9, 9, 9, 9], [3, 3]),
        ),
      ),
    ).toEqual([4, 4, 0, 2, 0, 0]); // torch.scatter_add's answer
  });

  it('pad, tile, roll and einsum compose with a second derivative (finite differences)', () => {
    const f = (x: Tensor, y: Tensor) =>
      nb.einsum('ij,kj->ik', [
        nb.mul(
          nb.pad(x, [1, -1, 0, 1], 'constant', 0.5),
          nb.pad(x, [1, 0, 1, 0], 'circular').index({ start: 0, stop: 3 }, { start: 0, stop: 3 }),
        ),
        nb.roll(nb.tile(y, [1, 3]), 1, 1),
      ]);
    checkGrads(f, [f64([0.3, -1.2, 0.7, 2.0, -0.4, 1.1], [2, 3]), f64([0.9, -0.6], [2, 1])], { order: 2 });
  });

  it('solve, inv, det and slogdet agree with each other and have third derivatives', () => {
    const A = f64([2, 0.5, -0.3, 0.1, 3, 0.7, -0.4, 0.2, 2.5], [3, 3]);
    checkGrads((a: Tensor) => nb.add(nb.det(a), nb.sum(nb.inv(a))), [A], { order: 3, rtol: 1e-5, atol: 1e-6 });
    const [s, la] = nb.slogdet(A);
    expect((s.item() as number) * Math.exp(la.item() as number)).toBeCloseTo(nb.det(A).item() as number, 12);
    const B = f64([1, 2, 3], [3]);
    const viaInv = values(nb.matmul(nb.inv(A), B));
    values(nb.solve(A, B)).forEach((v, i) => expect(v).toBeCloseTo(viaInv[i], 12));
  });

  it("a singular matrix: slogdet gives sign 0 and -inf, inv says it is singular, det's gradient is the cofactor matrix", () => {
    const S = f64([1, 2, 2, 4], [2, 2]);
    S.requiresGrad = true;
    const [s, la] = nb.slogdet(S);
    expect(s.item()).toBe(0);
    expect(la.item()).toBe(-Infinity);
    expect(Math.abs(nb.det(S).item() as number)).toBe(0);
    expect(() => nb.inv(S)).toThrow(/inv: the matrix of the input \[2, 2\] is singular/);
    expect(values(nb.grad(nb.det(S), S) as Tensor)).toEqual([4, -2, -2, 1]);
  });

  it("det's gradient past 4×4 (the inv route) agrees with finite differences, orders 1 and 2, and with the cofactor route", () => {
    const g = rng(7);
    const A = nb.Tensor.fromHost(
      Float64Array.from({ length: 25 }, (_, k) => (k % 6 === 0 ? 3 : 0) + g() - 0.5),
      [5, 5],
      'float64',
    );
    checkGrads((x: Tensor) => nb.det(x), [A], { order: 2 });
    const S = nb.Tensor.fromHost(
      Float64Array.from([...values(A).slice(0, 20), ...values(A).slice(0, 5)]),
      [5, 5],
      'float64',
    );
    S.requiresGrad = true;
    // a singular 5×5 takes the cofactor route: its gradient still has the adjugate's identity A' C = det(A) I = 0
    const C = nb.grad(nb.det(S), S) as Tensor;
    values(nb.matmul(nb.transpose(S), C)).forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-12));
    expect(values(C).some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });

  it("det's gradient at rank-deficient matrices (exactly singular) agrees with finite differences, orders 1 to 3", () => {
    const a = [0.7, -1.3, 0.4];
    // rank 1: the gradient (the cofactors) is zero, its derivative is not
    checkGrads((x: Tensor) => nb.det(x), [f64([...a, ...a.map((v) => 2 * v), ...a.map((v) => -v)], [3, 3])], {
      order: 3,
      rtol: 1e-5,
      atol: 1e-6,
    });
    checkGrads((x: Tensor) => nb.det(x), [f64([...a, 0.2, 0.5, -0.9, ...a], [3, 3])], {
      order: 3,
      rtol: 1e-5,
      atol: 1e-6,
    });
  });

  it('batched and broadcast linear algebra matches per-matrix results', () => {
    const As = f64([2, 1, 1, 3, 4, -1, 0.5, 2], [2, 2, 2]);
    const b = f64([1, -1], [2]);
    const X = nb.solve(As, nb.expand(nb.reshape(b, [1, 2]), [2, 2]));
    for (let k = 0; k < 2; k++) {
      const Ak = nb.index(As, [k]);
      expect(values(nb.index(X, [k])).map((v) => +v.toFixed(12))).toEqual(
        values(nb.solve(Ak, b)).map((v) => +v.toFixed(12)),
      );
      expect(nb.index(nb.det(As), [k]).item()).toBeCloseTo(nb.det(Ak).item() as number, 12);
    }
  });

  it("sort puts NaN last (first when descending) and keeps ties in order, as PyTorch's stable sort", () => {
    const x = f64([1, NaN, 0, NaN, 1], [5]);
    expect(values(nb.sort(x)[1])).toEqual([2, 0, 4, 1, 3]);
    expect(values(nb.sort(x, -1, true)[1])).toEqual([1, 3, 0, 4, 2]);
    expect(values(nb.sort(x, -1, true)[0])).toEqual([NaN, NaN, 1, 1, 0]);
  });

  it.each([
    [
      'gather',
      (z: Tensor) =>
        nb.gatherAlong(z, 1, [
          [2, 0],
          [1, 1],
        ]),
    ],
    ['index_select', (z: Tensor) => nb.indexSelect(z, 0, [1, 0, 1])],
    ['take_along_axis', (z: Tensor) => nb.takeAlongAxis(z, [[0, 1, 1]], 0)],
    ['scatter_add', (z: Tensor) => nb.scatterAdd(z, 0, [[1, 0, 1]], nb.flip(z, [0]))],
    ['flip', (z: Tensor) => nb.flip(z, [0, 1])],
    ['roll', (z: Tensor) => nb.roll(z, [1, 2], [0, 1])],
    ['tile', (z: Tensor) => nb.tile(z, [2, 1])],
    ['repeat_interleave', (z: Tensor) => nb.repeatInterleave(z, [2, 1, 0], 1)],
    ['pad', (z: Tensor) => nb.add(nb.pad(z, [1, 1, 0, 1], 'constant', 0.5), nb.pad(z, [1, 1, 0, 1], 'reflect'))],
    ['tril, triu', (z: Tensor) => nb.add(nb.tril(z), nb.mul(nb.triu(z, 1), z))],
    [
      'diag, trace',
      (z: Tensor) =>
        nb.mul(
          nb.diag(nb.diag(z, 1)),
          nb.trace(
            nb.index(z, [
              { start: 0, stop: 2 },
              { start: 0, stop: 2 },
            ]),
          ),
        ),
    ],
  ] as const)('%s on complex tensors: finite differences through complex(re, im), orders 1 and 2', (_name, op) => {
    const re = f64([0.3, -1.2, 0.7, 2.0, -0.4, 1.1], [2, 3]);
    const im = f64([0.5, 0.9, -0.8, 0.1, 1.3, -0.6], [2, 3]);
    const z = nb.complex(re, im);
    const out = op(z);
    expect(out.dtype).toBe('complex64');
    // the real and imaginary parts move together: op(z) = op(re) + i op(im) for the linear ops
    if (_name !== 'tril, triu' && _name !== 'diag, trace' && _name !== 'pad') {
      expectClose(nb.real(out), values(op(re)), C64, 'real part', out.shape);
      expectClose(nb.imag(out), values(op(im)), C64, 'imaginary part', out.shape);
    }
    checkGrads((a: Tensor, b: Tensor) => nb.cast(nb.abs(op(nb.complex(a, b))), 'float64'), [re, im], {
      order: 2,
      ...COMPLEX_FD,
    });
  });

  it('an overlong einsum equation or too many operands is refused, not run', () => {
    const x = f64([1, 2], [2]);
    expect(() => nb.einsum('i'.repeat(20000), [x])).toThrow(/too long/);
    expect(() => nb.einsum(Array(70).fill('i').join(','), Array(70).fill(x))).toThrow(/at most 64 operands/);
  });
});
