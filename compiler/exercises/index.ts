import { customBackward } from './custom-backward';
import { deriveGradient } from './derive-gradient';
import { fitOde } from './fit-ode';
import { gradientReversal } from './gradient-reversal';
import { repairGradientPath } from './repair-gradient-path';
import { softmaxCrossEntropy } from './softmax-cross-entropy';
import type { Exercise } from './kit';

export type { Exercise, Verdict } from './kit';

/**
 * The exercises of notebooks/exercises/, by the name `check(name, answer)` takes. Each one computes its
 * expected answer with the runtime (a reference function differentiated by autograd, an exact solution
 * evaluated on a grid) rather than storing numbers, and knows the common wrong answers well enough to say
 * what is wrong with one.
 */
export const EXERCISES: ReadonlyMap<string, Exercise> = new Map(
  [deriveGradient, repairGradientPath, gradientReversal, customBackward, fitOde, softmaxCrossEntropy].map((e) => [
    e.name,
    e,
  ]),
);
