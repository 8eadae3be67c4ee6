import { isComplex, promote, realOf } from '../../dtype';
import { sublistEquation } from './einsum-sublist';
import { cut, record } from '../../engine';
import { shapeError, typeError, valueError } from '../../errors';
import type { OpDef } from '../../graph';
import { broadcastShapes, fmtShape } from '../../shape';
import type { Tensor } from '../../tensor';
import { add, div, mul } from '../binary';
import { cast, conj } from '../complex';
import { adjoint, matmul } from '../matmul';
import { expand, gather, reshape, squeeze, stack, transpose, unsqueeze } from '../shape';
import { abs, neg } from '../unary';
import { registerFamily } from '../registry';
import { checkResultSize, p, registryEntry, type FamilyRow } from './entry';
import { einsum } from './einsum';
import { tril } from './indexing';
import { choleskyLower, fromMatrices, identity, luDet, luFactor, luSolve, matrices, type Mat } from './lapack';

/**
 * Linear algebra. Forwards run on the host (lapack.ts) in float64; every backward rule is written in
 * differentiable ops, including inv and solve themselves, so create_graph and higher orders work. Complex
 * gradients follow PyTorch's convention (conjugate Wirtinger): the real rules with transposes as adjoints.
 *
 * Each rule's formula text is declared once, on its OpDef, in the language's vocabulary (inv, solve, tril,
 * triu, conj, ', @), because explain's formula() parses it and prints results that must evaluate as Nabla;
 * the registry entry takes the same array (its row's `grad` is the OpDef), so the docs' op reference shows
 * that text, and test/runtime/registry-formulas.test.ts evaluates it against the rule at the recorded node
 * (where left=false, upper=true or a vector B have become transposes and unsqueezes around the rule).
 */

const g2 = (t: Tensor) => unsqueeze(unsqueeze(t, -1), -1);

/** The forwards factor on the host, O(n^3) per matrix: past this size they would stall the session. */
export const MAX_MATRIX = 1024;

function squareBatch(op: string, A: Tensor): number {
  if (A.rank < 2 || A.shape[A.rank - 1] !== A.shape[A.rank - 2]) {
    throw shapeError(
      op,
      `needs a square matrix (or a batch of them, shape [..., n, n]), got shape ${fmtShape(A.shape)}`,
    );
  }
  const n = A.shape[A.rank - 1];
  if (n > MAX_MATRIX)
    throw shapeError(op, `factors matrices up to ${MAX_MATRIX}×${MAX_MATRIX} on the host; got ${fmtShape(A.shape)}`);
  return n;
}

const floating = (op: string, A: Tensor) => (A.dtype === 'bool' ? cast(A, 'float32') : A);

/** inv: dA = -inv(A)' g inv(A)'. */
const Inv: OpDef = {
  name: 'inv',
  gradName: 'LinalgInvExBackward0',
  formulas: ["-{out}' @ {g} @ {out}'"],
  saveOut: true,
  backward: (g, { out }) => [neg(matmul(matmul(adjoint(out), g), adjoint(out)))],
};

export function inv(x: Tensor): Tensor {
  const A = floating('inv', x);
  squareBatch('inv', A);
  const out = fromMatrices(
    matrices(A).map((m, b) => luSolve(luFactor(m), identity(m.rows), 'inv', A.shape, b)),
    A.shape,
    A.dtype,
    'inv',
  );
  return record(Inv, [A], {}, out);
}

/** solve: X = A⁻¹ B; dB = solve(A', g), dA = -dB X'. */
const Solve: OpDef = {
  name: 'solve',
  gradName: 'LinalgSolveExBackward0',
  formulas: ["-solve({x0}', {g}) @ {out}'", "solve({x0}', {g})"],
  saveOut: true,
  backward: (g, { inputs: [A], out, needs }) => {
    const gB = solve(adjoint(A), g);
    return [!needs || needs[0] ? neg(matmul(gB, adjoint(out))) : null, gB];
  },
};

/**
 * torch.linalg.solve(A, B, left): B is a batch of vectors when it is 1-D or its shape is A's without the last
 * axis; left=false solves X A = B, as solve(A^T, B^T)^T.
 */
export function solve(a: Tensor, b: Tensor, left = true): Tensor {
  if (!left) {
    if (b.rank < 2) throw shapeError('solve', `left=false needs B as a matrix [..., k, n], got ${fmtShape(b.shape)}`);
    return transpose(solve(transpose(a), transpose(b)));
  }
  const n = squareBatch('solve', a);
  const dtype = promote(promote(a.dtype, b.dtype), 'float32');
  const vector = b.rank === 1 || (b.rank === a.rank - 1 && b.shape.every((d, i) => d === a.shape[i]));
  const B0 = vector ? unsqueeze(cast(b, dtype), -1) : cast(b, dtype);
  if (B0.rank < 2 || B0.shape[B0.rank - 2] !== n) {
    throw shapeError(
      'solve',
      `A has shape ${fmtShape(a.shape)}, so B needs ${n} rows (shape [..., ${n}, k], or [..., ${n}] for vectors), got ${fmtShape(b.shape)}`,
    );
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), B0.shape.slice(0, -2));
  if (!batch)
    throw shapeError(
      'solve',
      `the batch dimensions of A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)} do not broadcast`,
    );
  checkResultSize('solve', [...batch, n, Math.max(n, B0.shape[B0.rank - 1])], 'the broadcast batch');
  const A = expand(cast(a, dtype), [...batch, n, n]);
  const B = expand(B0, [...batch, n, B0.shape[B0.rank - 1]]);
  const bs = matrices(B);
  const xs = matrices(A).map((m, i) => luSolve(luFactor(m), bs[i], 'solve', A.shape, i));
  const X = record(Solve, [A, B], {}, fromMatrices(xs, B.shape, dtype, 'solve'));
  return vector ? squeeze(X, -1) : X;
}

const scalars = (vals: { re: number; im: number }[]): Mat[] =>
  vals.map((v) => ({ rows: 1, cols: 1, re: Float64Array.of(v.re), im: Float64Array.of(v.im) }));

/**
 * det: dA = g conj(det) inv(A)', which is g conj(C) with C the cofactor matrix (the text states the inv form,
 * which explain can print; at a singular A only the cofactor form exists). At a singular A (where inv
 * does not exist but C does), and for every matrix up to 4×4 (where it is cheap, and polynomial, so higher
 * derivatives stay accurate near singular matrices, where det * inv(A) cancels), the rule builds C from the
 * determinants of the minors, themselves differentiable, so every order works there too.
 */
const Det: OpDef = {
  name: 'det',
  gradName: 'LinalgDetBackward0',
  formulas: ["{g} * conj({out}) * inv({x0})'"],
  saveOut: true,
  backward: (g, { inputs: [A], out }) => [
    A.shape[A.rank - 1] <= SMALL_N || anySingular(A)
      ? mul(g2(g), conj(cofactors(A)))
      : mul(g2(mul(g, conj(out))), adjoint(inv(A))),
  ],
};

const SMALL_N = 4;
const anySingular = (A: Tensor) => matrices(A).some((m) => luFactor(m).zeroPivot >= 0);

/** Past this size the minors' route (n² determinants) is too slow; such a singular matrix is reported. */
const MAX_COFACTOR_N = 32;

/** The cofactor matrix C (C_ij = (-1)^(i+j) det of A without row i and column j), batched, in differentiable ops. */
function cofactors(A: Tensor): Tensor {
  const n = A.shape[A.rank - 1];
  if (n === 1) return add(mul(A, 0), 1);
  if (n > MAX_COFACTOR_N) {
    throw valueError(
      'det',
      `the gradient of det at a singular ${n}×${n} matrix (input ${fmtShape(A.shape)}) is computed from minors only up to ${MAX_COFACTOR_N}×${MAX_COFACTOR_N}; use slogdet, or regularize A`,
    );
  }
  const without = (i: number) => Int32Array.from({ length: n - 1 }, (_, k) => (k < i ? k : k + 1));
  const entries: Tensor[] = [];
  for (let i = 0; i < n; i++) {
    const rows = gather(A, A.rank - 2, without(i));
    for (let j = 0; j < n; j++) {
      const d = det(gather(rows, A.rank - 1, without(j)));
      entries.push((i + j) % 2 ? neg(d) : d);
    }
  }
  return reshape(stack(entries, -1), A.shape);
}

export function det(x: Tensor): Tensor {
  const A = floating('det', x);
  squareBatch('det', A);
  const dets = matrices(A).map((m) => luDet(luFactor(m)));
  return record(Det, [A], {}, fromMatrices(scalars(dets), A.shape.slice(0, -2), A.dtype, 'det'));
}

/** log|det A|: dA = g inv(A)'. */
const LogAbsDet: OpDef = {
  name: 'logabsdet',
  gradName: 'LinalgSlogdetBackward0',
  formulas: ["{g} * inv({x0})'"],
  backward: (g, { inputs: [A] }) => [mul(g2(g), adjoint(inv(A)))],
};

/** Returns (sign, logabsdet). The sign of a real matrix is flat (no gradient); a complex one is det/|det|. */
export function slogdet(x: Tensor): Tensor[] {
  const A = floating('slogdet', x);
  squareBatch('slogdet', A);
  const dets = matrices(A).map((m) => luDet(luFactor(m)));
  const batch = A.shape.slice(0, -2);
  const logabs = record(
    LogAbsDet,
    [A],
    {},
    fromMatrices(scalars(dets.map((d) => ({ re: d.logAbs, im: 0 }))), batch, realOf(A.dtype), 'slogdet'),
  );
  if (isComplex(A.dtype)) {
    const d = det(A);
    return [div(d, cast(abs(d), 'complex64')), logabs];
  }
  const s = fromMatrices(scalars(dets.map((d) => ({ re: d.signRe, im: 0 }))), batch, A.dtype, 'slogdet');
  return [cut(s, 'the sign of a determinant (flat: its gradient is zero)', [A]), logabs];
}

/**
 * cholesky (lower L, A = L L'), Murray (2016) as PyTorch writes it: P = tril(L' g) with its diagonal halved,
 * S = inv(L)' P inv(L), dA = (S + S') / 2.
 */
// written out in builtins (explain's formulas have no bindings): P as tril minus half the diagonal, triu(tril(.))
const PHI = "(tril({out}' @ {g}) - triu(tril({out}' @ {g})) / 2)";
const CHOLESKY_S = `inv({out})' @ ${PHI} @ inv({out})`;
const Cholesky: OpDef = {
  name: 'cholesky',
  gradName: 'LinalgCholeskyExBackward0',
  formulas: [`(${CHOLESKY_S} + (${CHOLESKY_S})') / 2`],
  saveOut: true,
  backward: (g, { out: L }) => {
    const n = L.shape[L.rank - 1];
    const P = mul(tril(matmul(adjoint(L), g)), halfOnDiagonal(n));
    const Li = inv(L);
    const S = matmul(matmul(adjoint(Li), P), Li);
    return [mul(add(S, adjoint(S)), 0.5)];
  },
};

/** A constant n×n matrix: 1/2 on the diagonal, 1 elsewhere. */
function halfOnDiagonal(n: number): Tensor {
  const m: Mat = { rows: n, cols: n, re: new Float64Array(n * n).fill(1), im: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) m.re[i * n + i] = 0.5;
  return fromMatrices([m], [n, n], 'float32', 'cholesky');
}

export function cholesky(x: Tensor, upper = false): Tensor {
  const A = floating('cholesky', x);
  squareBatch('cholesky', A);
  const L = record(
    Cholesky,
    [A],
    {},
    fromMatrices(
      matrices(A).map((m, b) => choleskyLower(m, 'cholesky', A.shape, b)),
      A.shape,
      A.dtype,
      'cholesky',
    ),
  );
  return upper ? adjoint(L) : L;
}

/** The builtin's forward: an equation and its operands, or the sublist form (einsum-sublist.ts). */
export function einsumOf(equation: string | Tensor, operands: readonly Tensor[]): Tensor {
  if (typeof equation !== 'string') {
    const s = sublistEquation(equation, operands);
    return einsum(s.equation, s.operands);
  }
  if (!operands.length)
    throw typeError('einsum', 'give the operands after the equation, e.g. einsum("ij,jk->ik", a, b)');
  return einsum(equation, operands);
}

const A_ = p('x', 'tensor');

const ROWS: FamilyRow[] = [
  {
    name: 'einsum',
    params: [p('equation', 'equation'), { name: 'operands', kind: 'tensors', rest: true }],
    doc: 'Einstein summation as PyTorch\'s: "ij,jk->ik", "bij,bjk->bik", "ii->i", "...ij->...ji", implicit output ("ij,jk"); or the sublist form einsum(a, [0, 1], b, [1, 2], [0, 2]).',
    grad: 'doperands = swap_einsum(equation, {g}, operands)',
    method: false,
    forward: einsumOf,
  },
  {
    name: 'inv',
    params: [A_],
    doc: 'The inverse of a square matrix (batched over leading axes); a singular matrix is an error.',
    grad: Inv,
    method: false,
    forward: inv,
  },
  {
    name: 'solve',
    params: [p('A', 'tensor'), p('B', 'tensor'), p('left', 'bool', true)],
    doc: 'X with A @ X = B (torch.linalg.solve); B may be a vector or a batch of vectors; left=false solves X @ A = B.',
    grad: Solve,
    method: false,
    forward: solve,
  },
  {
    name: 'det',
    params: [A_],
    doc: 'The determinant of a square matrix (batched).',
    grad: Det,
    method: true,
    forward: det,
  },
  {
    name: 'slogdet',
    params: [A_],
    doc: 'Returns (sign, log|det|): the determinant without overflow. For complex matrices the sign is det/|det|.',
    grad: LogAbsDet,
    method: true,
    forward: slogdet,
  },
  {
    name: 'cholesky',
    params: [A_, p('upper', 'bool', false)],
    doc: "The Cholesky factor L (lower, A = L L'; upper=true gives L') of a symmetric/Hermitian positive-definite matrix.",
    grad: Cholesky,
    method: true,
    forward: cholesky,
  },
];

export const LINALG = ROWS.map((row) => registryEntry('linalg', row));
registerFamily('linalg', LINALG);
