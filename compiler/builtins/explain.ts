import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { LeafNode, type Node } from '../../runtime/graph';
import { formula, graphDot, loadGraphviz, renderSvg, renderTrace, traceBackward } from '../../runtime/explain';
import { LangError } from '../operators';
import type { Output } from '../session';
import { typeName, type Value } from '../values';
import { asTensor, asTensorList, isSeq } from './convert';
import { writeTextFile } from './files';
import type { BuiltinTable } from './table';

/**
 * Seeing what differentiation does, from the language: the `explain` statement, `formula(y, x)` and
 * `graph(L)`. The engines are in runtime/explain; this file adapts values and output.
 */

/** display/bundle.ts's MIME_BUNDLE: an object with this method displays richly (inline SVG in notebooks). */
const MIME_BUNDLE = Symbol.for('nabla.mimeBundle');

/** What graph(L) returns: the SVG, shown inline by notebooks, and a one-line text form elsewhere. */
export class GraphPicture {
  constructor(
    readonly svg: string,
    readonly dot: string,
    readonly ops: number,
    readonly leaves: number,
    readonly file: string | null,
  ) {}

  [MIME_BUNDLE](): Record<string, string> {
    return { 'image/svg+xml': this.svg, 'text/plain': this.toString() };
  }

  toString(): string {
    return `<graph: ${this.ops} operation${this.ops === 1 ? '' : 's'}, ${this.leaves} input${this.leaves === 1 ? '' : 's'}${this.file ? `, written to ${this.file}` : ''}>`;
  }
}

export function addExplain(t: BuiltinTable): void {
  // Graphviz's wasm instance is made asynchronously: start now so that it is ready by the first graph()
  void loadGraphviz().catch(() => {});
  t.add(
    'explain',
    'formula',
    ['y', 'x'],
    'The derivative of y with respect to x as simplified text, re-derived from the recorded graph with each op\'s declared rule: formula(x1^2 + 5*x2, x1) is "2*x1". For a non-scalar y it is the gradient of sum(y) (the elementwise derivative for elementwise ops). Says which step has no symbolic form (indexing, custom gradients).',
    (y: Value, x: Value) => formula(asTensor(y, 'formula', 'output'), asTensor(x, 'formula', 'input')),
  );
  t.add(
    'explain',
    'graph',
    ['outputs', 'file=none', 'formulas=true'],
    'The recorded graph of outputs as a picture laid out by Graphviz (WebAssembly): a box per operation named after its source line and variable, an ellipse per input that requires grad, and on each edge the backward formula. Shown inline in notebooks; file="g.svg" also writes the SVG (from the CLI).',
    (outs: Value, file: Value, formulas: Value) => {
      const ts = isSeq(outs) ? asTensorList(outs, 'graph', 'outputs') : [asTensor(outs, 'graph', 'output')];
      if (file !== null && typeof file !== 'string')
        throw new LangError(`graph: file= must be a path string, got a ${typeName(file)}`);
      if (!ts.some((x) => x.gradFn || x.leafNode)) {
        throw new LangError(`graph: ${nb.whyNoGrad(ts[0], 'the output')}`, 'GradError');
      }
      const g = graphDot(ts, { formulas: formulas !== false });
      const svg = renderSvg(g.dot);
      if (file !== null) writeTextFile('graph', file as string, svg);
      return new GraphPicture(svg, g.dot, g.ops, g.leaves, file as string | null);
    },
  );
}

/** Leaves that require grad under t, for explain's dry run. */
export function leavesOf(t: Tensor): Tensor[] {
  const seen = new Set<Node>();
  const out: Tensor[] = [];
  const stack: Node[] = t.gradFn ? [t.gradFn] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n instanceof LeafNode) out.push(n.leaf);
    for (const c of n.next) if (c) stack.push(c);
  }
  return out;
}

/**
 * `explain EXPR`. The expression runs once with a recorder on every backward pass it starts, and the passes
 * are printed: `explain backward(L)` does the backward (accumulating into .grad once, as without explain)
 * and shows each rule it applied. A tensor expression that starts no pass gets a dry run instead: what
 * backward would compute, without touching .grad and keeping the graph. On an error the passes so far are
 * printed, then the error is raised.
 */
export function explainStatement(text: string, value: () => Value, out: Output): void {
  const traced = traceBackward(value);
  const src = text.replace(/\s+/g, ' ');
  if (traced.error !== undefined) {
    if (traced.passes.length) out.stdout(`explain ${src} (stopped by an error)\n${renderTrace(traced.passes)}\n`);
    throw traced.error;
  }
  const v = traced.value;
  if (!traced.passes.length && v instanceof Tensor) {
    if (!v.gradFn) {
      out.stdout(`explain ${src}: nothing to explain: ${nb.whyNoGrad(v, src)}\n`);
      return;
    }
    const leaves = leavesOf(v);
    const dry = traceBackward(() =>
      nb.grad(v, leaves, { gradOutputs: v.size === 1 ? null : nb.onesLike(v), retainGraph: true, allowUnused: true }),
    );
    if (dry.error !== undefined) throw dry.error;
    out.stdout(
      `explain ${src}: what backward(${src}) would compute (a dry run: .grad is untouched and the graph kept)\n${renderTrace(dry.passes)}\n`,
    );
    return;
  }
  out.stdout(`explain ${src}\n${renderTrace(traced.passes)}\n`);
}
