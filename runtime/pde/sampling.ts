import { allocHost, type DType } from '../dtype';
import { valueError } from '../errors';
import { rand } from '../ops/creation';
import { Tensor } from '../tensor';
import * as libm from '../backends/js/libm';

/**
 * Point sets in a box [lo, hi] ⊂ R^d for fitting PDEs: uniform, Latin hypercube, Sobol and Halton (low
 * discrepancy), points on the boundary and on the initial face, and residual-based refinement (RAR, RAD).
 * Every random choice comes from a seeded stream (seed=), so a run repeats; results are [n, d] tensors.
 */
export interface BoxOptions {
  seed?: number | null;
  dtype?: DType;
}

const MAX_POINTS = 50_000_000;

export function checkBox(fn: string, n: number, lo: readonly number[], hi: readonly number[]): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_POINTS)
    throw valueError(fn, `the number of points must be a whole number in [0, ${MAX_POINTS}], got ${n}`);
  if (!lo.length || lo.length !== hi.length)
    throw valueError(
      fn,
      `lo and hi must be lists of the same positive length (one entry per dimension), got ${lo.length} and ${hi.length}`,
    );
  lo.forEach((a, i) => {
    if (!Number.isFinite(a) || !Number.isFinite(hi[i]) || !(a <= hi[i]))
      throw valueError(fn, `dimension ${i}: lo = ${a} and hi = ${hi[i]} must be finite with lo <= hi`);
  });
  if (n * lo.length > MAX_POINTS)
    throw valueError(fn, `${n} points in ${lo.length} dimensions is more than ${MAX_POINTS} numbers`);
  return lo.length;
}

/** Uniform draws u in [0, 1)^count from the seeded stream (or the global one). */
const uniforms = (count: number, seed: number | null | undefined): Float64Array =>
  rand([count], { seed, dtype: 'float64' }).storage.host as Float64Array;

/** Unit-cube points (row-major [n, d]) mapped into the box. */
function toBox(
  u: Float64Array,
  n: number,
  lo: readonly number[],
  hi: readonly number[],
  dtype: DType | undefined,
): Tensor {
  const d = lo.length;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = lo[j] + (hi[j] - lo[j]) * u[i * d + j];
  return fromValues(out, [n, d], dtype ?? 'float32', 'sample');
}

export function sampleUniform(n: number, lo: readonly number[], hi: readonly number[], opts: BoxOptions = {}): Tensor {
  const d = checkBox('sample_uniform', n, lo, hi);
  return toBox(uniforms(n * d, opts.seed), n, lo, hi, opts.dtype);
}

/** Latin hypercube: along every axis each of the n strata [k/n, (k+1)/n) holds exactly one point. */
export function latinHypercube(n: number, lo: readonly number[], hi: readonly number[], opts: BoxOptions = {}): Tensor {
  const d = checkBox('sample_lhs', n, lo, hi);
  const r = uniforms(2 * n * d, opts.seed);
  const u = new Float64Array(n * d);
  const perm = new Int32Array(n);
  let k = 0;
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const s = Math.floor(r[k++] * (i + 1)); // Fisher–Yates
      [perm[i], perm[s]] = [perm[s], perm[i]];
    }
    for (let i = 0; i < n; i++) u[i * d + j] = (perm[i] + r[k++]) / n;
  }
  return toBox(u, n, lo, hi, opts.dtype);
}

// ---- Sobol ------------------------------------------------------------------------------------------

/** Joe & Kuo's primitive polynomials (degree s, coefficients a) and initial direction numbers m, dims 2.. */
const SOBOL_DIRS: [number, number, number[]][] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
];
export const SOBOL_MAX_DIM = SOBOL_DIRS.length + 1;
const BITS = 32;

function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let i = 0; i < BITS; i++) v[i] = (1 << (31 - i)) >>> 0;
    return v;
  }
  const [s, a, m] = SOBOL_DIRS[dim - 1];
  for (let i = 0; i < Math.min(s, BITS); i++) v[i] = (m[i] << (31 - i)) >>> 0;
  for (let i = s; i < BITS; i++) {
    let x = (v[i - s] ^ (v[i - s] >>> s)) >>> 0;
    for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x = (x ^ v[i - k]) >>> 0;
    v[i] = x;
  }
  return v;
}

/**
 * Sobol points (Gray-code order, starting at the origin, Joe–Kuo direction numbers), dimensions up to 8.
 * With seed= they are scrambled by a random digital shift (an XOR per dimension), which keeps the net
 * property: the first 2^m points put one point in every elementary box of volume 2^-m (in 2D).
 */
export function sobol(
  n: number,
  lo: readonly number[],
  hi: readonly number[],
  opts: BoxOptions & { skip?: number } = {},
): Tensor {
  const d = checkBox('sample_sobol', n, lo, hi);
  if (d > SOBOL_MAX_DIM)
    throw valueError(
      'sample_sobol',
      `this Sobol generator has direction numbers for up to ${SOBOL_MAX_DIM} dimensions, got ${d}; use sample_halton for more`,
    );
  const skip = opts.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0 || skip + n > 2 ** BITS - 1)
    throw valueError('sample_sobol', `skip must be a whole number >= 0 with skip + n < 2^32, got ${skip}`);
  const dirs = Array.from({ length: d }, (_, j) => directionNumbers(j));
  const shift =
    opts.seed == null ? new Uint32Array(d) : Uint32Array.from(uniforms(d, opts.seed), (u) => Math.floor(u * 2 ** 32));
  const x = new Uint32Array(d);
  const u = new Float64Array(n * d);
  for (let i = 0; i < skip + n; i++) {
    if (i >= skip) for (let j = 0; j < d; j++) u[(i - skip) * d + j] = ((x[j] ^ shift[j]) >>> 0) / 2 ** 32;
    // next point: flip the direction number of the lowest zero bit of i (Gray code)
    let c = 0;
    while ((i >>> c) & 1) c++;
    for (let j = 0; j < d; j++) x[j] = (x[j] ^ dirs[j][c]) >>> 0;
  }
  return toBox(u, n, lo, hi, opts.dtype);
}

// ---- Halton -----------------------------------------------------------------------------------------

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97];

/** The radical inverse of i in base b (digits mirrored about the point). */
function radicalInverse(i: number, b: number): number {
  let f = 1;
  let r = 0;
  while (i > 0) {
    f /= b;
    r += f * (i % b);
    i = Math.floor(i / b);
  }
  return r;
}

/**
 * Halton points (radical inverses in the first d primes) from index 1 + skip (index 0 is the origin, a corner).
 * With seed= every coordinate is shifted by a random amount modulo 1 (a Cranley–Patterson rotation), which
 * keeps the discrepancy low.
 */
export function halton(
  n: number,
  lo: readonly number[],
  hi: readonly number[],
  opts: BoxOptions & { skip?: number } = {},
): Tensor {
  const d = checkBox('sample_halton', n, lo, hi);
  if (d > PRIMES.length) throw valueError('sample_halton', `up to ${PRIMES.length} dimensions, got ${d}`);
  const skip = opts.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0 || skip > 1e12)
    throw valueError('sample_halton', `skip must be a whole number >= 0, got ${skip}`);
  const shift = opts.seed == null ? new Float64Array(d) : uniforms(d, opts.seed);
  const u = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = radicalInverse(i + 1 + skip, PRIMES[j]) + shift[j];
      u[i * d + j] = v >= 1 ? v - 1 : v;
    }
  }
  return toBox(u, n, lo, hi, opts.dtype);
}

// ---- boundaries -------------------------------------------------------------------------------------

/**
 * n points uniformly on the faces of the box that are orthogonal to `axes` (default: all), each face chosen
 * with probability proportional to its area (equally when the faces are points or have zero area).
 */
export function sampleBoundary(
  n: number,
  lo: readonly number[],
  hi: readonly number[],
  opts: BoxOptions & { axes?: readonly number[] | null } = {},
): Tensor {
  const d = checkBox('sample_boundary', n, lo, hi);
  const axes = opts.axes ?? [...Array(d).keys()];
  if (!axes.length) throw valueError('sample_boundary', 'axes must name at least one axis');
  for (const a of axes)
    if (!Number.isInteger(a) || a < 0 || a >= d)
      throw valueError('sample_boundary', `axis ${a} is not an axis of a ${d}-dimensional box (0..${d - 1})`);
  const faces = axes.flatMap(
    (a) =>
      [
        [a, 0],
        [a, 1],
      ] as [number, number][],
  );
  const area = (a: number) => lo.reduce((p, l, j) => (j === a ? p : p * (hi[j] - l)), 1);
  let w = faces.map(([a]) => area(a));
  if (!w.some((x) => x > 0)) w = w.map(() => 1);
  const total = w.reduce((s, x) => s + x, 0);
  const r = uniforms(n * (d + 1), opts.seed);
  const u = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let pick = r[i * (d + 1)] * total;
    let f = 0;
    while (f < faces.length - 1 && pick >= w[f]) pick -= w[f++];
    const [axis, side] = faces[f];
    for (let j = 0; j < d; j++) u[i * d + j] = j === axis ? side : r[i * (d + 1) + 1 + j];
  }
  return toBox(u, n, lo, hi, opts.dtype);
}

/** n points on the face where the last coordinate (time) is at its low end, the others uniform: t = 0. */
export function sampleInitial(n: number, lo: readonly number[], hi: readonly number[], opts: BoxOptions = {}): Tensor {
  const d = checkBox('sample_initial', n, lo, hi);
  const r = uniforms(n * d, opts.seed);
  for (let i = 0; i < n; i++) r[i * d + d - 1] = 0;
  return toBox(r, n, lo, hi, opts.dtype);
}

// ---- residual-based refinement ----------------------------------------------------------------------

/** |r| per candidate row: r is [m] or [m, 1]. */
function residualMagnitudes(fn: string, candidates: Tensor, residual: Tensor): Float64Array {
  if (candidates.dtype === 'complex64') throw valueError(fn, 'candidates must be real points');
  if (candidates.rank !== 2)
    throw valueError(fn, `candidates must be points of shape [m, d], got [${candidates.shape.join(', ')}]`);
  const m = candidates.shape[0];
  if (residual.size !== m)
    throw valueError(
      fn,
      `the residual has ${residual.size} values but there are ${m} candidate points; give one residual per point`,
    );
  return Float64Array.from(residual.toHost(), Math.abs);
}

/** RAR (Lu et al., DeepXDE): the k candidate points with the largest |residual|, largest first. */
export function rar(candidates: Tensor, residual: Tensor, k: number): Tensor {
  const r = residualMagnitudes('rar', candidates, residual);
  if (!Number.isInteger(k) || k < 0 || k > r.length)
    throw valueError('rar', `k must be a whole number in [0, ${r.length}] (the number of candidates), got ${k}`);
  const order = [...r.keys()].sort((a, b) => r[b] - r[a] || a - b).slice(0, k);
  return pickRows(candidates, order);
}

/**
 * RAD (Wu et al. 2023): n candidate points drawn without replacement with probability proportional to
 * |r|^k / mean(|r|^k) + c; k = 1, c = 1 is their default, c → ∞ is uniform, k large is RAR-like.
 */
export function rad(
  candidates: Tensor,
  residual: Tensor,
  n: number,
  opts: { k?: number; c?: number; seed?: number | null } = {},
): Tensor {
  const r = residualMagnitudes('rad', candidates, residual);
  if (!Number.isInteger(n) || n < 0 || n > r.length)
    throw valueError('rad', `n must be a whole number in [0, ${r.length}] (the number of candidates), got ${n}`);
  const k = opts.k ?? 1;
  const c = opts.c ?? 1;
  if (!(k >= 0) || !(c >= 0)) throw valueError('rad', `k and c must be >= 0, got k = ${k}, c = ${c}`);
  const p = r.map((v) => libm.pow(v, k));
  const mean = p.reduce((s, v) => s + v, 0) / p.length || 1;
  const w = p.map((v) => v / mean + c);
  // weighted sampling without replacement (Efraimidis–Spirakis keys u^(1/w))
  const u = uniforms(r.length, opts.seed);
  const keys = [...w.keys()].map((i) => (w[i] > 0 ? libm.log(u[i] || Number.MIN_VALUE) / w[i] : -Infinity));
  const order = [...keys.keys()].sort((a, b) => keys[b] - keys[a] || a - b).slice(0, n);
  return pickRows(candidates, order);
}

function pickRows(x: Tensor, rows: number[]): Tensor {
  const d = x.shape[1];
  const h = x.toHost();
  const out = new Float64Array(rows.length * d);
  rows.forEach((row, i) => out.set(h.subarray(row * d, row * d + d), i * d));
  return fromValues(out, [rows.length, d], x.dtype, 'refine');
}

/** A fresh tensor holding `values` (rounded once to the dtype). */
export function fromValues(values: Float64Array, shape: number[], dtype: DType, op: string): Tensor {
  const host = allocHost(dtype, values.length);
  host.set(values);
  return Tensor.fromHost(host, shape, dtype, op);
}
