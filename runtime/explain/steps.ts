import { LeafNode, type Node } from '../graph';
import type { Tensor } from '../tensor';
import { graphDot } from './graph';
import { fmtShapeNote, fmtTensor, gradSymbol, nodeLabel, valueLabel } from './names';
import { describeStep, rootName, value } from './render';
import type { TracePass } from './trace';

/**
 * The steps of one recorded backward pass, precomputed for a stepper that walks them one at a time with no
 * kernel behind it: each step is one visit of the engine (in the engine's order, as the recorder saw it),
 * with the same text explain prints, and the gradient each drawn node holds after the step. Accumulation is
 * replayed from what each rule really sent, so a node reached by two paths shows its partial sum after the
 * first and the engine's full sum after the second. Plain data (JSON), drawn by display/stepper-ui.ts.
 */
export interface StepsData {
  title: string;
  /** The root's name, `L` in `dL/dx`. */
  root: string;
  /** Drawn nodes by DOT id: what the picture calls them. */
  nodes: Record<string, { label: string; kind: 'op' | 'leaf'; hook: boolean; known: boolean }>;
  steps: StepData[];
  /** explain's listing of the same pass. */
  listing: string;
}

export interface StepData {
  /** DOT id of the node this step visits. */
  node: string;
  /** The forward line it undoes, with place and op: `Y = W @ I   (cell[1]:4:5, matmul)`. */
  head: string;
  /** `dL/dY = [2, 2] [[…]]`: the gradient the node holds when its rule runs (after hooks). */
  incoming: string;
  /** Sums of several paths, known_grads, hooks, retain_grad. */
  notes: string[];
  /** One per input that got a gradient: the rule in source names and what it produced. */
  rules: { text: string; value: string; to: string | null; saved: string[] }[];
  /** After this step: the gradient summary of every node it changed (DOT id → text). */
  grads: Record<string, string>;
  /** Nodes whose gradient this step accumulated into while another path is still to come. */
  partial: string[];
}

/** Compact text of a gradient: shape and a few values; large tensors get min/max/mean instead of values. */
export function gradSummary(t: Tensor): string {
  if (t.size <= 12) return value(t);
  const h = t.toHost();
  const complex = t.dtype === 'complex64';
  const step = complex ? 2 : 1;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  for (let i = 0; i < h.length; i += step) {
    lo = Math.min(lo, h[i]);
    hi = Math.max(hi, h[i]);
    sum += h[i];
  }
  const f = (v: number) => Number(v.toPrecision(4)).toString();
  return `${fmtShapeNote(t)} ${complex ? 'real part ' : ''}min ${f(lo)}, max ${f(hi)}, mean ${f(sum / (h.length / step))}`;
}

/** The gradient symbol for a node's gradient in pass-wide terms (`dL/dh`; a leaf by its name). */
function symbolOf(L: string, n: Node): string {
  return gradSymbol(L, n instanceof LeafNode ? (n.leaf.name ?? 'the input') : nodeLabel(n));
}

/** Adds b into a host copy of a (same length), or returns null when shapes differ (then only the parts are shown). */
function added(a: Float64Array | null, b: Tensor): Float64Array | null {
  const h = b.toHost();
  if (!a) return Float64Array.from(h);
  if (a.length !== h.length) return null;
  const out = new Float64Array(a);
  for (let i = 0; i < h.length; i++) out[i] += h[i];
  return out;
}

function hostText(h: Float64Array, like: Tensor): string {
  // a host array shaped like the gradient it sums, written as a tensor of the same shape would be
  const fake = {
    toHost: () => h,
    rank: like.rank,
    shape: like.shape,
    dtype: like.dtype,
    size: like.size,
  } as unknown as Tensor;
  return like.size <= 12
    ? fmtShapeNote(like)
      ? `${fmtShapeNote(like)} ${fmtTensor(fake)}`
      : fmtTensor(fake)
    : gradSummary(fake);
}

/** The steps of a pass and the DOT of its graph (ids shared). `graphOf` are the tensors whose graph is drawn. */
export function passSteps(
  pass: TracePass,
  graphOf: readonly Tensor[],
  title: string,
  listing: string,
): { data: StepsData; dot: string } {
  const L = rootName(pass);
  const known = new Set(pass.known.keys());
  const g = graphDot(graphOf, {
    root: L,
    cuts: true,
    decorate: (n, id) => {
      const out: string[] = [];
      if (n.hooks.length) out.push(`  ${id} [peripheries=2, color="#7c3aed", xlabel="hook"];`);
      if (known.has(n)) {
        out.push(`  k${id} [shape=note, style=filled, fillcolor="#ffedd5", fontsize=9, label="known_grads"];`);
        out.push(`  ${id} -> k${id} [style=bold, color="#ea580c", dir=back];`);
      }
      return out;
    },
  });
  const ids = g.ids;
  const nodes: StepsData['nodes'] = {};
  for (const [n, id] of ids) {
    nodes[id] = {
      label: n instanceof LeafNode ? (n.leaf.name ?? 'leaf') : nodeLabel(n),
      kind: n instanceof LeafNode ? 'leaf' : 'op',
      hook: n.hooks.length > 0,
      known: known.has(n),
    };
  }
  // how many rules will send each node a gradient in this pass, to mark sums that are still partial
  const expected = new Map<Node, number>();
  for (const s of pass.steps)
    s.sent?.forEach(
      (t, i) => t && s.node.next[i] && expected.set(s.node.next[i]!, (expected.get(s.node.next[i]!) ?? 0) + 1),
    );
  const running = new Map<Node, { sum: Float64Array | null; count: number; like: Tensor }>();
  const steps: StepData[] = [];
  for (const s of pass.steps) {
    const id = ids.get(s.node);
    const parts = describeStep(pass, L, s);
    const grads: Record<string, string> = {};
    const partial: string[] = [];
    if (id && s.g) grads[id] = gradSummary(s.g);
    const inputs = s.ctx?.inputs ?? [];
    const rules = parts.rules.map((r) => {
      const child = s.node.next[r.input];
      const to = child ? (ids.get(child) ?? null) : null;
      const sent = s.sent![r.input]!;
      if (child && to) {
        const prev = running.get(child);
        const count = (prev?.count ?? 0) + 1;
        const sum = prev ? (prev.sum ? added(prev.sum, sent) : null) : added(null, sent);
        running.set(child, { sum, count, like: sent });
        const total = expected.get(child) ?? 1;
        if (count < total) grads[to] = `${sum ? hostText(sum, sent) : '…'} (${count} of ${total} paths)`;
        else grads[to] = sum ? hostText(sum, sent) : gradSummary(sent);
        if (count < total && !partial.includes(to)) partial.push(to);
        else if (count === total && partial.includes(to)) partial.splice(partial.indexOf(to), 1);
      }
      // what the rule read from the forward pass: the inputs it names that were saved for backward
      const rhs = r.text
        .slice(r.text.indexOf(' = ') + 3)
        .split(parts.g)
        .join(' ');
      const used = (label: string) =>
        new RegExp(`(^|[^\\w.])${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`).test(rhs);
      const savedValues = s.ctx
        ? [
            ...inputs.map((t, i) => [t, valueLabel(t, s.node.next[i])] as const),
            [s.ctx.out, nodeLabel(s.node)] as const,
          ]
        : [];
      const saved = savedValues
        .filter(([t, label]) => (t && (t.size > 1 || t.name) ? used(label) : false))
        .map(([t, label]) => `${label} ${fmtShapeNote(t) || 'scalar'}`);
      return { text: r.text, value: r.value, to, saved: [...new Set(saved)] };
    });
    const leaf = s.node instanceof LeafNode ? (s.node as LeafNode).leaf : null;
    steps.push({
      node: id ?? '',
      head: leaf
        ? `${leaf.name ?? 'the input'}   (${pass.accumulate && leaf.requiresGrad ? `AccumulateGrad: ${leaf.name ?? 'input'}.grad +=` : 'result'})`
        : parts.head,
      incoming: s.g ? `${symbolOf(L, s.node)} = ${value(s.g)}` : '',
      notes: parts.notes,
      rules,
      grads,
      partial,
    });
  }
  return { data: { title, root: L, nodes, steps, listing }, dot: g.dot };
}
