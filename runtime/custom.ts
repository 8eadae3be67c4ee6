import { record } from './engine';
import { gradError } from './errors';
import type { OpDef } from './graph';
import { noGrad } from './mode';
import { siteState } from './site';
import type { Tensor } from './tensor';
import { compute } from './ops/util';

/**
 * A user-defined backward (torch.autograd.Function, tf.custom_gradient): forward runs unrecorded, and the
 * node's rule calls `backward(...inputs, out, g)`, which returns one gradient per input (or one tensor for
 * a single input). The rule runs in grad mode when create_graph is set, so it too can be differentiated.
 */
export type CustomBackward = (...args: Tensor[]) => Tensor | null | readonly (Tensor | null)[];

export function customGrad(
  forward: (...inputs: Tensor[]) => Tensor,
  backward: CustomBackward,
  name = 'custom_grad',
): (...inputs: Tensor[]) => Tensor {
  const op: OpDef = {
    name,
    gradName: 'CustomBackward',
    formulas: [`custom backward of ${name}`],
    saveOut: true,
    userCode: true,
    backward: (g, { inputs, out }) => {
      const r = backward(...inputs, out, g);
      const grads = Array.isArray(r) ? [...r] : [r as Tensor | null];
      if (grads.length !== inputs.length) {
        throw gradError(
          name,
          `the custom backward returned ${grads.length} gradient(s) for ${inputs.length} input(s); return one per input`,
        );
      }
      return grads;
    },
  };
  return (...inputs: Tensor[]) => {
    // the node belongs to the call (binarize(p)), not to the last line its forward ran
    const site = siteState.current;
    const out = noGrad(() => forward(...inputs));
    siteState.current = site;
    // the forward's result may be a view of an input; record on a distinct tensor object
    const result = out.gradFn || inputs.includes(out) ? cloneRaw(out) : out;
    return record(op, inputs, {}, result);
  };
}

const cloneRaw = (t: Tensor) => compute('copy', [t], {}, t.shape, t.dtype, 'custom_grad');
