import { isComplex } from './dtype';
import { edgeOf, needsGrad } from './engine';
import { bug, gradError, NablaError } from './errors';
import { LeafNode, type BackwardCtx, type Node } from './graph';
import { assignGrad, backwardDiagnoser, backwardObserver, traceState, type Contribution } from './hooks';
import { mode, withGrad } from './mode';
import { fmtShape, sameShape } from './shape';
import type { Tensor } from './tensor';
import { add } from './ops/binary';
import { real } from './ops/complex';
import { onesLike } from './ops/creation';
import { compute } from './ops/util';
import { detach } from './ops/shape';
import { escapedDescendantNote, escapeNote, inputNotTracked, warn, whyNoGrad } from './provenance';
import { at, unusedReason } from './unused';
import { GradRecycler } from './grad-recycle';
import { GraphOwnership } from './graph-owned';

/**
 * Reverse mode over the recorded graph. Plain functions over nodes (tfjs tape.ts, tinygrad): order the
 * reachable nodes (Kahn's algorithm, iterative — no recursion limit), push gradients through each rule, and
 * either return them (grad) or accumulate them into .grad (backward).
 */
export interface GradOptions {
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
  /** Theano's known_grads: the gradient at an intermediate, replacing what would flow into it. */
  knownGrads?: Map<Tensor, Tensor> | readonly (readonly [Tensor, Tensor])[] | null;
  /** Theano's consider_constant: no gradient flows through these, for this call only. */
  considerConstant?: readonly Tensor[] | null;
  /** The name errors give the call: a tape's gradient goes through grad and says 'gradient'. */
  api?: string;
}

export interface BackwardOptions {
  gradTensors?: Tensor | readonly (Tensor | null)[] | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  inputs?: Tensor | readonly Tensor[] | null;
}

const list = <T>(x: T | readonly T[] | null | undefined): T[] =>
  x == null ? [] : Array.isArray(x) ? [...x] : [x as T];

interface Pass {
  api: string;
  outputs: Tensor[];
  roots: { node: Node; grad: Tensor }[];
  known: Map<Node, Tensor>;
  targets: Set<Node> | null;
  accumulate: boolean;
  retainGraph: boolean;
  createGraph: boolean;
  constants: Set<Node>;
  /** Rules of flat ops (round, sign) that ran: a gradient that comes out all zero is then explained. */
  flat?: Node[];
  /** Gradients that reached leaves, kept only once a flat rule ran (for that explanation). */
  arrivals?: Map<Node, Tensor>;
}

/** Where each API takes the output gradient: each names its own keyword (y.backward has no grad_outputs=). */
const OUTPUT_GRADIENT_ADVICE: Record<string, string> = {
  grad: 'grad(y, x, grad_outputs=g)',
  backward: 'y.backward(gradient=g) or backward(y, grad_tensors=g)',
  gradient: 't.gradient(y, x, output_gradients=g)',
};

function seeds(api: string, outputs: Tensor[], given: (Tensor | null)[], hint = ''): { node: Node; grad: Tensor }[] {
  if (given.length && given.length !== outputs.length) {
    throw gradError(api, `got ${outputs.length} outputs but ${given.length} output gradients; give one per output`);
  }
  return outputs.map((t, i) => {
    const node = edgeOf(t);
    if (!node) {
      const why = whyNoGrad(t, outputs.length > 1 ? `output ${i + 1}` : 'the output');
      // where an input's value escaped, that is the cause: the generic advice (param, watch) would mislead
      const lead =
        hint && / has no grad_fn: /.test(why) ? why.slice(0, why.indexOf(' requires grad;')) + ' requires grad' : why;
      throw gradError(api, lead + (hint && '.' + hint));
    }
    let g = given[i] ?? null;
    if (!g) {
      if (t.size !== 1) {
        throw gradError(
          api,
          `the output has shape ${fmtShape(t.shape)}, and a gradient can be implied only for a single number; reduce it first (e.g. sum(y)) or pass the output gradient with shape ${fmtShape(t.shape)} (${OUTPUT_GRADIENT_ADVICE[api] ?? OUTPUT_GRADIENT_ADVICE.grad})`,
        );
      }
      g = onesLike(t);
    } else if (!sameShape(g.shape, t.shape)) {
      throw gradError(
        api,
        `the output gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(t.shape)}; they must match`,
      );
    }
    return { node, grad: g };
  });
}

/** Nodes that lead to a target (so only they need their rules run). Iterative post-order. */
export function leadingTo(starts: Node[], targets: Set<Node>): Set<Node> {
  const useful = new Set<Node>();
  const state = new Map<Node, number>(); // 1: open, 2: done
  for (const s of starts) {
    const stack: [Node, number][] = [[s, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [n, i] = top;
      if (i === 0) {
        if (state.has(n)) {
          stack.pop();
          continue;
        }
        state.set(n, 1);
      }
      if (i < n.next.length) {
        top[1]++;
        const c = n.next[i];
        if (c && !state.has(c)) stack.push([c, 0]);
        continue;
      }
      stack.pop();
      state.set(n, 2);
      if (targets.has(n) || n.next.some((c) => c && useful.has(c))) useful.add(n);
    }
  }
  return useful;
}

function run(api: string, p: Pass): Map<Node, Tensor> {
  const obs = backwardObserver.current;
  obs?.begin({
    api,
    outputs: p.outputs,
    roots: p.roots,
    known: p.known,
    accumulate: p.accumulate,
    createGraph: p.createGraph,
  });
  // in anomaly mode, who sent each gradient, so a NaN can be traced to the rule and the where that made it
  const from = mode.anomaly ? new Map<Node, Contribution[]>() : null;
  p.flat = [];
  const starts = [...p.roots.map((r) => r.node), ...p.known.keys()];
  const useful = p.targets ? leadingTo(starts, p.targets) : null;
  const inGraph = (n: Node | null): n is Node => !!n && (!useful || useful.has(n));
  // count consumers of each node within the pass
  const deps = new Map<Node, number>();
  const seen = new Set<Node>();
  const stack = starts.filter(inGraph);
  for (const s of stack) seen.add(s);
  while (stack.length) {
    const n = stack.pop()!;
    if (n instanceof LeafNode || p.constants.has(n)) continue;
    for (const c of n.next) {
      if (!inGraph(c)) continue;
      deps.set(c, (deps.get(c) ?? 0) + 1);
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  const pending = new Map<Node, Tensor>();
  // intermediate gradients go back to the buffer pool once consumed (grad-recycle.ts says which may)
  const rec = GradRecycler.forPass(p.createGraph);
  const accumulate = (n: Node, g: Tensor) => {
    const prev = pending.get(n);
    const sum = prev ? add(prev, g) : g;
    pending.set(n, sum);
    rec?.hold(sum);
    if (prev && rec) {
      rec.drop(prev);
      rec.release(prev);
      rec.release(g);
    }
  };
  for (const r of p.roots) if (inGraph(r.node)) accumulate(r.node, r.grad);
  const captured = new Map<Node, Tensor>();
  const ready = [...seen].filter((n) => !deps.get(n));
  // under create_graph, the values the new nodes save that no user code sees go back to the pool when a later
  // backward frees those nodes (graph-owned.ts)
  const own = GraphOwnership.begin(p.createGraph);
  // user code saw t: neither recycles it
  const userSaw = (t: Tensor) => {
    rec?.escape(t);
    own?.escape(t);
  };
  let completed = false;
  try {
    const result = withGrad(p.createGraph, () => {
      while (ready.length) {
        const n = ready.pop()!;
        let g = p.known.get(n) ?? pending.get(n);
        const arrived = g ?? null;
        if (rec && pending.has(n)) rec.drop(pending.get(n)!);
        pending.delete(n);
        if (g) {
          if (n.hooks.length) {
            userSaw(g);
            const hooked = (x: Tensor) => n.hooks.reduce((v, hook) => hook(v) ?? v, x);
            g = own ? own.userCode(() => hooked(g!)) : hooked(g);
            userSaw(g);
          }
          if (n.retained) {
            own?.escape(g);
            accumulateGrad(n.retained, g, p.createGraph);
          }
          if (p.targets?.has(n)) {
            captured.set(n, g);
            userSaw(g);
          }
        }
        obs?.visit(n, arrived, g ?? null);
        if (n instanceof LeafNode) {
          if (g && p.flat!.length) {
            own?.escape(g);
            (p.arrivals ??= new Map()).set(n, g);
          }
          if (g && p.accumulate && n.leaf.requiresGrad && (!p.targets || p.targets.has(n))) {
            own?.escape(g); // under create_graph, .grad is this gradient itself
            accumulateGrad(n.leaf, g, p.createGraph);
          }
          if (g && rec && !p.flat!.length) {
            rec.release(g);
            rec.flush();
          }
          continue;
        }
        if (p.constants.has(n)) continue;
        // a target's own rule runs only when it leads on to another target (PyTorch captures the gradient at
        // the input's node and does not execute it); running it would also free the graph behind a view input
        if (g && (!useful || n.next.some(inGraph))) {
          // a custom rule is user code: what it is given and what it returns may be kept anywhere
          if (n.op.userCode) userSaw(g);
          const runRule = () => propagate(api, n, g!, p, inGraph, accumulate, from, n.op.userCode ? userSaw : null);
          if (own && n.op.userCode) own.userCode(runRule);
          else runRule();
          if (rec) {
            rec.release(g);
            rec.flush();
          }
        }
        for (const c of n.next) {
          if (!inGraph(c)) continue;
          const left = deps.get(c)! - 1;
          deps.set(c, left);
          if (left === 0) ready.push(c);
        }
      }
      return captured;
    });
    completed = true;
    return result;
  } finally {
    own?.end(completed);
    obs?.end();
  }
}

function propagate(
  api: string,
  n: Node,
  g: Tensor,
  p: Pass,
  inGraph: (n: Node | null) => n is Node,
  accumulate: (n: Node, g: Tensor) => void,
  from: Map<Node, Contribution[]> | null,
  /** a custom rule's: told of what it returns (user code may keep it) */
  userSaw: ((t: Tensor) => void) | null,
) {
  const ctx = n.context(api);
  // user code sees the saved values too
  if (userSaw) for (const t of [...ctx.inputs, ctx.out]) if (t) t.storage.pinned = true;
  ctx.needs = n.next.map(inGraph);
  // in anomaly mode a rule's intermediate values are not forward values: its result is checked below
  const grads = from ? withoutForwardChecks(() => n.op.backward(g, ctx)) : n.op.backward(g, ctx);
  const sent: (Tensor | null)[] = grads.map(() => null);
  if (n.op.zeroGrad) p.flat!.push(n);
  if (grads.length !== n.next.length) {
    throw bug(`${api}: the rule of ${n.op.name} returned ${grads.length} gradients for ${n.next.length} inputs`);
  }
  grads.forEach((gi, i) => {
    const c = n.next[i];
    if (!gi || !inGraph(c)) return;
    const m = n.inputMeta[i];
    if (isComplex(gi.dtype) && !isComplex(m.dtype)) gi = real(gi);
    if (!sameShape(gi.shape, m.shape)) {
      throw bug(
        `${api}: the gradient of ${n.op.name} for input ${i + 1} has shape ${fmtShape(gi.shape)}, the input ${fmtShape(m.shape)}`,
      );
    }
    if (from) {
      checkGradFinite(n, i, gi, g, ctx, from.get(n) ?? []);
      if (!from.has(c)) from.set(c, []);
      from.get(c)!.push({ node: n, input: i, grad: gi, ctx });
    }
    sent[i] = gi;
    userSaw?.(gi);
    accumulate(c, gi);
  });
  backwardObserver.current?.applied(n, g, ctx, sent);
  // a gradient that is (a view of) a saved value lives on past the node: not the graph's alone any more
  for (const gi of sent) if (gi) gi.storage.graphOwned = false;
  if (!p.retainGraph) n.free();
}

/** holder.grad += g (PyTorch's AccumulateGrad), told to a compiled function's trace (hooks.ts). */
function accumulateGrad(holder: Tensor, g: Tensor, createGraph: boolean): void {
  traceState.current?.readsGrad(holder);
  assignGrad(holder, accumulateInto(holder.grad, g, createGraph));
}

function accumulateInto(prev: Tensor | null, g: Tensor, createGraph: boolean): Tensor {
  if (prev) return createGraph ? add(prev, g) : detach(add(prev, g));
  // a fresh copy: the same gradient tensor may reach several leaves, and users update .grad in place
  return createGraph ? g : compute('copy', [g], {}, g.shape, g.dtype, 'grad');
}

function withoutForwardChecks<T>(fn: () => T): T {
  mode.anomaly = false;
  try {
    return fn();
  } finally {
    mode.anomaly = true;
  }
}

/**
 * detect_anomaly in backward: the first rule whose result is NaN or infinite stops the pass, explained by the
 * registered diagnoser (explain/diagnose.ts); without one, the rule and its line are still named.
 */
function checkGradFinite(n: Node, i: number, gi: Tensor, g: Tensor, ctx: BackwardCtx, into: readonly Contribution[]) {
  const h = gi.toHost();
  for (let k = 0; k < h.length; k++) {
    if (Number.isFinite(h[k])) continue;
    const why =
      backwardDiagnoser.current?.anomaly(n, i, gi, g, ctx, into) ??
      `the backward of ${n.op.name}${at(n.site)} produced a value that is not finite in the gradient of input ${i + 1}.`;
    throw new NablaError(`detect_anomaly: ${why}`, 'detect_anomaly', 'AnomalyError');
  }
}

/** A gradient that came out all zero through flat ops (round, sign) is explained by the registered diagnoser, if any. */
function warnIfFlat(api: string, t: Tensor, g: Tensor, target: Node, flat: readonly Node[]): void {
  const w = backwardDiagnoser.current?.flat(api, t, g, target, flat);
  if (w) warn(w);
}

function knownMap(api: string, k: GradOptions['knownGrads']): Map<Node, Tensor> {
  const m = new Map<Node, Tensor>();
  const entries = k instanceof Map ? [...k.entries()] : list(k as readonly (readonly [Tensor, Tensor])[]);
  for (const [h, g] of entries) {
    const node = h.gradFn ?? h.leafNode ?? edgeOf(h);
    if (!node)
      throw gradError(
        api,
        `known_grads names a tensor that is not part of a recorded computation (${whyNoGrad(h, 'it')})`,
      );
    if (!sameShape(g.shape, h.shape))
      throw gradError(
        api,
        `the known gradient has shape ${fmtShape(g.shape)} but its tensor has shape ${fmtShape(h.shape)}`,
      );
    m.set(node, g);
  }
  return m;
}

/**
 * torch.autograd.grad: the gradients of outputs with respect to inputs, returned, never stored in .grad.
 * One tensor in, one gradient out; a list in, a list out.
 */
export function grad(
  outputs: Tensor | readonly Tensor[] | null,
  inputs: Tensor | readonly Tensor[],
  opts: GradOptions = {},
): Tensor | null | (Tensor | null)[] {
  const api = opts.api ?? 'grad';
  const ins = list(inputs);
  const outs = list(outputs);
  const known = knownMap(api, opts.knownGrads);
  if (!outs.length && !known.size) throw gradError(api, 'give outputs to differentiate, or known_grads');
  const targets = ins.map((t) => t.gradFn ?? t.leafNode ?? edgeOf(t));
  ins.forEach((t, i) => {
    if (!targets[i]) throw gradError(api, inputNotTracked(t, ins.length > 1 ? `input ${i + 1}` : 'the input'));
  });
  const pass: Pass = {
    api,
    outputs: outs,
    // an output cut off from every input is often one computed from an escaped value: say where it escaped
    roots: seeds(
      api,
      outs,
      list(opts.gradOutputs),
      ins
        .map(
          (t, i) =>
            escapeNote(t, ins.length > 1 ? `Input ${i + 1}` : 'The input') ||
            escapedDescendantNote(t, ins.length > 1 ? `input ${i + 1}` : 'the input'),
        )
        .join(''),
    ),
    known,
    targets: new Set(targets as Node[]),
    accumulate: false,
    retainGraph: opts.retainGraph ?? !!opts.createGraph,
    createGraph: !!opts.createGraph,
    constants: new Set(
      list(opts.considerConstant)
        .map((t) => t.gradFn)
        .filter((n): n is Node => !!n),
    ),
  };
  const captured = run(api, pass);
  const res = ins.map((t, i) => {
    const g = captured.get(targets[i]!) ?? null;
    if (!g && !opts.allowUnused)
      throw gradError(
        api,
        unusedMessage(
          t,
          ins.length > 1 ? i : null,
          pass.roots.map((r) => r.node),
          outs,
        ),
      );
    if (g && pass.flat!.length) warnIfFlat(api, t, g, targets[i]!, pass.flat!);
    return g;
  });
  return Array.isArray(inputs) ? res : res[0];
}

function unusedMessage(t: Tensor, i: number | null, roots: readonly Node[], outputs: readonly Tensor[]): string {
  const which = i === null ? 'the input' : `input ${i + 1}`;
  return `${which}${t.name ? ` '${t.name}'` : ''} ${unusedReason(t, roots, outputs)} Pass allow_unused=true to get none instead of this error.`;
}

/** torch.autograd.backward: accumulates into .grad of the leaves (or of `inputs`); returns nothing. */
export function backward(tensors: Tensor | readonly Tensor[], opts: BackwardOptions = {}): void {
  const api = 'backward';
  const outs = list(tensors);
  const ins = list(opts.inputs);
  ins.forEach((t) => {
    if (!needsGrad(t) && !t.gradFn)
      throw gradError(
        api,
        'an entry of inputs= does not require grad; only tensors that require grad can receive .grad',
      );
  });
  const targetNodes = ins.length ? new Set(ins.map((t) => t.gradFn ?? edgeOf(t)!)) : null;
  // non-leaf inputs get their gradient as retained .grad (PyTorch's inputs= semantics)
  for (const t of ins) if (t.gradFn) retainGrad(t);
  const pass: Pass = {
    api,
    outputs: outs,
    roots: seeds(api, outs, list(opts.gradTensors)),
    known: new Map(),
    targets: targetNodes,
    accumulate: true,
    retainGraph: opts.retainGraph ?? !!opts.createGraph,
    createGraph: !!opts.createGraph,
    constants: new Set(),
  };
  run(api, pass);
  for (const [leaf, g] of pass.arrivals ?? []) warnIfFlat(api, (leaf as LeafNode).leaf, g, leaf, pass.flat!);
}

/** Populates .grad of a non-leaf during backward (a leaf always gets it). */
export function retainGrad(t: Tensor): void {
  if (!t.gradFn) {
    if (!t.requiresGrad)
      throw gradError('retain_grad', 'the tensor does not require grad, so it will never have a gradient');
    return;
  }
  t.gradFn.retained = t;
  t.retainsGrad = true;
}

export interface HookHandle {
  remove(): void;
}

/** A gradient hook: called with the gradient of t; a returned tensor replaces it (e.g. fn(g) = -g). */
export function registerHook(t: Tensor, hook: (g: Tensor) => Tensor | null | undefined | void): HookHandle {
  const node = edgeOf(t);
  if (!node) throw gradError('register_hook', 'cannot register a hook on a tensor that does not require grad');
  node.hooks.push(hook);
  return { remove: () => void (node.hooks = node.hooks.filter((h) => h !== hook)) };
}
