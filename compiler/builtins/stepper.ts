import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import type { Node } from '../../runtime/graph';
import { renderSvg, renderTrace, traceBackward } from '../../runtime/explain';
import { passSteps } from '../../runtime/explain/steps';
import { Stepper, stepperPage } from '../../display/stepper';
import { LangError } from '../operators';
import { typeName, type Value } from '../values';
import { asTensor } from './convert';
import { leavesOf } from './explain';
import { writeTextFile } from './files';
import type { BuiltinTable } from './table';

/** A picture of more nodes than this would take Graphviz long and the page longer; the message says what to do. */
export const STEPPER_MAX_NODES = 2000;

/** Nodes reachable from the starts' graphs, counted up to `cap`. */
function countNodes(starts: readonly Tensor[], cap: number): number {
  const seen = new Set<Node>();
  const stack: Node[] = starts.map((t) => t.gradFn ?? t.leafNode).filter((n): n is Node => !!n);
  while (stack.length && seen.size < cap) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const c of n.next) if (c && !seen.has(c)) stack.push(c);
  }
  return seen.size;
}

function knownMap(v: Value): Map<Tensor, Tensor> | null {
  if (v === null) return null;
  if (!(v instanceof Map)) throw new LangError(`stepper: known_grads must be a map {h: g}, got a ${typeName(v)}`);
  const m = new Map<Tensor, Tensor>();
  for (const [k, g] of v) {
    if (!(k instanceof Tensor) || !(g instanceof Tensor)) throw new LangError('stepper: known_grads maps tensors to their gradients, e.g. {h: g}, with h a variable bound to a tensor');
    m.set(k, g);
  }
  return m;
}

/**
 * stepper(L): the backward pass of L, recorded as the engine runs it (a dry run through grad: .grad is
 * untouched and the graph kept, as `explain L` does), turned into steps a reader walks one at a time.
 */
function stepper(out: Value, known: Value, gradOutputs: Value, file: Value): Stepper {
  if (file !== null && typeof file !== 'string') throw new LangError(`stepper: file= must be a path string such as "steps.html", got a ${typeName(file)}`);
  const kg = knownMap(known);
  const L = out === null ? null : asTensor(out, 'stepper', 'output');
  if (!L && !kg) throw new LangError('stepper: give the output to differentiate, stepper(L), or known_grads={h: g} to start from an intermediate');
  if (L && !L.gradFn && !L.leafNode) throw new LangError(`stepper: ${nb.whyNoGrad(L, 'the output')}`, 'GradError');
  const starts = L ? [L] : [...kg!.keys()];
  // refuse a huge graph before running and drawing it (the walk stops counting past the limit)
  const drawn = countNodes(starts, STEPPER_MAX_NODES + 1);
  if (drawn > STEPPER_MAX_NODES) {
    throw new LangError(`stepper: the graph has more than ${STEPPER_MAX_NODES} nodes, the most the stepper draws; step through a part of it (known_grads={h: g} at an intermediate h) or a smaller model`, 'ValueError');
  }
  const leaves = [...new Set(starts.flatMap((t) => (t.gradFn ? leavesOf(t) : t.requiresGrad ? [t] : [])))];
  if (!leaves.length) throw new LangError('stepper: nothing upstream requires grad: make the inputs with param(...) or watch(x) before computing', 'GradError');
  const go = gradOutputs === null ? (L && L.size !== 1 ? nb.onesLike(L) : null) : asTensor(gradOutputs, 'stepper', 'grad_outputs');
  const traced = traceBackward(() => nb.grad(L, leaves, { gradOutputs: go ? [go] : null, retainGraph: true, allowUnused: true, knownGrads: kg }));
  if (traced.error !== undefined) throw traced.error;
  const pass = traced.passes.find((p) => p.depth === 0);
  if (!pass) throw new LangError('stepper: no backward pass ran', 'GradError');
  const name = L?.name ?? 'L';
  const listing = `stepper ${L ? name : 'known_grads'}: the backward pass, step by step (a dry run: .grad is untouched and the graph kept)\n${renderTrace([pass])}`;
  const { data, dot } = passSteps(pass, starts, `backward from ${L ? name : 'known_grads'}: ${pass.steps.length} steps, in the order the engine runs them`, listing);
  const s = new Stepper({ svg: renderSvg(dot), steps: data }, file as string | null);
  if (file) writeTextFile('stepper', file, stepperPage(s.payload));
  return s;
}

export function addStepper(t: BuiltinTable): void {
  t.add('explain', 'stepper', ['output', 'known_grads=none', 'grad_outputs=none', 'file=none'],
    'Steps through the backward pass of output one rule at a time, in the order the engine runs it: the recorded graph with next/previous buttons and a slider; at each step the current node with its source line, the rule applied in your names, the gradient it received and what it sent, saved values, and the gradients so far (a sum shows each path as it arrives). A dry run: .grad is untouched. known_grads={h: g} starts at an intermediate. In notebooks and the playground it is interactive; elsewhere it prints explain\'s listing, and file="steps.html" writes a page that steps in a browser.',
    stepper);
}
