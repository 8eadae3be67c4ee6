import { isComplex } from '../dtype';
import type { BackwardCtx, Node } from '../graph';
import { registerBackwardDiagnoser, type Contribution } from '../hooks';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { at, reachable } from '../unused';
import { elementIndex, fmtValue, gradSymbol, nodeLabel, renderFormula, valueLabel } from './names';

/**
 * Why a gradient is missing, zero or NaN, in sentences that name the line and the fix. Plain functions over
 * the recorded graph, registered with the core's backward pass (hooks.ts registerBackwardDiagnoser, at the
 * end of this file): autograd calls them only on the error path (or once a flat rule ran), so they cost
 * nothing in the common case. Why an input is unused lives in the core (../unused.ts): backprop raises it.
 */

export { unusedReason } from '../unused';

export type { Contribution };

const allZero = (g: Tensor) => g.toHost().every((v) => v === 0);

/**
 * A gradient that came out all zero because every path to it runs through a flat op (round, sign, floor):
 * the warning names those ops and their lines and suggests a straight-through estimator. Null otherwise.
 */
export function flatWarning(api: string, t: Tensor, g: Tensor, target: Node, flat: readonly Node[]): string | null {
  if (!allZero(g)) return null;
  const culprits = flat.filter((f) => reachable([f]).has(target));
  if (!culprits.length) return null;
  const ops = [...new Map(culprits.map((f) => [`${f.op.name}${at(f.site)}`, f])).keys()];
  const first = culprits[0].op.name;
  return `${api}: the gradient of ${t.name ? `'${t.name}'` : 'the input'} is zero everywhere: the gradient reaches it only through ${ops.join(' and ')}, whose derivative is zero almost everywhere. For a straight-through estimator give that step its own gradient, e.g. @custom_grad(fn(x, y, g) = g) fn ${first}_ste(x) = ${first}(x)`;
}

/** The value of t at flat element k when t has `shape`, else null (broadcast shapes are not indexed). */
function valueAt(t: Tensor | null | undefined, shape: readonly number[], k: number): string | null {
  if (!t || !sameShape(t.shape, shape)) return t && t.size === 1 ? fmtValue(t.toHost(), 0, isComplex(t.dtype)) : null;
  return fmtValue(t.toHost(), k, isComplex(t.dtype));
}

/**
 * detect_anomaly in backward: the rule that first produced NaN or an infinity, with its formula in the
 * source's names, the element and the values that went in; and the `where` trap explained when a where
 * sent this branch a zero that the rule turned into NaN.
 */
export function anomalyInBackward(
  n: Node,
  i: number,
  gi: Tensor,
  g: Tensor,
  ctx: BackwardCtx,
  into: readonly Contribution[],
): string {
  const h = gi.toHost();
  const L = isComplex(gi.dtype) ? 2 : 1;
  let k = 0;
  while (k < gi.size && [...Array(L).keys()].every((l) => Number.isFinite(h[k * L + l]))) k++;
  const bad = [...Array(L).keys()].some((l) => Number.isNaN(h[k * L + l])) ? 'NaN' : 'an infinite value';
  const el = elementIndex(gi.shape, k);
  const outLabel = nodeLabel(n);
  const input = ctx.inputs[i];
  const inLabel = input ? valueLabel(input, n.next[i]) : `input ${i + 1}`;
  const gName = gradSymbol('L', outLabel);
  const inputs = ctx.inputs.map((t, j) => valueLabel(t, n.next[j]));
  const formula = `${gradSymbol('L', inLabel)} = ${renderFormula(n.op.formulas[i] ?? '?', { g: gName, inputs, out: outLabel, attrs: n.attrs })}`;
  const gv = valueAt(g, gi.shape, k);
  const values = [
    gv !== null ? `${gName} = ${gv}` : null,
    ...ctx.inputs.map((t, j) => {
      const v = valueAt(t, gi.shape, k);
      return v !== null && !/^-?[\d.]+$/.test(inputs[j]) ? `${inputs[j]} = ${v}` : null;
    }),
    ctx.out && n.op.saveOut
      ? (() => {
          const v = valueAt(ctx.out, gi.shape, k);
          return v !== null ? `${outLabel} = ${v}` : null;
        })()
      : null,
  ].filter((s): s is string => !!s);
  let msg = `the backward of ${n.op.name}${at(n.site)} produced ${bad} in the gradient of ${inLabel}${el ? ` at element ${el}` : ''}, by the formula ${formula}${values.length ? `; there ${values.join(', ')}` : ''}`;
  if (gv === '0')
    msg += trap(n, k, gi, into, inLabel) ?? `. The incoming gradient is 0 there, so the rule computed 0 / 0 or 0 * inf`;
  return msg + '.';
}

/** The where trap: a where sent this node 0 for an element it did not select, and the rule made it NaN. */
function trap(n: Node, k: number, gi: Tensor, into: readonly Contribution[], inLabel: string): string | null {
  for (const c of into) {
    if (c.node.op.name !== 'where' || c.input === 0) continue;
    const v = valueAt(c.grad, gi.shape, k);
    if (v !== '0') continue;
    const cond = c.ctx.inputs[0];
    const condLabel = valueLabel(cond);
    const cv = sameShape(cond.shape, gi.shape) ? (cond.toHost()[k] ? 'true' : 'false') : null;
    const branch = c.input === 1 ? 'first' : 'second';
    const state = cv ? ` (its condition ${condLabel} is ${cv} there)` : '';
    const safe = c.input === 1 ? `where(${condLabel}, ${inLabel}, 1)` : `where(${condLabel}, 1, ${inLabel})`;
    return `. This is the where trap: the where${at(c.node.site)} did not select its ${branch} branch, ${nodeLabel(n)}, at this element${state}, so it sent that branch a gradient of 0; but ${n.op.name}'s rule turns that 0 into NaN (0 / 0), and since 0 * NaN is NaN, not 0, the NaN flows on into ${inLabel} although the forward value was masked out. Keep the unselected branch finite as well: compute ${n.op.name}(${safe}) instead of ${n.op.name}(${inLabel})`;
  }
  return null;
}

// loading explain is what gives backprop its explanations (runtime/index.ts loads it with the public surface)
registerBackwardDiagnoser({ anomaly: anomalyInBackward, flat: flatWarning });
