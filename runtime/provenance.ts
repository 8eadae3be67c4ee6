import { LeafNode, type Node } from './graph';
import { fmtSite, siteState, type Site } from './site';
import type { Tensor } from './tensor';

/**
 * Where values left the differentiable world, and the sentences that say so. Every tensor keeps its origin
 * (op and site); a value cut off from differentiation (detach, a comparison, a cast to bool) is remembered
 * here with the place and the tensor it was cut from, and values computed from it without a recording inherit
 * that memory, so a missing gradient three lines later can still name the detach. The graph walks that find
 * why an input got no gradient live in unused.ts (and explain/diagnose.ts for zero and NaN gradients).
 */
export interface Lost {
  /** 'detach', 'the comparison gt', 'a cast to bool'. */
  how: string;
  site: Site | null;
  /** The tensor the value was cut from: its id and, when bound, its name. */
  fromId: number;
  fromName: string | null;
  /** Held weakly: a detached loss kept for logging must not keep its whole graph alive. */
  source?: WeakRef<Tensor>;
}

const lostValues = new WeakMap<Tensor, Lost>();

export function lostOf(t: Tensor): Lost | null {
  return lostValues.get(t) ?? null;
}

/** Called by engine.cut: `out` was cut off from `from` (the input that required grad) here. */
export function noteLost(out: Tensor, how: string, from: Tensor | undefined): void {
  lostValues.set(
    out,
    from
      ? { how, site: siteState.current, fromId: from.id, fromName: from.name, source: new WeakRef(from) }
      : { how, site: siteState.current, fromId: -1, fromName: null },
  );
}

/** An op that recorded nothing passes on what its inputs lost (cheap: one WeakMap read per input). */
export function inheritLost(out: Tensor, inputs: readonly Tensor[]): void {
  for (const t of inputs) {
    const l = lostValues.get(t);
    if (l) {
      lostValues.set(out, l);
      return;
    }
  }
}

/** Ops whose output is (a part of) their input's value: an escape through x[0].item() is x's value escaping. */
const VIEWS = new Set(['index', 'reshape', 'permute', 'expand', 'cast', 'clone', 'gather']);

/**
 * A value leaving through item(), tolist(), int() or float(): remembered on the tensor it left and on the
 * tensors it is a view of (x for x[0]), not on everything it was computed from (logging loss.item() does
 * not make the parameters' values escape).
 */
export function noteEscape(t: Tensor, how: string): void {
  const esc = { how, site: siteState.current };
  if (t.gradFn || t.requiresGrad || t.watchedBy) {
    recentEscapes.push({ ref: new WeakRef(t), ...esc });
    if (recentEscapes.length > 8) recentEscapes.shift();
  }
  for (let cur: Tensor | null = t; cur;) {
    if (!cur.requiresGrad && !cur.watchedBy) return;
    (cur.escapes ??= []).push(esc);
    if (cur.escapes.length > 4) cur.escapes.shift();
    const n: Node | null = cur.gradFn;
    cur =
      n && VIEWS.has(n.op.name) && n.next.length === 1
        ? n.next[0] instanceof LeafNode
          ? n.next[0].leaf
          : (n.peekInputs()?.[0] ?? null)
        : null;
  }
}

/**
 * The last few values that left the graph while recorded (h.tolist() with h computed from x): a gradient
 * that later finds nothing recorded can then name the line where a value computed from its input escaped,
 * though the escape was not on the input itself. Held weakly; bounded.
 */
const recentEscapes: { ref: WeakRef<Tensor>; how: string; site: Site | null }[] = [];

/** Whether t was computed from x through recorded operations (a bounded walk of t's graph). */
function computedFrom(t: Tensor, x: Tensor): boolean {
  const stack: Node[] = t.gradFn ? [t.gradFn] : [];
  const seen = new Set<Node>();
  while (stack.length && seen.size < 10000) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n instanceof LeafNode && n.leaf === x) return true;
    for (const c of n.next) if (c) stack.push(c);
  }
  return false;
}

/** " The value of 'h', computed from the input, left the graph through tolist() at cell:5:14: ..." or "". */
export function escapedDescendantNote(x: Tensor, who: string): string {
  for (let i = recentEscapes.length - 1; i >= 0; i--) {
    const e = recentEscapes[i];
    const t = e.ref.deref();
    if (!t || t === x || !computedFrom(t, x)) continue;
    const what = t.name
      ? `The value of '${t.name}', computed from ${who.toLowerCase()},`
      : `A value computed from ${who.toLowerCase()}`;
    return ` ${what} left the graph through ${e.how}${e.site ? ` at ${fmtSite(e.site)}${e.site.text ? ` (${short(e.site.text)})` : ''}` : ''}: a tensor made from those plain numbers has no history, so nothing after it was recorded; keep the computation in tensors (use ${t.name ?? 'the tensor'} itself instead of rebuilding it from its values).`;
  }
  return '';
}

/** Where non-fatal diagnostics go (the current session routes them to its cell's stderr; context.ts); dropped when unset. */
export const warnings: { sink: ((message: string) => void) | null } = { sink: null };

export function warn(message: string): void {
  warnings.sink?.(message);
}

const quote = (t: Tensor) => (t.name ? ` '${t.name}'` : '');
const placeOf = (s: Site | null | undefined) => (s ? ` at ${fmtSite(s)}${s.text ? ` (${short(s.text)})` : ''}` : '');
export const short = (text: string, max = 40) => {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
};

/** The fix to suggest for a value cut off by `how`. */
/** 'the comparison gt' reads 'a comparison' (the place that follows shows which). */
export const howText = (how: string) => (how.startsWith('the comparison') ? 'a comparison' : how);

export function fixFor(how: string): string {
  if (how === 'detach') return 'remove the detach (compute from the original tensor) if the gradient should flow there';
  if (how.startsWith('the comparison') || how === 'isfinite') {
    return 'a comparison gives booleans and has no derivative; use a smooth surrogate (e.g. sigmoid(k * (a - b))) or a straight-through @custom_grad(fn(x, y, g) = g)';
  }
  if (how.includes('cast'))
    return 'a cast to bool or an integer has no derivative; keep the value as a float tensor, or use a straight-through @custom_grad(fn(x, y, g) = g)';
  return 'use a differentiable formulation, or a straight-through @custom_grad(fn(x, y, g) = g)';
}

/**
 * Why a tensor has no gradient path, in a sentence that names the place (from the provenance every tensor
 * keeps) and what to do.
 */
export function whyNoGrad(t: Tensor, label: string): string {
  const who = `${label}${quote(t)}`;
  if (t.origin.cut) {
    return `${who} does not require grad: it was cut off from differentiation by ${howText(t.origin.cut)}${placeOf(t.origin.site)}; ${fixFor(t.origin.cut)}`;
  }
  const lost = lostOf(t);
  if (lost) {
    const from = lost.fromName ? ` from '${lost.fromName}'` : '';
    return `${who} does not require grad: it was computed${placeOf(t.origin.site)} from a value cut off${from} by ${howText(lost.how)}${placeOf(lost.site)}; ${fixFor(lost.how)}`;
  }
  return `${who} does not require grad and has no grad_fn: nothing it was computed from${placeOf(t.origin.site)} requires grad; create the inputs with param(...) or requires_grad=true, or watch(x) inside a tape before computing with x`;
}

/** "The input 'x' (created at cell:1:5) does not require grad ..." for grad's inputs. */
export function inputNotTracked(t: Tensor, label: string): string {
  const made = t.origin.site ? ` (created at ${fmtSite(t.origin.site)})` : '';
  return `${label}${quote(t)}${made} does not require grad, so no gradient can be taken with respect to it; create it with param(...) or requires_grad=true, or watch(${t.name ?? 'x'}) before computing with it`;
}

/** " Its value left the graph through item() at cell:3:1: ..." when t's value escaped, else "". */
export function escapeNote(t: Tensor, who: string): string {
  const esc = t.escapes?.[t.escapes.length - 1];
  if (!esc) return '';
  const kind = esc.how === 'int()' ? ' (an integer cast)' : '';
  return ` ${who} left the graph through ${esc.how}${kind}${esc.site ? ' at ' + fmtSite(esc.site) : ''}: computations on that plain number are not recorded; keep the computation in tensors (use the tensor itself, or index it, e.g. x[0]).`;
}
