import { typeError } from '../../errors';
import type { Tensor } from '../../tensor';

/**
 * einsum's sublist form, as PyTorch (and NumPy) take it: `einsum(a, [0, 1], b, [1, 2], [0, 2])`, each operand
 * followed by its axes' labels as whole numbers 0..51, then optionally the output's. It is spelled here as
 * the equation it means ("ab,bc->ac": 0..25 are a..z, 26..51 A..Z), so both forms run the same einsum.
 *
 * The builtin converts every argument after the first to a tensor, so labels arrive as tensors; the form is
 * read by position (operand, labels, operand, labels, ..., output?). A lone label list right after the only
 * operand arrives spread into 0-d tensors (the builtin's `einsum(eq, [a, b])` reading), and is read back as one.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function labels(t: Tensor, which: string): string {
  if (t.rank > 1)
    throw typeError(
      'einsum',
      `${which} must be a list of axis labels (whole numbers 0..51), got a tensor of shape [${t.shape}]`,
    );
  // a tensor that takes part in a gradient is an operand, not labels: einsum(a, b) lacks its labels or its equation
  if (t.requiresGrad)
    throw typeError(
      'einsum',
      `${which} must be a list of axis labels (whole numbers 0..51), got a tensor that requires grad; give the equation first, einsum("i,i", a, b), or each operand's labels after it`,
    );
  return Array.from(t.toHost(), (v) => {
    if (!Number.isInteger(v) || v < 0 || v >= LETTERS.length)
      throw typeError('einsum', `${which} holds ${v}; axis labels are whole numbers 0..51`);
    return LETTERS[v];
  }).join('');
}

export function sublistEquation(first: Tensor, rest: readonly Tensor[]): { equation: string; operands: Tensor[] } {
  const args = rest.length > 1 && rest.every((t) => t.rank === 0) ? [first, spread(rest)] : [first, ...rest];
  const operands: Tensor[] = [];
  const terms: string[] = [];
  let k = 0;
  for (; k + 1 < args.length; k += 2) {
    operands.push(args[k]);
    terms.push(labels(args[k + 1], `the labels of operand ${operands.length}`));
  }
  if (!terms.length)
    throw typeError(
      'einsum',
      'the sublist form needs each operand followed by its axis labels: einsum(a, [0, 1], b, [1, 2], [0, 2])',
    );
  const out = k < args.length ? `->${labels(args[k], 'the output labels')}` : '';
  return { equation: terms.join(',') + out, operands };
}

/** 0-d label tensors back into one vector of labels (reading the value only). */
function spread(ts: readonly Tensor[]): Tensor {
  const [t0] = ts;
  const host = Float64Array.from(ts, (t) => t.toHost()[0]);
  return (t0.constructor as typeof Tensor).fromHost(host, [ts.length], 'float64');
}
