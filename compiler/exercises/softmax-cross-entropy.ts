import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import type { Value } from '../values';
import { call, close, f64, fmt, Hint, needFunction, numbers, right, tensorOf, type Exercise } from './kit';

/**
 * The softmax cross-entropy of a batch: for logits Z (N × C) and class indices y, L = cross_entropy(Z, y),
 * the mean over the batch of logsumexp(Z[i]) - Z[i, y[i]]. The student derives dL/dZ by hand as
 * `fn dL(Z, y) = ...`; the expected gradient is autograd's, of the builtin cross_entropy in float64, at a
 * few random batches (one with logits near 1000, where only the stable form stays finite).
 */
const N = 4;
const C = 3;

function expected(Z: Tensor, y: Tensor): Tensor {
  const zz = f64(Z);
  zz.requiresGrad = true;
  return nb.grad(nb.cross_entropy(zz, f64(y)), zz) as Tensor;
}

/** One-hot rows of y, in float64. */
const oneHot = (y: Tensor) =>
  f64(
    numbers(y).flatMap((k) => Array.from({ length: C }, (_, c) => (c === k ? 1 : 0))),
    [N, C],
  );

/** Answers students often reach, each with what it shows they missed. */
function diagnose(got: Tensor, Z: Tensor, y: Tensor): string | null {
  const zz = f64(Z);
  const p = nb.softmax(zz, { axis: 1 });
  const hot = oneHot(y);
  const want = nb.div(nb.sub(p, hot), N);
  if (close(got, nb.sub(p, hot)))
    return `that is the gradient of the summed loss; cross_entropy averages over the ${N} rows of the batch, so every entry is divided by N = ${N}`;
  if (close(got, nb.neg(want)))
    return 'the sign is flipped everywhere: L grows with logsumexp(Z[i]) and shrinks with Z[i, y[i]]';
  if (close(got, nb.div(p, N)))
    return 'that is softmax(Z) / N, the gradient of the logsumexp term alone; the "- Z[i, y[i]]" term contributes -1/N at each row\'s target class';
  if (close(got, nb.div(nb.sub(nb.softmax(zz, { axis: 0 }), hot), N)))
    return 'the softmax runs over the classes of each row (axis=1), not down the batch (axis=0)';
  if (close(got, nb.div(nb.sub(nb.exp(zz), hot), N)))
    return "exp(Z) must be normalized by each row's sum of exp: the derivative of log(s) is 1/s, times ds/dZ";
  return null;
}

export const softmaxCrossEntropy: Exercise = {
  name: 'softmax-cross-entropy',
  task: 'derive dL/dZ for L = cross_entropy(Z, y) (the mean over the batch of logsumexp(Z[i]) - Z[i, y[i]]) by hand and define it as fn dL(Z, y) = ..., using tensor operations (not grad), then check("softmax-cross-entropy", dL)',
  check(answer: Value) {
    const dL = needFunction(answer, this, 'your gradient function dL(Z, y)');
    const batches: [Tensor, Tensor][] = [
      [nb.randn([N, C], { seed: 201 }), nb.tensor([0, 2, 1, 2])],
      [nb.mul(nb.randn([N, C], { seed: 202 }), 3), nb.tensor([1, 1, 0, 2])],
      [nb.add(nb.randn([N, C], { seed: 203 }), 1000), nb.tensor([2, 0, 0, 1])],
    ];
    for (const [Z, y] of batches) {
      const got = tensorOf(call(dL, [Z, y], 'dL(Z, y)'), 'dL(Z, y)', [N, C]);
      if (numbers(got).some((v) => !Number.isFinite(v))) {
        throw new Hint(
          `dL(Z, y) gave non-finite values ${fmt(got)} at logits near ${fmt(nb.mean(Z))}: exp overflows there. Subtract each row's max before exp (softmax(Z, axis=1) does), which leaves the result unchanged`,
        );
      }
      const want = expected(Z, y);
      if (close(got, want)) continue;
      const known = diagnose(got, Z, y);
      if (known) throw new Hint(`at Z = ${fmt(Z)}, y = ${fmt(y)}, dL(Z, y) = ${fmt(got)}: ${known}.`);
      throw new Hint(
        `at Z = ${fmt(Z)}, y = ${fmt(y)}, dL(Z, y) = ${fmt(got)} but autograd's gradient is ${fmt(want)}. ` +
          'Work one row first: the gradient of logsumexp(z) - z[k] is softmax(z) minus a one-hot vector at k; then account for the mean over rows.',
      );
    }
    return right(
      `your formula agrees with autograd's gradient of cross_entropy on three batches, logits near 1000 included: (softmax(Z) - onehot(y)) / N.`,
    );
  },
};
