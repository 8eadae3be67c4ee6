import { promote, type DType } from '../dtype';
import { record } from '../engine';
import { shapeError } from '../errors';
import type { OpDef } from '../graph';
import { broadcastShapes, fmtShape } from '../shape';
import type { Tensor } from '../tensor';
import { cast } from './casts';
import { ruleOps } from './rule-ops';
import { asTensor, compute, rawExpand, type TensorLike } from './util';

/**
 * where(cond, a, b): the gradient flows to the selected branch only. Note the classic trap, which
 * detect_anomaly explains: a NaN in the unselected branch's *gradient* still poisons the sum, because
 * 0 * NaN = NaN in the branch's own backward.
 */
const Where: OpDef = {
  name: 'where',
  gradName: 'WhereBackward0',
  formulas: ['0', 'where({x0}, {g}, 0)', 'where({x0}, 0, {g})'],
  backward: (g, { inputs: [c], inputMeta }) => {
    const { sumTo } = ruleOps();
    return [null, sumTo(where(c, g, 0), inputMeta[1].shape), sumTo(where(c, 0, g), inputMeta[2].shape)];
  },
};

export function where(cond: TensorLike, x: TensorLike, y: TensorLike): Tensor {
  const c = asTensor(cond, 'bool');
  const like: DType = typeof x !== 'number' ? x.dtype : typeof y !== 'number' ? y.dtype : 'float32';
  let a = asTensor(x, like);
  let b = asTensor(y, like);
  const dtype = promote(a.dtype, b.dtype);
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  const ab = broadcastShapes(a.shape, b.shape);
  const shape = ab && broadcastShapes(c.shape, ab);
  if (!shape)
    throw shapeError(
      'where',
      `condition ${fmtShape(c.shape)}, and values ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not broadcast together`,
    );
  const out = compute(
    'where',
    [rawExpand(c, shape), rawExpand(a, shape), rawExpand(b, shape)],
    {},
    shape,
    dtype,
    'where',
  );
  return record(Where, [c, a, b], {}, out);
}
