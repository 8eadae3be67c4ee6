import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import type { Value } from '../values';
import { call, close, f64, fmt, Hint, needFunction, numbers, right, tensorOf, type Exercise } from './kit';

/**
 * Derive and verify a gradient: the cross-entropy of a softmax, L(z) = log(sum(exp(z))) - z[2] for a
 * 5-vector z, whose gradient the student writes by hand as `fn dL(z) = ...`. The expected gradient is
 * autograd's, of the same loss in float64, at a few random z.
 */
const K = 2;
const N = 5;

/** The builtin, as the notebook's L: cross_entropy of one sample's logits is logsumexp(z) - z[k]. */
const loss = (z: Tensor) => nb.cross_entropy(z, nb.tensor(K, { dtype: z.dtype }));

function expected(z: Tensor): Tensor {
  const zz = f64(z);
  zz.requiresGrad = true;
  return nb.grad(loss(zz), zz) as Tensor;
}

/** Answers students often reach, each with what it shows they missed. */
function diagnose(got: Tensor, z: Tensor): string | null {
  const zz = f64(z);
  const soft = nb.softmax(zz);
  const onehot = (k: number) => f64(Array.from({ length: N }, (_, i) => (i === k ? 1 : 0)));
  const want = nb.sub(soft, onehot(K));
  if (close(got, soft))
    return 'that is softmax(z) = exp(z) / sum(exp(z)), the gradient of the log(sum(exp(z))) term alone; the "- z[2]" term has a gradient too: -1 at entry 2, 0 elsewhere';
  if (close(got, nb.neg(want)))
    return 'the sign is flipped everywhere: L grows with the log-sum-exp term and shrinks with z[2]';
  for (let k = 0; k < N; k++) {
    if (k !== K && close(got, nb.sub(soft, onehot(k))))
      return `the -1 is at entry ${k}, but z[2] is entry 2 (indices count from 0)`;
  }
  if (close(got, nb.sub(nb.exp(zz), onehot(K))))
    return 'exp(z) must be divided by sum(exp(z)): the derivative of log(s) is 1/s, times ds/dz';
  if (close(got, nb.sub(soft, 1)))
    return 'z[2] depends on entry 2 only, so its gradient is -1 at entry 2 and 0 elsewhere, not -1 everywhere';
  return null;
}

export const deriveGradient: Exercise = {
  name: 'derive-gradient',
  task: 'derive dL/dz for L(z) = log(sum(exp(z))) - z[2] by hand and define it as a function, fn dL(z) = ..., using tensor operations (not grad), then check("derive-gradient", dL)',
  check(answer: Value) {
    const dL = needFunction(answer, this, 'your gradient function dL(z)');
    const points = [nb.randn([N], { seed: 101 }), nb.mul(nb.randn([N], { seed: 102 }), 3), nb.linspace(-2, 2, N)];
    for (const z of points) {
      const got = tensorOf(call(dL, [z], 'dL(z)'), 'dL(z)', [N]);
      if (numbers(got).some((v) => !Number.isFinite(v)))
        throw new Hint(`dL(z) gave non-finite values ${fmt(got)} at z = ${fmt(z)}`);
      const want = expected(z);
      if (close(got, want)) continue;
      const known = diagnose(got, z);
      if (known) throw new Hint(`at z = ${fmt(z)}, dL(z) = ${fmt(got)}: ${known}.`);
      throw new Hint(
        `at z = ${fmt(z)}, dL(z) = ${fmt(got)} but autograd's gradient is ${fmt(want)}. ` +
          'Differentiate the two terms separately: log(sum(exp(z))) by the chain rule (log, then sum, then exp), and z[2], which depends on one entry only.',
      );
    }
    return right(
      'your formula agrees with autograd at three different z. It is softmax(z) minus a one-hot vector at the target entry: the gradient of cross-entropy.',
    );
  },
};
