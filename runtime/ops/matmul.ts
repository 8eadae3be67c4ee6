import { promote } from '../dtype';
import { record } from '../engine';
import { shapeError } from '../errors';
import type { OpDef } from '../graph';
import { broadcastShapes, fmtShape } from '../shape';
import type { Tensor } from '../tensor';
import { mul } from './binary';
import { cast, conj } from './complex';
import { sum, sumTo } from './reduce';
import { reshape, transpose, unsqueeze, squeeze } from './shape';
import { compute, rawExpand } from './util';

/**
 * Batched matmul (..., M, K) @ (..., K, N) with broadcast batch dims. The rule is the textbook one written with
 * the adjoint: dA = dY @ B^H, dB = A^H @ dY — for complex inputs this is exactly PyTorch's answer.
 */
const MatMul: OpDef = {
  name: 'matmul',
  gradName: 'MmBackward0',
  formulas: ["{g} @ {x1}'", "{x0}' @ {g}"],
  backward: (g, { inputs: [a, b], inputMeta, needs }) => [
    !needs || needs[0] ? sumTo(matmul(g, adjoint(b)), inputMeta[0].shape) : null,
    !needs || needs[1] ? sumTo(matmul(adjoint(a), g), inputMeta[1].shape) : null,
  ],
};

/** Conjugate transpose of the last two axes (W' in Nabla). */
export function adjoint(x: Tensor): Tensor {
  return conj(transpose(x));
}

export function matmul(x: Tensor, y: Tensor): Tensor {
  if (x.rank === 0 || y.rank === 0) throw shapeError('matmul', 'both operands need at least one dimension; use * for scalars');
  const dtype = promote(x.dtype, y.dtype);
  let a = cast(x, dtype);
  let b = cast(y, dtype);
  // vectors follow NumPy: a leading vector is a row, a trailing vector a column, and the added axes are dropped
  // (the column's last, then the row's, so vector @ vector gives a scalar)
  if (a.rank === 1 || b.rank === 1) {
    const out = matmul(a.rank === 1 ? unsqueeze(a, 0) : a, b.rank === 1 ? unsqueeze(b, -1) : b);
    const noCol = b.rank === 1 ? squeeze(out, -1) : out;
    return a.rank === 1 ? squeeze(noCol, b.rank === 1 ? -1 : -2) : noCol;
  }
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) {
    throw shapeError('matmul', `shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} cannot be multiplied: the inner dimensions ${K} and ${K2} differ (did you mean to transpose one, e.g. W'?)`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batch) throw shapeError('matmul', `batch dimensions of ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not broadcast`);
  const out = compute('matmul', [rawExpand(a, [...batch, M, K]), rawExpand(b, [...batch, K, N])], {}, [...batch, M, N], dtype, 'matmul');
  return record(MatMul, [a, b], {}, out);
}

export function outer(a: Tensor, b: Tensor): Tensor {
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.rank !== 1 || b.rank !== 1 || a.size !== b.size) {
    throw shapeError('dot', `needs two vectors of the same length, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return sum(mul(a, b));
}
