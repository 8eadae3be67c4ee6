import * as nb from '../../runtime';
import type { Value } from '../values';
import { call, close, fmt, gradOf, Hint, needFunction, right, tensorOf, type Exercise } from './kit';

/**
 * Gradient reversal (Ganin & Lempitsky's layer for domain-adversarial training): reverse_grad(x, lam) is x
 * going forward and multiplies the gradient by -lam coming back. Any implementation counts (@custom_grad, a
 * hook, the detach trick); the check feeds it a non-leaf x that is also used directly, so that a hook on x
 * itself, which would flip that other use too, is caught.
 */
const SHAPE = [3, 2];

export const gradientReversal: Exercise = {
  name: 'gradient-reversal',
  task: 'write fn reverse_grad(x, lam) that returns x unchanged but multiplies the gradient flowing back through it by -lam, then check("gradient-reversal", reverse_grad)',
  check(answer: Value) {
    const f = needFunction(answer, this, 'your function reverse_grad(x, lam)');
    // lam = 0.3 first: with lam = 1 some mistakes (a reversal that ignores lam) look right
    for (const [lam, seed] of [
      [0.3, 301],
      [1, 302],
    ] as const) {
      const u = nb.param(nb.randn(SHAPE, { seed }));
      const x = nb.mul(u, 2); // a computed x: the reversal must pass the gradient on to u
      const w = nb.randn(SHAPE, { seed: seed + 10 });
      const other = nb.randn(SHAPE, { seed: seed + 20 });
      const y = tensorOf(call(f, [x, lam], `reverse_grad(x, ${lam})`), `reverse_grad(x, ${lam})`, SHAPE);
      if (!close(y, x))
        throw new Hint(
          `going forward reverse_grad must return x unchanged, but at x = ${fmt(x)} it returned ${fmt(y)}`,
        );
      // L = sum(w * reverse_grad(x)) + sum(other * x): dL/du = 2 * (-lam * w + other)
      const L = nb.add(nb.sum(nb.mul(y, w)), nb.sum(nb.mul(other, x)));
      const g = gradOf(L, u, null, `reverse_grad(x, ${lam})`);
      const expect = (a: number, b: number) => nb.mul(nb.add(nb.mul(w, a), nb.mul(other, b)), 2);
      if (close(g, expect(-lam, 1))) continue;
      if (close(g, expect(1, 1)))
        throw new Hint('the gradient passes through unchanged: it must come back multiplied by -lam');
      if (close(g, expect(-lam, -lam))) {
        throw new Hint(
          "the reversal also flipped the gradient of another use of x: a hook on x acts on all of x's gradient. Reverse only what flows through the new tensor you return (e.g. y = x * 1.0, then hook y)",
        );
      }
      if (lam !== 1 && close(g, expect(-1, 1)))
        throw new Hint(
          `the gradient is reversed but not scaled: with lam = ${lam} it must be -${lam} times the incoming gradient`,
        );
      if (close(g, expect(0, 1)))
        throw new Hint(
          'no gradient at all comes back through reverse_grad: its result is cut off from x (a detach, item() or tolist() on the way?)',
        );
      if (close(g, expect(lam, 1))) throw new Hint('the gradient is scaled by lam but not reversed: multiply by -lam');
      throw new Hint(
        `with lam = ${lam}, the gradient reaching x should be -lam times the incoming one (${fmt(nb.mul(w, -lam))}), but what arrived corresponds to ${fmt(nb.sub(nb.div(g, 2), other))}`,
      );
    }
    return right(
      'the forward is the identity and the gradient comes back multiplied by -lam, without touching other uses of x.',
    );
  },
};
