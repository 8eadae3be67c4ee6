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
      c.needs && !c.needs[1] ? null : mulNeg2(o.mul(gg, g), y),
    ];
  },
};

/**
 * −2 · (a·b), rounded as the two ops it stands for (the product, then an exact doubling): the last two products
 * of tanh_backward's d/dy, −2·(g'·g)·y. As one kernel and one node, each order of differentiation runs a kernel
 * fewer, and its rules are the node itself again: d/da = −2·(G·b) is fl(fl(G·−2)·b) bit for bit, which is what
 * the chain's two rules gave.
 */
const MulNeg2: OpDef = {
  name: 'mul_neg2',
  gradName: 'MulBackward0',
  formulas: ['-2 * {g} * {x1}', '-2 * {g} * {x0}'],
  backward: (g, c) => {
    const [a, b] = c.inputs;
    return [c.needs && !c.needs[0] ? null : mulNeg2(g, b), c.needs && !c.needs[1] ? null : mulNeg2(g, a)];
  },
};

export function mulNeg2(a: Tensor, b: Tensor): Tensor {
  if (!fusable(a, b)) {
    const o = ruleOps();
    return o.mul(o.mul(a, b), -2);
  }
  const out = compute('binary', [a, b], { fn: 'mul_neg2' }, a.shape, a.dtype, MulNeg2.name);
  return record(MulNeg2, [a, b], {}, out);
}

/** Both real tensors of one shape and float type: the kernels' case (a rule may pass others). */
const fusable = (a: Tensor, b: Tensor) =>
  a.dtype === b.dtype && sameShape(a.shape, b.shape) && (a.dtype === 'float32' || a.dtype === 'float64');

/**
 * g · (1 − y²): tanh's gradient g at its output y. The one kernel where both are real tensors of one shape and
 * type, as tanh's rule gives them; otherwise the same value from the ops it stands for.
 */
export function tanhBackward(g: Tensor, y: Tensor): Tensor {
  if (!fusable(g, y)) {
    const o = ruleOps();
    return o.mul(g, o.sub(1, o.mul(y, y)));
  }
  const out = compute('binary', [g, y], { fn: 'tanh_grad' }, g.shape, g.dtype, TanhBackward.name);
  return record(TanhBackward, [g, y], {}, out);
}
