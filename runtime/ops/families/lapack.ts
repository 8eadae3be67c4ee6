import { allocHost, isComplex, type DType } from '../../dtype';
import { valueError } from '../../errors';
import { fmtShape } from '../../shape';
import { Tensor } from '../../tensor';
import * as libm from '../../backends/js/libm';

/**
 * The host arithmetic behind linalg.ts's forwards: LU with partial pivoting and Cholesky, over complex numbers
 * (a real matrix has zero imaginary parts), in float64 whatever the tensor's dtype. Matrices are small in this
 * language's uses; the backward rules never come here, they are written in differentiable ops.
 */
export interface Mat {
  rows: number;
  cols: number;
  re: Float64Array;
  im: Float64Array;
}

/** The batch of matrices in the last two axes of t, row-major. */
export function matrices(t: Tensor): Mat[] {
  const [rows, cols] = t.shape.slice(-2);
  const h = t.toHost();
  const cx = isComplex(t.dtype);
  const per = rows * cols;
  const count = per === 0 ? t.shape.slice(0, -2).reduce((a, b) => a * b, 1) : t.size / per;
  return Array.from({ length: count }, (_, b) => {
    const m: Mat = { rows, cols, re: new Float64Array(per), im: new Float64Array(per) };
    for (let i = 0; i < per; i++) {
      m.re[i] = cx ? h[2 * (b * per + i)] : h[b * per + i];
      m.im[i] = cx ? h[2 * (b * per + i) + 1] : 0;
    }
    return m;
  });
}

/** A tensor of `shape` from per-batch matrices (or scalars: 1×1 Mats). */
export function fromMatrices(ms: readonly Mat[], shape: readonly number[], dtype: DType, op: string): Tensor {
  const cx = isComplex(dtype);
  const per = ms.length ? ms[0].re.length : 0;
  const h = allocHost(dtype, ms.length * per);
  ms.forEach((m, b) => {
    for (let i = 0; i < per; i++) {
      if (cx) {
        h[2 * (b * per + i)] = m.re[i];
        h[2 * (b * per + i) + 1] = m.im[i];
      } else h[b * per + i] = m.re[i];
    }
  });
  return Tensor.fromHost(h, shape, dtype, op);
}

export interface LU {
  lu: Mat;
  perm: number[];
  swaps: number;
  /** The first zero pivot's column, or -1. */
  zeroPivot: number;
}

export function luFactor(a: Mat): LU {
  const n = a.rows;
  const re = Float64Array.from(a.re);
  const im = Float64Array.from(a.im);
  const perm = [...Array(n).keys()];
  let swaps = 0;
  let zeroPivot = -1;
  for (let k = 0; k < n; k++) {
    let best = k;
    let bestAbs = -1;
    for (let i = k; i < n; i++) {
      const v = Math.hypot(re[i * n + k], im[i * n + k]);
      if (v > bestAbs) [best, bestAbs] = [i, v];
    }
    if (best !== k) {
      for (let j = 0; j < n; j++) {
        [re[k * n + j], re[best * n + j]] = [re[best * n + j], re[k * n + j]];
        [im[k * n + j], im[best * n + j]] = [im[best * n + j], im[k * n + j]];
      }
      [perm[k], perm[best]] = [perm[best], perm[k]];
      swaps++;
    }
    if (bestAbs === 0) {
      if (zeroPivot < 0) zeroPivot = k;
      continue;
    }
    const pr = re[k * n + k];
    const pi = im[k * n + k];
    const d = pr * pr + pi * pi;
    for (let i = k + 1; i < n; i++) {
      // l = a[i][k] / pivot
      const ar = re[i * n + k];
      const ai = im[i * n + k];
      const lr = (ar * pr + ai * pi) / d;
      const li = (ai * pr - ar * pi) / d;
      re[i * n + k] = lr;
      im[i * n + k] = li;
      for (let j = k + 1; j < n; j++) {
        const ur = re[k * n + j];
        const ui = im[k * n + j];
        re[i * n + j] -= lr * ur - li * ui;
        im[i * n + j] -= lr * ui + li * ur;
      }
    }
  }
  return { lu: { rows: n, cols: n, re, im }, perm, swaps, zeroPivot };
}

const singular = (op: string, shape: readonly number[], batch: number, col: number) =>
  valueError(
    op,
    `the matrix${shape.length > 2 ? ` at batch position ${batch}` : ''} of the input ${fmtShape(shape)} is singular (pivot ${col + 1} is zero), so it has no inverse; check for repeated rows or columns, or add a small multiple of the identity`,
  );

/** X with A X = B, by the LU of A (B is n×k). */
export function luSolve(f: LU, b: Mat, op: string, shape: readonly number[], batch: number): Mat {
  if (f.zeroPivot >= 0) throw singular(op, shape, batch, f.zeroPivot);
  const n = f.lu.rows;
  const k = b.cols;
  const { re: Lr, im: Li } = f.lu;
  const xr = new Float64Array(n * k);
  const xi = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      xr[i * k + c] = b.re[f.perm[i] * k + c];
      xi[i * k + c] = b.im[f.perm[i] * k + c];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const lr = Lr[i * n + j];
      const li = Li[i * n + j];
      for (let c = 0; c < k; c++) {
        xr[i * k + c] -= lr * xr[j * k + c] - li * xi[j * k + c];
        xi[i * k + c] -= lr * xi[j * k + c] + li * xr[j * k + c];
      }
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      const ur = Lr[i * n + j];
      const ui = Li[i * n + j];
      for (let c = 0; c < k; c++) {
        xr[i * k + c] -= ur * xr[j * k + c] - ui * xi[j * k + c];
        xi[i * k + c] -= ur * xi[j * k + c] + ui * xr[j * k + c];
      }
    }
    const pr = Lr[i * n + i];
    const pi = Li[i * n + i];
    const d = pr * pr + pi * pi;
    for (let c = 0; c < k; c++) {
      const [a, bb] = [xr[i * k + c], xi[i * k + c]];
      xr[i * k + c] = (a * pr + bb * pi) / d;
      xi[i * k + c] = (bb * pr - a * pi) / d;
    }
  }
  return { rows: n, cols: k, re: xr, im: xi };
}

export function identity(n: number): Mat {
  const m: Mat = { rows: n, cols: n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) m.re[i * n + i] = 1;
  return m;
}

/** det as (re, im), and log|det| with the phase det/|det|, from the LU. */
export function luDet(f: LU): { re: number; im: number; logAbs: number; signRe: number; signIm: number } {
  const n = f.lu.rows;
  let [re, im] = [f.swaps % 2 ? -1 : 1, 0];
  let [sr, si] = [re, 0];
  let logAbs = 0;
  for (let i = 0; i < n; i++) {
    const pr = f.lu.re[i * n + i];
    const pi = f.lu.im[i * n + i];
    [re, im] = [re * pr - im * pi, re * pi + im * pr];
    const a = Math.hypot(pr, pi);
    logAbs += libm.log(a);
    if (a > 0) [sr, si] = [(sr * pr - si * pi) / a, (sr * pi + si * pr) / a];
  }
  if (f.zeroPivot >= 0) [sr, si] = [0, 0];
  return { re, im, logAbs, signRe: sr, signIm: si };
}

/** The lower Cholesky factor of a Hermitian positive-definite matrix; reads the lower triangle only. */
export function choleskyLower(a: Mat, op: string, shape: readonly number[], batch: number): Mat {
  const n = a.rows;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a.re[j * n + j];
    for (let k = 0; k < j; k++) d -= re[j * n + k] ** 2 + im[j * n + k] ** 2;
    if (!(d > 0)) {
      throw valueError(
        op,
        `the matrix${shape.length > 2 ? ` at batch position ${batch}` : ''} of the input ${fmtShape(shape)} is not positive-definite (its leading minor of order ${j + 1} is not positive); cholesky needs a symmetric (Hermitian) positive-definite matrix, e.g. A A' + eps I`,
      );
    }
    const ljj = Math.sqrt(d);
    re[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sr = a.re[i * n + j];
      let si = a.im[i * n + j];
      for (let k = 0; k < j; k++) {
        // L[i][k] * conj(L[j][k])
        const [ar, ai, br, bi] = [re[i * n + k], im[i * n + k], re[j * n + k], im[j * n + k]];
        sr -= ar * br + ai * bi;
        si -= ai * br - ar * bi;
      }
      re[i * n + j] = sr / ljj;
      im[i * n + j] = si / ljj;
    }
  }
  return { rows: n, cols: n, re, im };
}
