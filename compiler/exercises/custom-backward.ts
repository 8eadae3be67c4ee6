import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import type { Value } from '../values';
import { call, close, f64, fmt, gradOf, Hint, needFunction, right, tensorOf, type Exercise } from './kit';

/**
 * Write a custom backward: normalize(x) = x / norm(x) decorated with @custom_grad(fn(x, y, g) = ...), whose
 * rule must agree with autograd's own derivative of x / norm(x) (computed here in float64) for random
 * incoming gradients g. The result must really come from a custom rule (its grad_fn is CustomBackward).
 */
const N = 5;

function reference(x: Tensor, g: Tensor): Tensor {
  const xx = f64(x);
  xx.requiresGrad = true;
  return nb.grad(nb.div(xx, nb.norm(xx)), xx, { gradOutputs: [f64(g)] }) as Tensor;
}

function diagnose(got: Tensor, x: Tensor, g: Tensor): string | null {
  const xx = f64(x);
  const gg = f64(g);
  const n = nb.norm(xx);
  const y = nb.div(xx, n);
  const want = reference(x, g);
  if (close(got, nb.div(gg, n)))
    return 'that is g / norm(x), the part that scales; normalizing also removes the component along y, so subtract y * sum(y * g) from g before dividing';
  if (close(got, nb.sub(gg, nb.mul(y, nb.sum(nb.mul(y, gg))))))
    return 'the projection is right, but it must also be divided by norm(x)';
  if (close(got, nb.neg(want))) return 'the sign is flipped';
  if (close(got, nb.div(nb.sub(gg, nb.mul(xx, nb.sum(nb.mul(xx, gg)))), n)))
    return 'the projection must use the unit vector y = x / norm(x), not x itself';
  if (close(got, gg)) return 'the rule passes g through unchanged';
  return null;
}

export const customBackward: Exercise = {
  name: 'custom-backward',
  task: 'define normalize(x) = x / norm(x) with your own backward rule, @custom_grad(fn(x, y, g) = ...) on the line above fn normalize(x), then check("custom-backward", normalize)',
  check(answer: Value) {
    const f = needFunction(answer, this, 'your decorated function normalize');
    for (const seed of [401, 402, 403]) {
      const x = nb.param(nb.randn([N], { seed }));
      const g = nb.randn([N], { seed: seed + 10 });
      const y = tensorOf(call(f, [x], 'normalize(x)'), 'normalize(x)', [N]);
      if (!close(y, nb.div(x, nb.norm(x))))
        throw new Hint(`normalize(x) must be x / norm(x), but at x = ${fmt(x)} it gave ${fmt(y)}`);
      if (!y.gradFn)
        throw new Hint(
          'normalize(x) is not connected to x: its result has no grad_fn (was the forward computed from a detached copy?)',
        );
      if (y.gradFn.gradName !== 'CustomBackward') {
        throw new Hint(
          `the gradient comes from autograd's own rules (grad_fn ${y.gradFn.gradName}), not from yours: put @custom_grad(fn(x, y, g) = ...) on the line above fn normalize(x)`,
        );
      }
      const got = gradOf(y, x, g, 'normalize(x)');
      if (close(got, reference(x, g))) continue;
      const known = diagnose(got, x, g);
      throw new Hint(
        `at x = ${fmt(x)} with incoming g = ${fmt(g)}, your rule gave ${fmt(got)}${known ? `: ${known}` : ` but autograd's derivative of x / norm(x) gives ${fmt(reference(x, g))}`}.`,
      );
    }
    return right(
      "your backward rule agrees with autograd's derivative of x / norm(x): (g - y * sum(y * g)) / norm(x).",
    );
  },
};
