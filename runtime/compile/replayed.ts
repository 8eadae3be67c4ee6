import { gradError } from '../errors';
import { Node, type OpDef } from '../graph';
import type { Tensor } from '../tensor';

/**
 * A tensor that a replayed plan produced stands where eager code would have left one with autograd history.
 * The replay keeps no graph, so it gets a node that prints as the original did (`grad_fn=<MeanBackward0>`)
 * and that refuses, with a sentence saying why, to be differentiated through: never a silent zero gradient.
 */
export function replayedHistory(t: Tensor, like: Tensor, why: string): Tensor {
  const gradName = like.gradFn?.gradName ?? 'AccumulateGrad';
  const op: OpDef = {
    name: 'replayed',
    gradName,
    formulas: [],
    backward: () => {
      throw gradError('backward', why);
    },
  };
  t.requiresGrad = like.requiresGrad;
  if (like.gradFn) t.gradFn = new Node(op, [], [], {}, [], { shape: t.shape, dtype: t.dtype }, like.gradFn.site, t);
  return t;
}
