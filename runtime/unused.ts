import { LeafNode, type Node } from './graph';
import { escapeNote, fixFor, howText, lostOf, short, type Lost } from './provenance';
import { fmtSite, type Site } from './site';
import type { Tensor } from './tensor';

/**
 * Why an input got no gradient, as the rest of a sentence ("input 'x' was not used to compute ..."). In the
 * core, beside provenance.ts, because backprop itself raises it (grad's allow_unused error, a tape's missing
 * gradient); explain/diagnose.ts re-exports it and builds its other diagnoses on `reachable` and `at`.
 */

export const at = (s: Site | null | undefined) => (s ? ` at ${fmtSite(s)}${s.text ? ` (${short(s.text)})` : ''}` : '');

/** Nodes reachable from `starts` along next edges (iterative). */
export function reachable(starts: readonly Node[]): Set<Node> {
  const seen = new Set<Node>();
  const stack = [...starts];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const c of n.next) if (c && !seen.has(c)) stack.push(c);
  }
  return seen;
}

/** The node a tensor's gradient would flow into, without creating one. */
const nodeOf = (t: Tensor): Node | null => t.gradFn ?? t.leafNode ?? null;

/** Does a value cut off here come from `t` (directly, or from something computed from t)? */
function cutFrom(lost: Lost, t: Tensor): boolean {
  if (lost.fromId === t.id) return true;
  const src = lost.source?.deref();
  const target = nodeOf(t);
  if (!src || !target) return false;
  const start = nodeOf(src);
  return !!start && reachable([start]).has(target);
}

/**
 * The rest of "input 'x' ... ": why no recorded path leads from the outputs to t. Looks for a value cut
 * from t (detach, a comparison) among what the graph saved, then for an escape (item, tolist, int), and
 * otherwise says the two are unrelated and what the outputs do depend on.
 */
export function unusedReason(t: Tensor, roots: readonly Node[], outputs: readonly Tensor[]): string {
  const out = outputs.length === 1 ? (outputs[0].name ? `'${outputs[0].name}'` : 'the output') : 'the outputs';
  const nodes = reachable(roots);
  for (const n of nodes) {
    const saved = n.peekInputs();
    if (!saved) continue;
    for (let i = 0; i < saved.length; i++) {
      if (n.next[i]) continue;
      const lost = lostOf(saved[i]);
      if (lost && cutFrom(lost, t)) {
        return `was not used to compute ${out} through any recorded operation, so it has no gradient: it reaches ${out} only through ${howText(lost.how)}${at(lost.site)}, which cuts the gradient; ${fixFor(lost.how)}.`;
      }
    }
  }
  const esc = escapeNote(t, 'Its value');
  if (esc) return `was not used to compute ${out}, so it has no gradient.${esc}`;
  const leaves = [...nodes]
    .filter((n): n is LeafNode => n instanceof LeafNode)
    .map((n) => n.leaf.name ?? 'an unnamed tensor');
  const uniq = [...new Set(leaves)].slice(0, 5);
  const made = t.origin.site ? ` (created at ${fmtSite(t.origin.site)})` : '';
  return `was not used to compute ${out}, so it has no gradient: the two are unrelated${made}; ${out} depends on ${uniq.length ? uniq.map((s) => `'${s}'`).join(', ') : 'no tensor that requires grad'}${uniq.length ? ' among the tensors that require grad' : ''}.`;
}
