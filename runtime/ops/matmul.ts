import { isComplex, promote } from '../dtype';
import { noGrad } from '../mode';
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
  if (x.rank === 0 || y.rank === 0)
    throw shapeError('matmul', 'both operands need at least one dimension; use * for scalars');
  const dtype = promote(x.dtype, y.dtype);
  let a = cast(x, dtype);
  let b = cast(y, dtype);
  // vectors follow NumPy: a leading vector is a row, a trailing vector a column, and the added axes are dropped
  // (the column's last, then the row's, so vector @ vector gives a scalar)
  if (a.rank === 1 || b.rank === 1) {
    // computed through the 2-D case but recorded as one op, so explain and formula read W @ x like W @ X
    const out = noGrad(() => {
      const o = matmul(a.rank === 1 ? unsqueeze(a, 0) : a, b.rank === 1 ? unsqueeze(b, -1) : b);
      const noCol = b.rank === 1 ? squeeze(o, -1) : o;
      return a.rank === 1 ? squeeze(noCol, b.rank === 1 ? -1 : -2) : noCol;
    });
    return record(vectorMatMul(a.rank, b.rank, isComplex(dtype)), [a, b], {}, out);
  }
  const [M, K] = a.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  if (K !== K2) {
    throw shapeError(
      'matmul',
      `shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} cannot be multiplied: the inner dimensions ${K} and ${K2} differ (did you mean to transpose one, e.g. W'?)`,
    );
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batch)
    throw shapeError('matmul', `batch dimensions of ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not broadcast`);
  const out = compute(
    'matmul',
    [rawExpand(a, [...batch, M, K]), rawExpand(b, [...batch, K, N])],
    {},
    [...batch, M, N],
    dtype,
    'matmul',
  );
  return record(MatMul, [a, b], {}, out);
}

/**
 * matmul with a vector operand (W @ x, x @ W, x @ y). The rule is the 2-D one applied to the vector as a
 * row or column; its formulas are written for vectors: dL/dW = outer(dL/dy, x) (with conj(x) when complex).
 */
const VECTOR_OPS = new Map<string, OpDef>();
function vectorMatMul(ra: number, rb: number, complex: boolean): OpDef {
  const key = `${ra === 1 ? 'v' : 'm'}${rb === 1 ? 'v' : 'm'}${complex ? 'c' : ''}`;
  let op = VECTOR_OPS.get(key);
  if (op) return op;
  const cj = (x: string) => (complex ? `conj(${x})` : x);
  const formulas =
    ra !== 1
      ? [`outer({g}, ${cj('{x1}')})`, "{x0}' @ {g}"]
      : rb !== 1
        ? ["{g} @ {x1}'", `outer(${cj('{x0}')}, {g})`]
        : [`{g} * ${cj('{x1}')}`, `{g} * ${cj('{x0}')}`];
  op = {
    name: 'matmul',
    gradName: ra === 1 && rb === 1 ? 'DotBackward0' : 'MvBackward0',
    formulas,
    backward: (g, { inputs: [a, b], inputMeta, needs }) => {
      // the 2-D rule on the vector as a row (left) or a column (right), and the result back to the vector's shape
      const a2 = a.rank === 1 ? unsqueeze(a, 0) : a;
      const b2 = b.rank === 1 ? unsqueeze(b, -1) : b;
      let g2 = g;
      if (b.rank === 1) g2 = unsqueeze(g2, -1);
      if (a.rank === 1) g2 = unsqueeze(g2, b.rank === 1 ? -1 : -2);
      return [
        !needs || needs[0] ? reshape(sumTo(matmul(g2, adjoint(b2)), a2.shape), inputMeta[0].shape) : null,
        !needs || needs[1] ? reshape(sumTo(matmul(adjoint(a2), g2), b2.shape), inputMeta[1].shape) : null,
      ];
    },
  };
  VECTOR_OPS.set(key, op);
  return op;
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
