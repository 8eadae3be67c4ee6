import { LeafNode, type Node } from '../graph';
import { howText, lostOf, short } from '../provenance';
import type { Tensor } from '../tensor';
import { gradSymbol, nodeLabel, nodeName, renderFormula, valueLabel } from './names';

/**
 * The recorded graph as Graphviz DOT, drawn in forward direction (inputs on top, the output at the bottom):
 * a box per recorded op labelled with the source line it came from (`Y = W @ I`, `matmul · line 4`), an
 * ellipse per leaf that requires grad, a grey note per named constant the graph saved, and on each edge the
 * backward formula that carries the gradient back along it.
 */
export interface GraphSummary {
  dot: string;
  ops: number;
  leaves: number;
  /** The labels drawn, for tests and the text form. */
  labels: string[];
  /** Each drawn node's DOT id (Graphviz writes it as the <title> of the node's SVG group). */
  ids: Map<Node, string>;
}

export interface GraphOptions {
  formulas?: boolean;
  /** The name in the formulas' `dL/dx` (default: the output's name or text); the stepper uses explain's. */
  root?: string;
  /** Extra DOT lines for a node (the stepper marks hooks and known_grads); given the node and its id. */
  decorate?: (n: Node, id: string) => string[];
  /** Also draw inputs cut off from differentiation (detach, a comparison) as dotted edges saying where. */
  cuts?: boolean;
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function graphDot(outputs: readonly Tensor[], opts: GraphOptions = {}): GraphSummary {
  const roots = outputs.map((t) => t.gradFn ?? t.leafNode).filter((n): n is Node => !!n);
  const L = opts.root ?? (outputs.length === 1 ? (outputs[0].name ?? (roots[0] ? nodeLabel(roots[0]) : 'L')) : 'L');
  const ids = new Map<Node, string>();
  const nodes: Node[] = [];
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (ids.has(n)) continue;
    ids.set(n, `n${ids.size}`);
    nodes.push(n);
    for (const c of n.next) if (c && !ids.has(c)) stack.push(c);
  }
  const lines = [
    'digraph nabla {',
    '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.3, ranksep=0.4];',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
  ];
  const labels: string[] = [];
  const constants = new Map<Tensor, string>();
  let leaves = 0;
  for (const n of nodes) {
    const id = ids.get(n)!;
    const line = n.site ? ` · line ${n.site.line}` : '';
    if (n instanceof LeafNode) {
      leaves++;
      const name = n.leaf.name ?? 'leaf';
      labels.push(name);
      if (opts.decorate) lines.push(...opts.decorate(n, id));
      lines.push(
        `  ${id} [shape=ellipse, style=filled, fillcolor="#dbeafe", label="${esc(`${name}\n[${n.leaf.shape.join(', ')}]${line}`)}"];`,
      );
      continue;
    }
    const name = nodeName(n);
    const text = n.site?.text ? short(n.site.text, 40) : n.op.name;
    const head = name && name !== text ? `${name} = ${text}` : text;
    labels.push(head);
    const root = roots.includes(n);
    if (opts.decorate) lines.push(...opts.decorate(n, id));
    lines.push(
      `  ${id} [shape=box, style="rounded,filled", fillcolor="${root ? '#fde68a' : '#f3f4f6'}", label="${esc(`${head}\n${n.op.name}${line}`)}"];`,
    );
    const saved = n.peekInputs();
    const inputs = saved ? saved.map((t, i) => valueLabel(t, n.next[i])) : n.next.map((c) => (c ? nodeLabel(c) : '?'));
    n.next.forEach((c, i) => {
      if (c) {
        const f =
          opts.formulas === false
            ? ''
            : `${gradSymbol(L, inputs[i])} = ${renderFormula(n.op.formulas[i] ?? '?', { g: gradSymbol(L, nodeLabel(n)), inputs, out: nodeLabel(n), attrs: n.attrs })}`;
        lines.push(`  ${ids.get(c)} -> ${id}${f ? ` [label="${esc(short(f, 60))}"]` : ''};`);
      } else if (saved && opts.cuts && lostOf(saved[i])) {
        // no gradient flows along this input because it was cut off (detach, a comparison): say where
        const lost = lostOf(saved[i])!;
        const why = `${howText(lost.how)}${lost.site ? ` · line ${lost.site.line}` : ''}`;
        const cid = `x${id}_${i}`;
        lines.push(
          `  ${cid} [shape=plaintext, fontsize=9, fontcolor="#6b7280", label="${esc(`${saved[i].name ?? valueLabel(saved[i])}\nno gradient: ${why}`)}"];`,
        );
        lines.push(`  ${cid} -> ${id} [style=dotted, color="#9ca3af", arrowhead=tee];`);
      } else if (saved && saved[i].name && saved[i].size > 1) {
        // a named constant the op saved (W in Y = W @ I when only I is watched)
        const t = saved[i];
        if (!constants.has(t)) {
          constants.set(t, `c${constants.size}`);
          labels.push(t.name!);
          lines.push(
            `  ${constants.get(t)} [shape=note, style=filled, fillcolor="#ffffff", fontcolor="#6b7280", label="${esc(`${t.name}\n[${t.shape.join(', ')}] constant`)}"];`,
          );
        }
        lines.push(`  ${constants.get(t)} -> ${id} [style=dashed, color="#9ca3af"];`);
      }
    });
  }
  lines.push('}');
  return { dot: lines.join('\n'), ops: nodes.length - leaves, leaves, labels, ids };
}
