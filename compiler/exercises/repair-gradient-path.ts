import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import type { Value } from '../values';
import { call, close, f64, fmt, gradOf, Hint, needFunction, right, tensorOf, type Exercise } from './kit';

/**
 * Repair a broken gradient path. The notebook's loss normalises by a length taken through item():
 *
 *   fn loss(x) { n = norm(x).item(); sum((x / n)^3) }
 *
 * Its value is right and it even has a gradient, but the wrong one: the tape never saw how n depends on x.
 * The repaired function must give the same value and autograd's gradient of sum((x / norm(x))^3).
 */
const N = 4;

const value = (x: Tensor) => nb.sum(nb.pow(nb.div(x, nb.norm(x)), 3));

function reference(x: Tensor, cut: boolean): { value: Tensor; grad: Tensor } {
  const xx = f64(x);
  xx.requiresGrad = true;
  const n = nb.norm(xx);
  const y = nb.sum(nb.pow(nb.div(xx, cut ? nb.detach(n) : n), 3));
  return { value: y, grad: nb.grad(y, xx) as Tensor };
}

export const repairGradientPath: Exercise = {
  name: 'repair-gradient-path',
  task: 'write fn fixed_loss(x) that computes the same value as loss(x) but lets the gradient flow through the norm too, then check("repair-gradient-path", fixed_loss)',
  check(answer: Value) {
    const f = needFunction(answer, this, 'your repaired loss function');
    for (const seed of [201, 202, 203]) {
      const x = nb.param(nb.randn([N], { seed }));
      const y = tensorOf(call(f, [x], 'fixed_loss(x)'), 'fixed_loss(x)', []);
      const want = reference(x, false);
      if (!close(y, want.value)) {
        throw new Hint(
          `the value changed: at x = ${fmt(x)}, fixed_loss(x) = ${fmt(y)} but loss(x) = ${fmt(value(f64(x)))}. Repair the path without changing what is computed.`,
        );
      }
      const g = gradOf(y, x, null, 'fixed_loss(x)');
      if (close(g, want.grad)) continue;
      if (close(g, reference(x, true).grad)) {
        throw new Hint(
          `the gradient is still the broken one (${fmt(g)} at x = ${fmt(x)}): it treats the norm as a constant. ` +
            'Some value still leaves the graph (item(), tolist(), float(), detach): keep norm(x) a tensor all the way.',
        );
      }
      throw new Hint(
        `at x = ${fmt(x)} the gradient is ${fmt(g)}, but autograd's gradient of sum((x / norm(x))^3) is ${fmt(want.grad)}.`,
      );
    }
    return right(
      'the value is unchanged and the gradient now includes how the norm depends on x. Note that the broken version gave a gradient, just the wrong one: no error warns of that.',
    );
  },
};
