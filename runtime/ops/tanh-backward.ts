import { record } from '../engine';
import type { OpDef } from '../graph';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { ruleOps } from './rule-ops';
import { compute } from './util';

/**
 * tanh's backward, g · (1 − y²) with y = tanh(x), as one kernel and one node: PyTorch's tanh_backward. Written
 * as the three ops it stands for, a PINN's second and third derivatives multiplied them (every order
 * differentiates the ops of the order before); one node with its own rules keeps each order to a few ops.
 *
 * The bits are the three ops' (the kernel rounds after each operation in float32), and the rules below compute
 * in their order: d/dg is g' · (1 − y²) again, d/dy is −2 · (g'·g)·y, which is what the chain mul, sub, mul
 * gave (its two products of y summed to twice one).
 */
const TanhBackward: OpDef = {
  name: 'tanh_backward',
  gradName: 'TanhBackwardBackward0',
  formulas: ['{g} * (1 - {x1}^2)', '-2 * {g} * {x0} * {x1}'],
  backward: (gg, c) => {
    const o = ruleOps();
    const [g, y] = c.inputs;
    return [
      c.needs && !c.needs[0] ? null : tanhBackward(gg, y),
      c.needs && !c.needs[1] ? null : o.mul(o.mul(o.mul(gg, g), y), -2),
    ];
  },
};

/**
 * g · (1 − y²): tanh's gradient g at its output y. The one kernel where both are real tensors of one shape and
 * type, as tanh's rule gives them; otherwise the same value from the ops it stands for.
 */
export function tanhBackward(g: Tensor, y: Tensor): Tensor {
  if (g.dtype !== y.dtype || !sameShape(g.shape, y.shape) || (g.dtype !== 'float32' && g.dtype !== 'float64')) {
    const o = ruleOps();
    return o.mul(g, o.sub(1, o.mul(y, y)));
  }
  const out = compute('binary', [g, y], { fn: 'tanh_grad' }, g.shape, g.dtype, TanhBackward.name);
  return record(TanhBackward, [g, y], {}, out);
}
