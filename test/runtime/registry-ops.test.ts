import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { ELEMENTWISE } from '../../runtime/ops/registry';
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
  values,
  type Fx,
  type Real,
  type Tol,
} from './helpers';

/**
 * The registry's newer ops (elementwise, reductions, nn) against PyTorch (test/fixtures/torch/registry_ops.json,
 * written by scripts/torch_fixtures_registry.py: output, VJP, second order) and float64 finite differences of
 * orders 1 and 2, then in float32 on every backend that runs here, as test/runtime/ops.test.ts does for the rest.
 */
interface Entry {
  name: string;
  op: string;
  inputs: { name: string; value: Fx; input_transposed: boolean }[];
  attrs: Record<string, any>;
  output: Fx;
  cotangent: Fx;
  vjp: Fx[];
  second_order: null | { input: string; u: Fx; grads: Fx[] }[];
  note?: string;
}

type Run = (xs: Tensor[], attrs: Record<string, any>, dtype: Real) => Tensor;
const el =
  (name: string): Run =>
  (xs, attrs) =>
    Object.keys(attrs).length ? (nb as any)[name](xs[0], attrs) : (nb as any)[name](...xs);
const axisOf = (dim: unknown) => (dim === null || dim === undefined ? null : (dim as number | number[]));
const target = (attrs: Record<string, any>, dtype: Real) => load(attrs.target, { dtype });

const OPS: Record<string, Run> = {
  // an elementwise entry runs as itself: its fixture attrs are its params (adding one is one entry plus one fixture row)
  ...Object.fromEntries(ELEMENTWISE.map((e) => [e.name, el(e.name)])),
  prod: ([x], a) => nb.prod(x, { axis: axisOf(a.dim), keepdim: a.keepdim }),
  var: ([x], a) => nb.variance(x, { axis: axisOf(a.dim), keepdim: a.keepdim, correction: a.correction }),
  std: ([x], a) => nb.std(x, { axis: axisOf(a.dim), keepdim: a.keepdim, correction: a.correction }),
  logsumexp: ([x], a) => nb.logsumexp(x, { axis: axisOf(a.dim), keepdim: a.keepdim }),
  norm: ([x], a) => nb.norm(x, { p: a.p === 'inf' ? Infinity : a.p, axis: axisOf(a.dim) }),
  cumsum: ([x], a) => nb.cumsum(x, a.dim),
  cumprod: ([x], a) => nb.cumprod(x, a.dim),
  softmax: ([x], a) => nb.softmax(x, { axis: a.dim }),
  log_softmax: ([x], a) => nb.log_softmax(x, { axis: a.dim }),
  cross_entropy: ([x], a, dt) =>
    nb.cross_entropy(x, target(a, dt), {
      reduction: a.reduction,
      label_smoothing: a.label_smoothing,
      weight: a.weight ? load(a.weight, { dtype: dt }) : null,
    }),
  nll_loss: ([x], a, dt) =>
    nb.nll_loss(x, target(a, dt), { reduction: a.reduction, weight: a.weight ? load(a.weight, { dtype: dt }) : null }),
  mse_loss: ([x, y], a) => nb.mse_loss(x, y, { reduction: a.reduction }),
  l1_loss: ([x, y], a) => nb.l1_loss(x, y, { reduction: a.reduction }),
  huber_loss: ([x, y], a) => nb.huber_loss(x, y, { reduction: a.reduction, delta: a.delta }),
  binary_cross_entropy: ([p], a, dt) => nb.binary_cross_entropy(p, target(a, dt), { reduction: a.reduction }),
  binary_cross_entropy_with_logits: ([x], a, dt) =>
    nb.binary_cross_entropy_with_logits(x, target(a, dt), {
      reduction: a.reduction,
      pos_weight: a.pos_weight ? load(a.pos_weight, { dtype: dt }) : null,
    }),
};

const entries = fixture<{ entries: Entry[] }>('registry_ops').entries;
const build = (e: Entry, dtype: Real) => e.inputs.map((inp) => load(inp.value, { dtype, requiresGrad: true }));
const apply = (e: Entry, xs: Tensor[], dtype: Real) => OPS[e.op](xs, e.attrs, dtype);

function againstTorch(e: Entry, dtype: Real, tol: Tol, secondOrder = true): void {
  const xs = build(e, dtype);
  const out = apply(e, xs, dtype);
  expect(out.dtype).toBe(dtype);
  expectClose(out, e.output, tol, 'output');
  const v = load(e.cotangent, { dtype });
  const vjp = (
    nb.grad(nb.sum(nb.mul(out, v)), xs, {
      allowUnused: true,
      createGraph: e.second_order !== null,
    }) as (Tensor | null)[]
  ).map((g, i) => orZeros(g, xs[i]));
  vjp.forEach((g, i) => expectClose(g, e.vjp[i], tol, `VJP for ${e.inputs[i].name}`));
  if (!secondOrder) return;
  e.second_order?.forEach((so, i) => {
    const u = load(so.u, { dtype });
    const hs = vjp[i].requiresGrad
      ? (nb.grad(nb.sum(nb.mul(vjp[i], u)), xs, { allowUnused: true, retainGraph: true }) as (Tensor | null)[]).map(
          (h, j) => orZeros(h, xs[j]),
        )
      : xs.map((x) => nb.zerosLike(x));
    hs.forEach((h, j) => expectClose(h, so.grads[j], tol, `d/d${e.inputs[j].name} of sum(VJP_${so.input} * u)`));
  });
}

describe('the registry op table', () => {
  it('maps every fixture op, and every non-elementwise mapping is used', () => {
    expect(entries.length).toBeGreaterThan(60);
    for (const e of entries) expect(OPS[e.op], e.op).toBeDefined();
    const used = new Set(entries.map((e) => e.op));
    expect(Object.keys(OPS).filter((k) => !used.has(k) && !ELEMENTWISE.some((e) => e.name === k))).toEqual([]);
  });
});

/** Logits of ±1000 move finite differences by ~1e-13 relative: the differences are taken in float64 as well. */
describe.each(entries.map((e) => [e.name, e] as const))('%s', (_name, e) => {
  it('matches PyTorch in float64 (output, VJP, second order)', () => againstTorch(e, 'float64', F64));

  it('agrees with float64 finite differences, orders 1 and 2', () => {
    const points = e.inputs.map((inp) => load(inp.value));
    // a row at a kink (std of a constant row) says so in its note: second differences mean nothing there
    checkGrads((...xs: Tensor[]) => apply(e, xs, 'float64'), points, {
      order: /kink/.test(e.note ?? '') ? 1 : 2,
      seed: e.name.length,
    });
  });
});

// float32 keeps ~7 digits, which inputs near 1000 spend on the magnitude (log_softmax of 1000 + x loses ~4);
// and their second derivatives (~1e-90 for a saturated softmax) lie below float32's range, so those are
// compared in float64 only
const F32_WIDE: Tol = { rtol: 1e-3, atol: 1e-3 };
const large = (e: Entry) => /large/.test(e.name);

describe.each(runnableBackends())('float32 on the %s backend', (backend) => {
  const callsSincePinned = pinBackend(backend);
  it.each(entries.map((e) => [e.name, e] as const))('%s matches PyTorch (output, VJP, second order)', (_name, e) => {
    expect(nb.getBackend().name).toBe(backend);
    againstTorch(e, 'float32', large(e) ? F32_WIDE : F32, !large(e));
  });
  if (backend !== 'js')
    it("ran the backend's own kernels, not only the js fallback", () =>
      expect(callsSincePinned()).toBeGreaterThan(100));
});

describe('the non-differentiable and random ones', () => {
  const x = nb.tensor([
    [1, 5, 2],
    [7, 0, 7],
  ]);
  it('argmax/argmin give the first extreme index, flattened or along axis, with keepdim', () => {
    expect(values(nb.argmax(x))).toEqual([3]);
    expect(nb.argmax(x).rank).toBe(0);
    expect(values(nb.argmax(x, { axis: 1 }))).toEqual([1, 0]);
    expect(values(nb.argmin(x, { axis: 0 }))).toEqual([0, 1, 0]);
    expect(nb.argmax(x, { axis: 1, keepdim: true }).shape).toEqual([2, 1]);
    expect(values(nb.argmax(nb.tensor([1, NaN, 3])))).toEqual([1]);
  });

  it('any/all reduce to bools along axes', () => {
    const b = nb.tensor([
      [0, 0, 1],
      [0, 0, 0],
    ]);
    expect(nb.any(b).dtype).toBe('bool');
    expect(values(nb.any(b, { axis: 1 }))).toEqual([1, 0]);
    expect(
      values(
        nb.all(
          nb.tensor([
            [1, 2],
            [0, 3],
          ]),
          { axis: 0 },
        ),
      ),
    ).toEqual([0, 1]);
    expect(nb.all(b, { axis: 1, keepdim: true }).shape).toEqual([2, 1]);
  });

  it('dropout is seeded, scales what it keeps, is the identity under training=false, and passes its mask to the gradient', () => {
    const ones = nb.ones([2000]);
    const a = values(nb.dropout(ones, { p: 0.3, seed: 5 }));
    expect(a).toEqual(values(nb.dropout(ones, { p: 0.3, seed: 5 })));
    expect(a).not.toEqual(values(nb.dropout(ones, { p: 0.3, seed: 6 })));
    expect(new Set(a.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.7).toFixed(5)]));
    const dropped = a.filter((v) => v === 0).length / a.length;
    expect(Math.abs(dropped - 0.3)).toBeLessThan(0.05);
    expect(values(nb.dropout(ones, { p: 0.3, training: false }))).toEqual(values(ones));
    const w = nb.param(nb.ones([50]));
    const g = nb.grad(nb.sum(nb.dropout(w, { p: 0.5, seed: 1 })), w) as Tensor;
    expect(values(g)).toEqual(values(nb.dropout(nb.ones([50]), { p: 0.5, seed: 1 })));
    expect(() => nb.dropout(ones, { p: 1.5 })).toThrow(/p must be a probability/);
  });

  it('logits of 1000 stay finite in softmax, log_softmax, logsumexp and the losses, in float32', () => {
    const z = nb.param(
      nb.tensor([
        [1000, 0, -1000],
        [1000, 1000, 999],
      ]),
    );
    const parts = [
      nb.softmax(z),
      nb.log_softmax(z),
      nb.logsumexp(z, { axis: 1 }),
      nb.cross_entropy(z, nb.tensor([1, 2])),
      nb.binary_cross_entropy_with_logits(z, nb.onesLike(z)),
    ];
    for (const p of parts) expect(values(p).every(Number.isFinite), p.toString()).toBe(true);
    const g = nb.grad(nb.cross_entropy(z, nb.tensor([1, 2])), z) as Tensor;
    expect(values(g).every(Number.isFinite)).toBe(true);
    expect(values(nb.logsumexp(nb.tensor([-Infinity, -Infinity])))).toEqual([-Infinity]);
  });

  it('rejects targets that are no class index, and shapes that do not match, with a sentence', () => {
    const z = nb.zeros([2, 3]);
    expect(() => nb.cross_entropy(z, nb.tensor([0, 3]))).toThrow(/target 3 is not a class index in 0\.\.2/);
    expect(() => nb.cross_entropy(z, nb.tensor([0]))).toThrow(/must have shape \[2\]/);
    expect(() => nb.mse_loss(z, nb.zeros([3]))).toThrow(/same shape/);
    expect(() => nb.binary_cross_entropy(nb.tensor([1.5]), nb.tensor([1]))).toThrow(/not a probability/);
  });
});

describe('explain sees through the composites', () => {
  it("formula names cross_entropy's one-hot target and softmax's constant maximum", async () => {
    const { formula } = await import('../../runtime/explain/formula');
    const Z = nb.param(
      nb.tensor([
        [1, 2, 0.5],
        [0, 0, 1],
      ]),
    );
    Z.name = 'Z';
    expect(formula(nb.cross_entropy(Z, nb.tensor([1, 2])), Z)).toBe(
      '-onehot(target)/2 + onehot(target)*exp(Z - max)/(2*sum(exp(Z - max)))',
    );
  });
});
