import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import * as nb from '../../runtime';
import { setSmallTensorLimit } from '../../runtime/backends/gpujs';
import type { Tensor } from '../../runtime';

/**
 * Shared by the runtime tests: loading PyTorch fixtures (test/fixtures/README.md) into tensors, comparing
 * tensors with fixtures, and `checkGrads`, a finite-difference gradient check in the style of JAX's
 * `jax.test_util.check_grads(f, args, order)`.
 */

/** A fixture tensor: row-major `data` over the logical shape; complex as interleaved [re, im]. */
export interface Fx {
  shape: number[];
  dtype: 'float64' | 'complex128' | 'int64' | 'bool';
  data: number[] | boolean[];
}

export type Real = 'float64' | 'float32';

const FIXTURES = fileURLToPath(new URL('../fixtures/torch/', import.meta.url));

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as T;
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/**
 * A fixture as a fresh leaf tensor. Real data becomes `dtype` (float64 by default; float32 rounds it);
 * complex128 becomes complex64, Nabla's only complex type (float32 parts); bool stays bool.
 */
export function load(fx: Fx, opts: { dtype?: Real; requiresGrad?: boolean } = {}): Tensor {
  const n = prod(fx.shape);
  let t: Tensor;
  if (fx.dtype === 'complex128') {
    if (fx.data.length !== 2 * n)
      throw new Error(`complex fixture of shape [${fx.shape}] has ${fx.data.length} numbers`);
    t = nb.Tensor.fromHost(Float32Array.from(fx.data as number[]), fx.shape, 'complex64');
  } else if (fx.dtype === 'bool') {
    t = nb.Tensor.fromHost(
      Float32Array.from(fx.data as boolean[], (b) => (b ? 1 : 0)),
      fx.shape,
      'bool',
    );
  } else {
    if (fx.data.length !== n) throw new Error(`fixture of shape [${fx.shape}] has ${fx.data.length} numbers`);
    const host =
      (opts.dtype ?? 'float64') === 'float64'
        ? Float64Array.from(fx.data as number[])
        : Float32Array.from(fx.data as number[]);
    t = nb.Tensor.fromHost(host, fx.shape, opts.dtype ?? 'float64');
  }
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor's values in row-major order (complex interleaved), as plain numbers. */
export const values = (t: Tensor): number[] => Array.from(t.toHost());

export interface Tol {
  /** Relative to each expected element. */
  rtol: number;
  /** Absolute, in units of the expected tensor's largest magnitude (so small entries of a large tensor pass). */
  atol: number;
}

export const F64: Tol = { rtol: 1e-9, atol: 1e-12 };
// float32 has a 6e-8 unit roundoff; 1e-4 leaves room for the few dozen rounding steps of a matmul or a
// second-order rule, and still fails on any wrong formula.
export const F32: Tol = { rtol: 1e-4, atol: 1e-5 };

/**
 * Where `actual` differs from `expected` beyond `tol`, as a sentence naming the worst element; null if close.
 * Shapes must match exactly, and a fixture's complex values must meet a complex tensor (and real a real one).
 */
export function mismatch(
  actual: Tensor | null,
  expected: Fx | number[] | null,
  tol: Tol,
  shape?: readonly number[],
): string | null {
  if (expected === null)
    return actual === null ? null : `expected no gradient (None), got a tensor of shape [${actual.shape}]`;
  if (actual === null) return 'expected a tensor, got null';
  const exp = Array.isArray(expected) ? expected : (expected.data as number[]).map(Number);
  const expShape = Array.isArray(expected) ? (shape ?? actual.shape) : expected.shape;
  if (actual.shape.length !== expShape.length || actual.shape.some((d, i) => d !== expShape[i])) {
    return `shape [${actual.shape}] differs from the expected [${expShape}]`;
  }
  if (!Array.isArray(expected)) {
    const wantComplex = expected.dtype === 'complex128';
    if (wantComplex !== (actual.dtype === 'complex64'))
      return `dtype ${actual.dtype} does not match the fixture's ${expected.dtype}`;
  }
  const got = values(actual);
  if (got.length !== exp.length) return `${got.length} numbers, expected ${exp.length}`;
  const scale = exp.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < exp.length; i++) {
    const err = Math.abs(got[i] - exp[i]);
    const allowed = tol.atol * scale + tol.rtol * Math.abs(exp[i]);
    if (!(err <= allowed) && (worst < 0 || err - allowed > worstExcess)) {
      worst = i;
      worstExcess = err - allowed;
    }
  }
  if (worst < 0) return null;
  return `element ${worst} is ${got[worst]}, expected ${exp[worst]} (|error| ${Math.abs(got[worst] - exp[worst]).toExponential(2)}); got [${got.map((v) => +v.toPrecision(6)).join(', ')}]`;
}

/** Throws (failing the test) with `label` and the worst element when `actual` is not close to `expected`. */
export function expectClose(
  actual: Tensor | null,
  expected: Fx | number[] | null,
  tol: Tol,
  label: string,
  shape?: readonly number[],
): void {
  const m = mismatch(actual, expected, tol, shape);
  if (m) throw new Error(`${label}: ${m}`);
}

/** A number against a number, relatively. */
export function expectNear(actual: number, expected: number, rtol: number, label: string): void {
  const err = Math.abs(actual - expected);
  if (!(err <= rtol * Math.max(1, Math.abs(expected))))
    throw new Error(`${label}: ${actual}, expected ${expected} (|error| ${err.toExponential(2)})`);
}

/** The gradient, or zeros where autograd reports none (the fixtures write zeros for an unused input). */
export const orZeros = (g: Tensor | null, like: Tensor): Tensor => g ?? nb.zerosLike(like);

// ---- finite differences ------------------------------------------------------------------------------

/** A small seeded generator (mulberry32), so a failing check repeats. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomLike = (shape: readonly number[], next: () => number) =>
  nb.Tensor.fromHost(
    Float64Array.from({ length: prod(shape) }, () => 2 * next() - 1),
    shape,
    'float64',
  );

export interface CheckGradsOptions {
  /** 1: gradients; 2: also the gradients of the gradients (JAX's order). */
  order?: number;
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

type Fn = (...xs: Tensor[]) => Tensor;

/**
 * JAX-style check_grads for reverse mode, in float64: for a random cotangent v, the gradient of
 * s(x) = sum(f(x) * v) from autograd must match central differences of s, element by element of every input.
 * Order 2 repeats the check on the analytic gradient itself, g(x) = concat(flatten(ds/dx_i)) built with
 * createGraph, so the second derivatives are finite differences of the first (and so on for higher orders).
 * `inputs` are the points; f receives fresh leaves (so f may build views of them: transposes, broadcasts).
 */
export function checkGrads(f: Fn, inputs: readonly Tensor[], opts: CheckGradsOptions = {}): void {
  const order = opts.order ?? 1;
  const next = rng(opts.seed ?? 1);
  let fn = f;
  for (let k = 1; k <= order; k++) {
    checkFirst(fn, inputs, next, opts, k);
    if (k < order) fn = gradientFn(fn, next);
  }
}

const leaves = (xs: readonly Tensor[], host?: (i: number) => Float64Array) =>
  xs.map((x, i) => {
    const t = nb.Tensor.fromHost(host ? host(i) : Float64Array.from(x.toHost()), x.shape, 'float64');
    t.requiresGrad = true;
    return t;
  });

/** x -> concat_i flatten(d/dx_i sum(f(x) * v)), recorded (createGraph) so it can be differentiated again. */
function gradientFn(f: Fn, next: () => number): Fn {
  let v: Tensor | null = null;
  return (...xs: Tensor[]) => {
    const y = f(...xs);
    v ??= randomLike(y.shape, next);
    if (!y.requiresGrad) return nb.zeros([xs.reduce((n, x) => n + x.size, 0)], { dtype: 'float64' });
    const gs = nb.grad(nb.sum(nb.mul(y, v)), xs, { createGraph: true, allowUnused: true }) as (Tensor | null)[];
    return nb.concat(gs.map((g, i) => nb.reshape(orZeros(g, xs[i]), [-1])));
  };
}

function checkFirst(
  f: Fn,
  inputs: readonly Tensor[],
  next: () => number,
  opts: CheckGradsOptions,
  order: number,
): void {
  const eps = opts.eps ?? 1e-6;
  // central differences with eps = 1e-6 in float64: truncation ~eps^2 |f'''| ~ 1e-12, roundoff ~1e-16 / eps
  // ~ 1e-10 relative to the sum; a wrong rule is off by O(1)
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-7;
  const xs = leaves(inputs);
  const y = f(...xs);
  if (y.dtype !== 'float64') throw new Error(`checkGrads: f must return float64, got ${y.dtype}`);
  const v = randomLike(y.shape, next);
  const analytic = y.requiresGrad
    ? (nb.grad(nb.sum(nb.mul(y, v)), xs, { allowUnused: true }) as (Tensor | null)[]).map((g, i) => orZeros(g, xs[i]))
    : xs.map((x) => nb.zerosLike(x));
  const s = (i: number, k: number, d: number): number => {
    const p = leaves(inputs, (j) => {
      const h = Float64Array.from(inputs[j].toHost());
      if (j === i) h[k] += d;
      return h;
    });
    return values(nb.mul(f(...p), v)).reduce((a, b) => a + b, 0);
  };
  inputs.forEach((x, i) => {
    const got = values(analytic[i]);
    const scale = Math.max(1, ...got.map(Math.abs));
    for (let k = 0; k < x.size; k++) {
      const numeric = (s(i, k, eps) - s(i, k, -eps)) / (2 * eps);
      const err = Math.abs(numeric - got[k]);
      if (!(err <= atol * scale + rtol * Math.max(Math.abs(numeric), Math.abs(got[k])))) {
        throw new Error(
          `checkGrads (order ${order}): d/d input ${i + 1}[${k}] is ${got[k]} by autograd but ${numeric} by central differences (|error| ${err.toExponential(2)})`,
        );
      }
    }
  });
}

/** The backends whose probes pass here (js always), leaving the automatic choice in place. */
export function runnableBackends(): string[] {
  const names = nb.availableBackends().filter((name) => {
    try {
      nb.setBackend(name);
      return true;
    } catch {
      return false;
    }
  });
  nb.chooseBackend();
  return names;
}

/**
 * Pins `backend` for the enclosing describe, with no small-tensor shortcut (test inputs are small, below the
 * sizes where gpu.js backends take a call), so its own kernels run. Returns the number of kernel calls it has
 * run since, to show they did.
 */
export function pinBackend(backend: string): () => number {
  let previousLimit: number | null = null;
  let callsBefore = 0;
  beforeAll(() => {
    nb.setBackend(backend);
    previousLimit = setSmallTensorLimit(0);
    callsBefore = nb.kernelStats.byBackend.get(backend) ?? 0;
  });
  afterAll(() => {
    setSmallTensorLimit(previousLimit);
    nb.chooseBackend();
  });
  return () => (nb.kernelStats.byBackend.get(backend) ?? 0) - callsBefore;
}

/** One Adam step (returning the loss) of a 2 → 16 → 16 → 1 tanh MLP fitting sin(x1 + x2) on 64 points. */
export function mlpStep(seed: number) {
  const model = nb.mlp([2, 16, 16, 1], { seed });
  const X = nb.randn([64, 2], { seed: seed + 1 });
  const Y = nb.sin(nb.sum(X, { axis: 1, keepdim: true }));
  const opt = nb.adam(model.params, { lr: 1e-2 });
  const step = () => {
    opt.zeroGrad();
    const L = nb.mean(nb.pow(nb.sub(model(X), Y), 2));
    L.backward();
    opt.step();
    return L;
  };
  return { step, model };
}

/** Manual SGD with an in-place write and a .grad cleared: the plan's writes and effects, not only kernels. */
export function sgdStep() {
  const w = nb.param([0.5, -1, 2]);
  const x = nb.tensor([1, 2, 3]);
  const step = () => {
    const L = nb.sum(nb.pow(nb.sub(nb.mul(w, x), 1), 2));
    L.backward();
    nb.noGrad(() => nb.inplace(w, (s) => nb.sub(s, nb.mul(w.grad!, 0.01)), '-='));
    nb.assignGrad(w, null);
    return L;
  };
  return { w, step };
}
