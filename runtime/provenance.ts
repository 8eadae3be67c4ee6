import { fmtSite } from './site';
import type { Tensor } from './tensor';

/**
 * Why a tensor has no gradient path, in a sentence that names the place (from the provenance every tensor
 * keeps) and what to do. The explain issue grows this into full diagnostics; the runtime's own errors use it.
 */
export function whyNoGrad(t: Tensor, label: string): string {
  const who = `${label}${t.name ? ` '${t.name}'` : ''}`;
  const at = t.origin.site ? ` at ${fmtSite(t.origin.site)}` : '';
  if (t.origin.cut) {
    const fix = t.origin.cut === 'detach' ? 'remove the detach' : 'use a differentiable formulation, or a straight-through @custom_grad';
    return `${who} does not require grad: it was cut off from differentiation by ${t.origin.cut}${at}; ${fix}`;
  }
  return `${who} does not require grad and has no grad_fn: nothing it was computed from requires grad; create the inputs with param(...) or requires_grad=true, or watch(x) inside a tape before computing with x`;
}
