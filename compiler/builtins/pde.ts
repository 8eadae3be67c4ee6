import * as nb from '../../runtime';
import * as pde from '../../runtime/pde';
import { Tensor } from '../../runtime';
import { LangError } from '../operators';
import { Tuple, typeName, type Value } from '../values';
import { asInt, asNumber, asTensor, seqItems } from './convert';
import { dtypeOf } from './dtype';
import type { BuiltinTable } from './table';

/** Sampling points in a box, residual-based refinement, and the Burgers reference solution (runtime/pde). */
function bounds(v: Value, fn: string, what: string): number[] {
  if (typeof v === 'number') return [v];
  if (v instanceof Tensor) return (v.rank === 0 ? [v.item()] : v.tolist()) as number[];
  if (Array.isArray(v) || v instanceof Tuple) return seqItems(v).map((x) => asNumber(x, fn, `an entry of ${what}`));
  throw new LangError(
    `${fn}: ${what} must be a list of numbers, one per dimension (e.g. [-1, 0]), got a ${typeName(v)}`,
  );
}

const seedOf = (v: Value, fn: string) => (v === null ? null : asInt(v, fn, 'seed'));

export function addPde(t: BuiltinTable): void {
  const box =
    'n, lo, hi are the number of points and the corners of the box, e.g. sample_lhs(10000, [-1, 0], [1, 1], seed=0); the result is [n, d]';
  const samplers: [
    string,
    string,
    (n: number, lo: number[], hi: number[], o: { seed: number | null; dtype: nb.DType; skip: number }) => Tensor,
  ][] = [
    ['sample_uniform', `Uniform random points in a box; ${box}.`, (n, lo, hi, o) => pde.sampleUniform(n, lo, hi, o)],
    [
      'sample_lhs',
      `Latin-hypercube points in a box: along every axis each of the n equal strata holds exactly one point; ${box}.`,
      (n, lo, hi, o) => pde.latinHypercube(n, lo, hi, o),
    ],
  ];
  for (const [name, doc, impl] of samplers) {
    t.add(
      'sampling',
      name,
      ['n', 'lo', 'hi', 'seed=none', 'dtype=none'],
      doc,
      (n: Value, lo: Value, hi: Value, s: Value, dt: Value) =>
        impl(asInt(n, name, 'n'), bounds(lo, name, 'lo'), bounds(hi, name, 'hi'), {
          seed: seedOf(s, name),
          dtype: dtypeOf(dt, name),
          skip: 0,
        }),
    );
  }
  t.add(
    'sampling',
    'sample_sobol',
    ['n', 'lo', 'hi', 'seed=none', 'skip=0', 'dtype=none'],
    `Sobol low-discrepancy points (up to ${pde.SOBOL_MAX_DIM} dimensions; the first 2^m fill every elementary box); seed= scrambles them by a random digital shift, skip= drops the first points; ${box}.`,
    (n: Value, lo: Value, hi: Value, s: Value, skip: Value, dt: Value) =>
      pde.sobol(asInt(n, 'sample_sobol', 'n'), bounds(lo, 'sample_sobol', 'lo'), bounds(hi, 'sample_sobol', 'hi'), {
        seed: seedOf(s, 'sample_sobol'),
        skip: asInt(skip, 'sample_sobol', 'skip'),
        dtype: dtypeOf(dt, 'sample_sobol'),
      }),
  );
  t.add(
    'sampling',
    'sample_halton',
    ['n', 'lo', 'hi', 'seed=none', 'skip=0', 'dtype=none'],
    `Halton low-discrepancy points (radical inverses in the first primes, from index 1); seed= shifts them randomly modulo the box; ${box}.`,
    (n: Value, lo: Value, hi: Value, s: Value, skip: Value, dt: Value) =>
      pde.halton(asInt(n, 'sample_halton', 'n'), bounds(lo, 'sample_halton', 'lo'), bounds(hi, 'sample_halton', 'hi'), {
        seed: seedOf(s, 'sample_halton'),
        skip: asInt(skip, 'sample_halton', 'skip'),
        dtype: dtypeOf(dt, 'sample_halton'),
      }),
  );
  t.add(
    'sampling',
    'sample_boundary',
    ['n', 'lo', 'hi', 'axes=none', 'seed=none', 'dtype=none'],
    'Uniform points on the faces of the box orthogonal to axes= (default all), a face chosen in proportion to its area: sample_boundary(100, [-1, 0], [1, 1], axes=[0]) gives points with x = -1 or x = 1.',
    (n: Value, lo: Value, hi: Value, axes: Value, s: Value, dt: Value) =>
      pde.sampleBoundary(
        asInt(n, 'sample_boundary', 'n'),
        bounds(lo, 'sample_boundary', 'lo'),
        bounds(hi, 'sample_boundary', 'hi'),
        {
          axes: axes === null ? null : bounds(axes, 'sample_boundary', 'axes'),
          seed: seedOf(s, 'sample_boundary'),
          dtype: dtypeOf(dt, 'sample_boundary'),
        },
      ),
  );
  t.add(
    'sampling',
    'sample_initial',
    ['n', 'lo', 'hi', 'seed=none', 'dtype=none'],
    'Uniform points on the initial face of a space-time box: the last coordinate (time) at its low end, the others uniform.',
    (n: Value, lo: Value, hi: Value, s: Value, dt: Value) =>
      pde.sampleInitial(
        asInt(n, 'sample_initial', 'n'),
        bounds(lo, 'sample_initial', 'lo'),
        bounds(hi, 'sample_initial', 'hi'),
        { seed: seedOf(s, 'sample_initial'), dtype: dtypeOf(dt, 'sample_initial') },
      ),
  );
  t.add(
    'sampling',
    'rar',
    ['candidates', 'residual', 'k'],
    'Residual-based adaptive refinement (RAR): the k rows of candidates ([m, d]) with the largest |residual| (one value per row), largest first; add them to the collocation points.',
    (c: Value, r: Value, k: Value) =>
      pde.rar(asTensor(c, 'rar', 'candidates'), asTensor(r, 'rar', 'residual'), asInt(k, 'rar', 'k')),
  );
  t.add(
    'sampling',
    'rad',
    ['candidates', 'residual', 'n', 'k=1', 'c=1', 'seed=none'],
    'Residual-based adaptive distribution (RAD, Wu et al. 2023): n rows of candidates drawn without replacement with probability proportional to |residual|^k / mean(|residual|^k) + c; use them as the new collocation points.',
    (cand: Value, r: Value, n: Value, k: Value, c: Value, s: Value) =>
      pde.rad(asTensor(cand, 'rad', 'candidates'), asTensor(r, 'rad', 'residual'), asInt(n, 'rad', 'n'), {
        k: asNumber(k, 'rad', 'k'),
        c: asNumber(c, 'rad', 'c'),
        seed: seedOf(s, 'rad'),
      }),
  );
  t.add(
    'pde',
    'gauss_hermite',
    ['n'],
    'Gauss–Hermite quadrature in float64: (nodes, weights) with ∫ g(z) exp(-z²) dz ≈ sum(weights * g(nodes)), exact for polynomials of degree < 2n (n ≤ 180).',
    (n: Value) => {
      const { nodes, logWeights } = pde.gaussHermite(asInt(n, 'gauss_hermite', 'n'));
      return new Tuple([
        pde.fromValues(nodes, [nodes.length], 'float64', 'gauss_hermite'),
        pde.fromValues(logWeights.map(nb.libm.exp), [nodes.length], 'float64', 'gauss_hermite'),
      ]);
    },
  );
  t.add(
    'pde',
    'burgers_exact',
    ['x', 't', 'nu=none', 'nodes=100'],
    'The exact solution of the viscous Burgers benchmark u_t + u u_x = nu u_xx, u(x, 0) = -sin(pi x), u(±1, t) = 0 (nu = 0.01/pi by default), from the Cole–Hopf transformation with Gauss–Hermite quadrature in float64; x and t are tensors of the same shape, the result is float64 in that shape.',
    (x: Value, tt: Value, nu: Value, nodes: Value) => {
      const X = asTensor(x, 'burgers_exact', 'x');
      const T = asTensor(tt, 'burgers_exact', 't');
      if (X.size !== T.size)
        throw new LangError(
          `burgers_exact: x has ${X.size} values but t has ${T.size}; give one t per x (e.g. both from a grid)`,
        );
      const u = pde.burgersExact(
        X.toHost(),
        T.toHost(),
        nu === null ? 0.01 / Math.PI : asNumber(nu, 'burgers_exact', 'nu'),
        asInt(nodes, 'burgers_exact', 'nodes'),
      );
      return pde.fromValues(u, [...X.shape], 'float64', 'burgers_exact');
    },
  );
}
