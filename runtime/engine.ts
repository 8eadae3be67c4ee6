import { isComplex } from './dtype';
import { NablaError } from './errors';
import { LeafNode, Node, type Meta, type OpDef } from './graph';
import { traceState } from './hooks';
import { mode } from './mode';
import { inheritLost, noteLost } from './provenance';
import { fmtSite, siteState } from './site';
import type { Tensor } from './tensor';

/**
 * Recording: after an op's forward has produced `out`, attach a graph node when grad mode is on and some
 * input needs a gradient. The engine owns recording; backprop (autograd.ts) only walks what is recorded.
 */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad || (t.watchedBy !== null && t.watchedBy.size > 0);
}

/** The node a gradient for `t` flows into: its producer, or its leaf accumulator. */
export function edgeOf(t: Tensor): Node | null {
  if (t.gradFn) return t.gradFn;
  if (!needsGrad(t)) return null;
  return (t.leafNode ??= new LeafNode(t));
}

export const metaOf = (t: Tensor): Meta => ({ shape: t.shape, dtype: t.dtype });

export function record(op: OpDef, inputs: readonly Tensor[], attrs: Record<string, any>, out: Tensor): Tensor {
  mode.checkInterrupt?.();
  out.origin.op = op.name;
  if (mode.anomaly) {
    traceState.current?.unreplayable('detect_anomaly is on (it checks every value on the host)');
    checkFinite(op, out);
  }
  if (!mode.gradEnabled) return out;
  let any = false;
  for (const t of inputs) if (needsGrad(t)) any = true;
  if (!any) {
    // a value computed from one that was cut off (detach, a comparison) remembers where, for diagnostics
    inheritLost(out, inputs);
    return out;
  }
  out.gradFn = new Node(op, inputs.map(edgeOf), inputs, attrs, inputs.map(metaOf), metaOf(out), siteState.current, out);
  out.requiresGrad = true;
  return out;
}

/** Marks a value as cut off from differentiation (detach, comparisons, integer casts): remembered for diagnostics. */
export function cut(out: Tensor, why: string, from: readonly Tensor[]): Tensor {
  const source = from.find(needsGrad);
  if (source) {
    out.origin.cut = why;
    noteLost(out, why, source);
  } else if (mode.gradEnabled) inheritLost(out, from);
  return out;
}

/** detect_anomaly: the first forward op whose value became NaN or infinite is named with its line. */
function checkFinite(op: OpDef, out: Tensor): void {
  // toHost walks views by their strides (an expanded view has fewer stored values than elements)
  const h = out.isContiguous ? out.storage.host : out.toHost();
  const L = isComplex(out.dtype) ? 2 : 1;
  const start = out.isContiguous ? out.offset * L : 0;
  for (let i = start; i < start + out.size * L; i++) {
    if (!Number.isFinite(h[i])) {
      const where = siteState.current ? ` at ${fmtSite(siteState.current)}` : '';
      throw new NablaError(
        `detect_anomaly: ${op.name}${where} produced ${Number.isNaN(h[i]) ? 'NaN' : 'an infinite value'} in its forward value`,
        op.name,
        'AnomalyError',
      );
    }
  }
}
