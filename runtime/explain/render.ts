import { LeafNode, type Node } from '../graph';
import type { Tensor } from '../tensor';
import {
  fmtShapeNote,
  fmtTensor,
  gradSymbol,
  nodeLabel,
  nodeName,
  placeText,
  renderFormula,
  valueLabel,
} from './names';
import type { TracePass, TraceStep } from './trace';

/**
 * The text of `explain`: for each backward pass, each rule applied in backward order, with the forward line
 * it undoes (source text and place), the formula from the op's declaration in the source's own names, and
 * the value it produced. One pass reads:
 *
 *   grad from y = 5.983, seeded with dy/dy = 1
 *     y = x1^2 + 5*x2   (test.nabla:3:5, add)
 *       dy/d(x1^2) = dy/dy  →  1
 *   ...
 *   result: dy/dx1 = 0.7878
 */
export const value = (t: Tensor) => {
  const shape = fmtShapeNote(t);
  return shape ? `${shape} ${fmtTensor(t)}` : fmtTensor(t);
};

const isOnes = (t: Tensor) => t.toHost().every((v, i) => (t.dtype === 'complex64' && i % 2 ? v === 0 : v === 1));

/** What the whole pass differentiates: the output's name, or its source text; `L` for several. */
export function rootName(pass: TracePass): string {
  const label = pass.outputs.length === 1 ? (pass.outputs[0].name ?? nodeLabel(pass.roots[0].node)) : 'L';
  return /^[A-Za-z_]\w*$/.test(label) ? label : 'L';
}

/** The forward line a node undoes: `Y = W @ I` when the output was bound to a name, else the expression. */
function forwardLine(n: Node): string {
  const name = nodeName(n);
  const text = n.site?.text?.replace(/\s+/g, ' ');
  if (name && text && text !== name) return `${name} = ${text}`;
  return text ?? name ?? n.op.name;
}

export function renderPass(pass: TracePass): string[] {
  const L = rootName(pass);
  const lines: string[] = [];
  const seeds = pass.roots.map((r, i) => {
    const out = pass.outputs[i];
    const label = out?.name ?? nodeLabel(r.node);
    const v = out && out.size === 1 ? ` = ${fmtTensor(out)}` : out ? ` ${fmtShapeNote(out)}` : '';
    const seed = isOnes(r.grad) ? (r.grad.size === 1 ? '1' : 'ones') : value(r.grad);
    const called = label !== L && pass.roots.length === 1 ? ` (L below)` : '';
    return `${label}${v}${called}, seeded with ${gradSymbol(L, label === L || called ? L : label)} = ${seed}`;
  });
  const known = [...pass.known.keys()].map((n) => nodeLabel(n));
  const from = seeds.length ? seeds.join('; ') : `known_grads at ${known.join(', ')}`;
  lines.push(
    `${pass.api} from ${from}${pass.createGraph ? ' (create_graph=true: the gradients are recorded, so they can be differentiated again)' : ''}`,
  );
  const results: string[] = [];
  for (const step of pass.steps) {
    if (step.node instanceof LeafNode) {
      results.push(leafResult(pass, L, step));
      continue;
    }
    lines.push(...renderStep(pass, L, step));
    const target = !step.ctx && step.g && !pass.accumulate;
    if (target) results.push(`${gradSymbol(L, nodeLabel(step.node))} = ${value(step.g!)}`);
  }
  if (results.length) lines.push(`result: ${results.filter(Boolean).join(', ')}`);
  return lines;
}

export function leafResult(pass: TracePass, L: string, step: TraceStep): string {
  const leaf = (step.node as LeafNode).leaf;
  const name = leaf.name ?? 'the input';
  if (!step.g) return '';
  if (pass.accumulate) return leaf.requiresGrad ? `${name}.grad += ${value(step.g)}` : '';
  return `${gradSymbol(L, name)} = ${value(step.g)}`;
}

/** One step of a pass in parts: the forward line it undoes, notes (sums, known_grads, hooks, retain_grad) and
 * one rule per input that got a gradient (`input` indexes node.next). The listing and the stepper share it. */
export interface StepParts {
  head: string;
  /** The gradient symbol of this node, `dL/dh`. */
  g: string;
  notes: string[];
  rules: { input: number; text: string; value: string }[];
}

export function describeStep(pass: TracePass, L: string, step: TraceStep): StepParts {
  const n = step.node;
  const label = nodeLabel(n);
  // the output itself is L when it has no name of its own
  const g = gradSymbol(L, pass.roots.some((r) => r.node === n) && !/^[A-Za-z_]\w*$/.test(label) ? L : label);
  const custom = n.op.gradName === 'CustomBackward' ? ', custom gradient' : '';
  const head = `${forwardLine(n)}   (${[placeText(n), n.op.name].filter(Boolean).join(', ')}${custom})`;
  const notes: string[] = [];
  if (step.known) notes.push(`${g} given by known_grads  →  ${value(step.g!)}`);
  else if (step.contributions > 1 && step.arrived)
    notes.push(`${g} is the sum of ${step.contributions} gradients that reached it  →  ${value(step.arrived)}`);
  if (step.arrived && step.g && step.arrived !== step.g)
    notes.push(`a hook on ${label} replaced ${g}  →  ${value(step.g)}`);
  if (n.retained && step.g) notes.push(`${n.retained.name ?? label}.grad = ${value(step.g)} (retain_grad)`);
  const rules: StepParts['rules'] = [];
  if (step.ctx && step.sent) {
    const inputs = step.ctx.inputs.map((t, i) => valueLabel(t, n.next[i]));
    step.sent.forEach((gi, i) => {
      if (!gi) return;
      const formula = renderFormula(n.op.formulas[i] ?? '?', { g, inputs, out: label, attrs: n.attrs });
      rules.push({ input: i, text: `${gradSymbol(L, inputs[i])} = ${formula}`, value: value(gi) });
    });
  }
  return { head, g, notes, rules };
}

function renderStep(pass: TracePass, L: string, step: TraceStep): string[] {
  const p = describeStep(pass, L, step);
  return [`  ${p.head}`, ...p.notes.map((s) => `    ${s}`), ...p.rules.map((r) => `    ${r.text}  →  ${r.value}`)];
}

/** All passes; a statement that ran none says so, since explain shows only what backward did. */
export function renderTrace(passes: readonly TracePass[]): string {
  if (!passes.length) return 'no backward pass ran (explain shows the passes that grad, backward or t.gradient run)';
  return passes
    .map((p) =>
      renderPass(p)
        .map((l) => '  '.repeat(p.depth) + l)
        .join('\n'),
    )
    .join('\n');
}
