import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import type { Node } from '../../runtime/graph';
import { renderSvg, renderTrace, traceBackward, type TracePass } from '../../runtime/explain';
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
    if (!(k instanceof Tensor) || !(g instanceof Tensor))
      throw new LangError(
        'stepper: known_grads maps tensors to their gradients, e.g. {h: g}, with h a variable bound to a tensor',
      );
    m.set(k, g);
  }
  return m;
}

/** What a stepper shows: one recorded pass, the tensors whose graph is drawn, and how it was recorded. */
interface Recorded {
  pass: TracePass;
  starts: Tensor[];
  /** `L`, or the call's source text for the function form. */
  name: string;
  how: string;
  /** The title's verb: `backward` for the dry run (what backward would do), else the call's own api. */
  api: string;
}

function refuseHuge(starts: readonly Tensor[]): void {
  // refuse a huge graph before running and drawing it (the walk stops counting past the limit)
  if (countNodes(starts, STEPPER_MAX_NODES + 1) > STEPPER_MAX_NODES) {
    throw new LangError(
      `stepper: the graph has more than ${STEPPER_MAX_NODES} nodes, the most the stepper draws; step through a part of it (known_grads={h: g} at an intermediate h) or a smaller model`,
      'ValueError',
    );
  }
}

/**
 * stepper(L): the backward pass of L, recorded as the engine runs it (a dry run through grad: .grad is
 * untouched and the graph kept, as `explain L` does).
 */
function dryRun(out: Value, known: Value, gradOutputs: Value): Recorded {
  const kg = knownMap(known);
  const L = out === null ? null : asTensor(out, 'stepper', 'output');
  if (!L && !kg)
    throw new LangError(
      'stepper: give the output to differentiate, stepper(L), or known_grads={h: g} to start from an intermediate',
    );
  if (L && !L.gradFn && !L.leafNode) throw new LangError(`stepper: ${nb.whyNoGrad(L, 'the output')}`, 'GradError');
  const starts = L ? [L] : [...kg!.keys()];
  refuseHuge(starts);
  const leaves = [...new Set(starts.flatMap((t) => (t.gradFn ? leavesOf(t) : t.requiresGrad ? [t] : [])))];
  if (!leaves.length)
    throw new LangError(
      'stepper: nothing upstream requires grad: make the inputs with param(...) or watch(x) before computing',
      'GradError',
    );
  const go =
    gradOutputs === null
      ? L && L.size !== 1
        ? nb.onesLike(L)
        : null
      : asTensor(gradOutputs, 'stepper', 'grad_outputs');
  const traced = traceBackward(() =>
    nb.grad(L, leaves, { gradOutputs: go ? [go] : null, retainGraph: true, allowUnused: true, knownGrads: kg }),
  );
  if (traced.error !== undefined) throw traced.error;
  const pass = traced.passes.find((p) => p.depth === 0);
  if (!pass) throw new LangError('stepper: no backward pass ran', 'GradError');
  return {
    pass,
    starts,
    name: L ? (L.name ?? 'L') : 'known_grads',
    how: 'a dry run: .grad is untouched and the graph kept',
    api: 'backward',
  };
}

/**
 * stepper(fn() = backward(L)): the function runs once with the recorder on, as `explain backward(L)` does,
 * so the steps are exactly that call's (backward accumulates into .grad, once).
 */
function recordCall(f: (...a: Value[]) => Value, known: Value, gradOutputs: Value): Recorded {
  if (known !== null || gradOutputs !== null)
    throw new LangError(
      'stepper: with a function, pass known_grads= and grad_outputs= to the grad or backward call inside it',
    );
  const traced = traceBackward(() => f());
  if (traced.error !== undefined) throw traced.error;
  const top = traced.passes.filter((p) => p.depth === 0);
  if (!top.length)
    throw new LangError(
      'stepper: the function ran no backward pass; give it the call to step through, stepper(fn() = backward(L)) or stepper(fn() = grad(y, x))',
      'GradError',
    );
  const pass = top[0];
  if (!pass.outputs.length)
    throw new LangError(
      'stepper: that pass starts from known_grads only; use stepper(none, known_grads={h: g}) to step through it',
      'GradError',
    );
  refuseHuge(pass.outputs);
  const more = top.length > 1 ? `; the first of the ${top.length} passes it ran` : '';
  return {
    pass,
    starts: [...pass.outputs],
    name: pass.outputs.length === 1 ? (pass.outputs[0].name ?? 'L') : 'L',
    how: `${pass.api} as the function called it${more}`,
    api: pass.api,
  };
}

function stepper(out: Value, known: Value, gradOutputs: Value, file: Value): Stepper {
  if (file !== null && typeof file !== 'string')
    throw new LangError(`stepper: file= must be a path string such as "steps.html", got a ${typeName(file)}`);
  const r =
    typeof out === 'function'
      ? recordCall(out as (...a: Value[]) => Value, known, gradOutputs)
      : dryRun(out, known, gradOutputs);
  const listing = `stepper ${r.name}: the backward pass, step by step (${r.how})\n${renderTrace([r.pass])}`;
  const { data, dot } = passSteps(
    r.pass,
    r.starts,
    `${r.api} from ${r.name}: ${r.pass.steps.length} steps, in the order the engine runs them`,
    listing,
  );
  const s = new Stepper({ svg: renderSvg(dot), steps: data }, file as string | null);
  if (file) writeTextFile('stepper', file, stepperPage(s.payload));
  return s;
}

export function addStepper(t: BuiltinTable): void {
  t.add(
    'explain',
    'stepper',
    ['output', 'known_grads=none', 'grad_outputs=none', 'file=none'],
    'Steps through the backward pass of output one rule at a time, in the order the engine runs it: the recorded graph with next/previous buttons and a slider; at each step the current node with its source line, the rule applied in your names, the gradient it received and what it sent, saved values, and the gradients so far (a sum shows each path as it arrives). A dry run: .grad is untouched. known_grads={h: g} starts at an intermediate. Given a function instead, stepper(fn() = backward(L)) runs it once and steps through the pass that call ran (backward then accumulates into .grad, as without stepper). In notebooks and the playground it is interactive; elsewhere it prints explain\'s listing, and file="steps.html" writes a page that steps in a browser.',
    stepper,
  );
}
