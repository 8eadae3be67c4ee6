import { isComplex } from '../dtype';
import { shapeError, typeError } from '../errors';
import { noGrad } from '../mode';
import { normAxis, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import {
  abs,
  add,
  arange,
  cast,
  clamp,
  detach,
  div,
  eq,
  exp,
  log,
  logsumexp,
  lt,
  max,
  mean,
  mul,
  ne,
  neg,
  rand,
  reshape,
  softplus,
  sub,
  sum,
  where,
} from '../ops';
import { registerFamily, type OpEntry, type ParamDecl } from '../ops/registry';

/**
 * The neural-network functions of torch.nn.functional, with PyTorch's names, defaults and semantics, each
 * a composition of differentiable ops (so gradients of every order and every backend come from those ops)
 * written to stay finite for logits of ±1000: softmax and log_softmax subtract the (constant) maximum,
 * cross_entropy goes through log_softmax, binary_cross_entropy_with_logits through softplus. Declared once
 * as the 'nn' family of the op registry (the table at the bottom).
 */
export type Reduction = 'mean' | 'sum' | 'none';

const realOnly = (x: Tensor, name: string) => {
  if (isComplex(x.dtype)) throw typeError(name, `${name} takes real tensors`);
};

function reduce(loss: Tensor, reduction: Reduction, name: string): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'mean') return mean(loss);
  throw typeError(name, `reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`);
}

export function softmax(x: Tensor, opts: { axis?: number } = {}): Tensor {
  realOnly(x, 'softmax');
  const axis = normAxis(opts.axis ?? -1, Math.max(x.rank, 1), 'softmax');
  if (x.rank === 0) return div(exp(sub(x, detach(x))), 1);
  const m = detach(max(x, { axis, keepdim: true }));
  m.name = 'max';
  const e = exp(sub(x, m));
  return div(e, sum(e, { axis, keepdim: true }));
}

export function log_softmax(x: Tensor, opts: { axis?: number } = {}): Tensor {
  realOnly(x, 'log_softmax');
  if (x.rank === 0) return sub(x, x);
  const axis = normAxis(opts.axis ?? -1, x.rank, 'log_softmax');
  return sub(x, logsumexp(x, { axis, keepdim: true }));
}

/** The class axis: 1 for [N, C, ...], 0 for a single sample [C] (PyTorch's layout). */
const classAxis = (x: Tensor) => (x.rank >= 2 ? 1 : 0);

/** One-hot rows (along the class axis) for integer targets, and the mask of targets that count. */
function oneHot(
  input: Tensor,
  target: Tensor,
  ignoreIndex: number,
  name: string,
): { hot: Tensor; keep: Tensor | null } {
  const ax = classAxis(input);
  const C = input.shape[ax];
  const want = input.shape.filter((_, i) => i !== ax);
  if (!sameShape(target.shape, want)) {
    throw shapeError(
      name,
      `class-index targets must have shape [${want}] for input [${input.shape}] (one class per sample), got [${target.shape}]`,
    );
  }
  return noGrad(() => {
    const t = target.dtype === input.dtype ? target : add(target, 0);
    const values = Array.from(t.toHost());
    const bad = values.find((v) => v !== ignoreIndex && (!Number.isInteger(v) || v < 0 || v >= C));
    if (bad !== undefined)
      throw typeError(name, `target ${bad} is not a class index in 0..${C - 1} (nor ignore_index ${ignoreIndex})`);
    const classes = reshape(
      arange(0, C, 1, { dtype: input.dtype }),
      input.shape.map((d, i) => (i === ax ? C : 1)),
    );
    const tt = reshape(
      t,
      input.shape.map((d, i) => (i === ax ? 1 : d)),
    );
    // in the input's dtype, so the products below use these very tensors (a bool would be cast to an unnamed copy)
    const hot = cast(eq(classes, tt), input.dtype);
    // the mask of counted targets only where some target is ignore_index (explain's formulas stay plain)
    const keep = values.includes(ignoreIndex) ? cast(ne(t, ignoreIndex), input.dtype) : null;
    // names explain's formula shows for these constants
    hot.name = 'onehot(target)';
    if (keep) keep.name = 'counted(target)';
    return { hot, keep };
  });
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  label_smoothing?: number;
  ignore_index?: number;
  /** One weight per class (a [C] tensor), as PyTorch's `weight`: each class's terms are scaled by it. */
  weight?: Tensor | null;
}

/** The class weights as a constant laid along the class axis ([1, C, 1, ...]), checked to be one per class. */
function classWeights(weight: Tensor, input: Tensor, name: string): Tensor {
  const ax = classAxis(input);
  const C = input.shape[ax];
  if (weight.rank !== 1 || weight.shape[0] !== C)
    throw shapeError(name, `weight must hold one number per class: shape [${C}], got [${weight.shape}]`);
  if (isComplex(weight.dtype)) throw typeError(name, 'weight must be real');
  const w = noGrad(() => (weight.dtype === input.dtype ? detach(weight) : cast(weight, input.dtype)));
  const laid = reshape(
    w,
    input.shape.map((d, i) => (i === ax ? C : 1)),
  );
  laid.name = 'weight';
  return laid;
}

/**
 * Cross entropy of logits `input` ([N, C, ...] or [C]) against class indices ([N, ...]) or class
 * probabilities (input's shape), as torch.nn.functional.cross_entropy: label_smoothing mixes the target with
 * the uniform distribution; with indices, "mean" divides by the number of targets that are not ignore_index.
 */
export function cross_entropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  realOnly(input, 'cross_entropy');
  const reduction = opts.reduction ?? 'mean';
  const eps = opts.label_smoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw typeError('cross_entropy', `label_smoothing must be in [0, 1], got ${eps}`);
  if (input.rank === 0)
    throw shapeError('cross_entropy', 'input must hold logits over classes: shape [C] or [N, C, ...]');
  const ax = classAxis(input);
  const C = input.shape[ax];
  const w = opts.weight ? classWeights(opts.weight, input, 'cross_entropy') : null;
  const logp = log_softmax(input, { axis: ax });
  const wlogp = w ? mul(logp, w) : logp;
  if (sameShape(target.shape, input.shape)) {
    // class probabilities: "mean" divides by the number of samples, weighted or not (as PyTorch)
    const q = eps ? add(mul(target, 1 - eps), eps / C) : target;
    const loss = neg(sum(mul(wlogp, q), { axis: ax }));
    return reduce(loss, reduction, 'cross_entropy');
  }
  const { hot, keep } = oneHot(input, target, opts.ignore_index ?? -100, 'cross_entropy');
  let loss = neg(sum(mul(wlogp, hot), { axis: ax }));
  if (eps) loss = add(mul(loss, 1 - eps), mul(neg(sum(wlogp, { axis: ax })), eps / C));
  // with weights, "mean" divides by the summed weight of the counted targets' classes (PyTorch's)
  const targetWeight = w ? noGrad(() => sum(mul(hot, w), { axis: ax })) : null;
  return reduceCounted(loss, keep, reduction, 'cross_entropy', targetWeight);
}

/**
 * Per-target losses with ignored targets zeroed; "mean" divides by the number counted, or with class weights
 * by the counted targets' summed weights (`targetWeight`: each target's class weight), as PyTorch.
 */
function reduceCounted(
  loss: Tensor,
  keep: Tensor | null,
  reduction: Reduction,
  name: string,
  targetWeight: Tensor | null = null,
): Tensor {
  if (!keep && !targetWeight) return reduce(loss, reduction, name);
  const kept = keep ? mul(loss, keep) : loss;
  if (reduction !== 'mean') return reduce(kept, reduction, name);
  const total = noGrad(() => sum(targetWeight ? (keep ? mul(targetWeight, keep) : targetWeight) : keep!));
  return div(sum(kept), total);
}

/** Negative log likelihood of log-probabilities `input` at class indices `target`. */
export function nll_loss(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction; ignore_index?: number; weight?: Tensor | null } = {},
): Tensor {
  realOnly(input, 'nll_loss');
  if (input.rank === 0)
    throw shapeError('nll_loss', 'input must hold log-probabilities over classes: shape [C] or [N, C, ...]');
  const reduction = opts.reduction ?? 'mean';
  const ax = classAxis(input);
  const w = opts.weight ? classWeights(opts.weight, input, 'nll_loss') : null;
  const { hot, keep } = oneHot(input, target, opts.ignore_index ?? -100, 'nll_loss');
  const targetWeight = w ? noGrad(() => sum(mul(hot, w), { axis: ax })) : null;
  return reduceCounted(
    neg(sum(mul(input, w ? mul(hot, w) : hot), { axis: ax })),
    keep,
    reduction,
    'nll_loss',
    targetWeight,
  );
}

function pairwise(name: string, input: Tensor, target: Tensor): void {
  realOnly(input, name);
  if (!sameShape(input.shape, target.shape)) {
    throw shapeError(
      name,
      `input [${input.shape}] and target [${target.shape}] must have the same shape (PyTorch warns and broadcasts; Nabla asks)`,
    );
  }
}

export function mse_loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  pairwise('mse_loss', input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), opts.reduction ?? 'mean', 'mse_loss');
}

export function l1_loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  pairwise('l1_loss', input, target);
  return reduce(abs(sub(input, target)), opts.reduction ?? 'mean', 'l1_loss');
}

/** Quadratic within delta, linear outside: 0.5 d² where |d| < delta, else delta (|d| - delta/2). */
export function huber_loss(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction; delta?: number } = {},
): Tensor {
  pairwise('huber_loss', input, target);
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw typeError('huber_loss', `delta must be positive, got ${delta}`);
  const d = sub(input, target);
  const a = abs(d);
  const loss = where(lt(a, delta), mul(mul(d, d), 0.5), mul(sub(a, delta / 2), delta));
  return reduce(loss, opts.reduction ?? 'mean', 'huber_loss');
}

/** -(t log p + (1 - t) log(1 - p)) for probabilities p; each log is clamped at -100, as PyTorch. */
export function binary_cross_entropy(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  pairwise('binary_cross_entropy', input, target);
  const outside = noGrad(() => Array.from(input.toHost()).find((v) => !(v >= 0 && v <= 1)));
  if (outside !== undefined)
    throw typeError(
      'binary_cross_entropy',
      `input holds ${outside}, not a probability in [0, 1]; for logits use binary_cross_entropy_with_logits`,
    );
  const lp = clamp(log(input), -100, null);
  const lq = clamp(log(sub(1, input)), -100, null);
  return reduce(neg(add(mul(target, lp), mul(sub(1, target), lq))), opts.reduction ?? 'mean', 'binary_cross_entropy');
}

/** Binary cross entropy of logits: (1 - t) x + (1 + (w - 1) t) softplus(-x), finite for any x. */
export function binary_cross_entropy_with_logits(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction; pos_weight?: Tensor | null } = {},
): Tensor {
  pairwise('binary_cross_entropy_with_logits', input, target);
  const sp = softplus(neg(input));
  const w = opts.pos_weight ? add(mul(sub(opts.pos_weight, 1), target), 1) : null;
  const loss = add(mul(sub(1, target), input), w ? mul(w, sp) : sp);
  return reduce(loss, opts.reduction ?? 'mean', 'binary_cross_entropy_with_logits');
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1-p) while training; the identity when
 * training is false (evaluation). seed= makes the mask repeatable; without it the global generator draws.
 */
export function dropout(x: Tensor, opts: { p?: number; training?: boolean; seed?: number | null } = {}): Tensor {
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw typeError('dropout', `p must be a probability in [0, 1], got ${p}`);
  if (opts.training === false || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = noGrad(() =>
    mul(
      lt(
        p,
        rand(x.shape, {
          seed: opts.seed ?? null,
          dtype: isComplex(x.dtype) ? 'float32' : (x.dtype as 'float32' | 'float64'),
        }),
      ),
      1 / (1 - p),
    ),
  );
  return mul(x, keep);
}

// ---- the registry family -----------------------------------------------------------------------------

const REDUCTION: ParamDecl = { name: 'reduction', default: 'mean', choices: ['mean', 'sum', 'none'] };
type Fwd = (...args: any[]) => Tensor;
const entry = (
  name: string,
  inputs: string[],
  params: ParamDecl[],
  doc: string,
  forward: Fwd,
  formula?: string,
): OpEntry & { forward: Fwd } => ({
  name,
  family: 'nn',
  doc,
  inputs,
  params,
  formulas: formula ? [formula] : undefined,
  surface: 'builtin',
  forward,
});

export const NN_FUNCTIONS = [
  entry(
    'softmax',
    ['x'],
    [{ name: 'axis', default: -1 }],
    'exp(x) / sum(exp(x)) along axis (the last by default), computed stably.',
    (x: Tensor, kw) => softmax(x, { axis: kw.axis }),
    '{out} * ({g} - sum({g} * {out}, axis))',
  ),
  entry(
    'log_softmax',
    ['x'],
    [{ name: 'axis', default: -1 }],
    'x - logsumexp(x) along axis: log-probabilities, stable for logits of any size.',
    (x: Tensor, kw) => log_softmax(x, { axis: kw.axis }),
    '{g} - softmax({x0}, axis) * sum({g}, axis)',
  ),
  entry(
    'cross_entropy',
    ['input', 'target'],
    [
      REDUCTION,
      { name: 'label_smoothing', default: 0 },
      { name: 'ignore_index', default: -100 },
      { name: 'weight', default: null },
    ],
    'Cross entropy of logits [N, C] (or [C]) against class indices [N] or class probabilities [N, C], as PyTorch (label_smoothing, ignore_index, weight: one per class).',
    (x: Tensor, t: Tensor, kw) => cross_entropy(x, t, kw),
    '(softmax({x0}, class_axis) * sum(q, class_axis) - q) * expand({g}) / N, q = counted(target) * class_weight(weight) * ((1 - label_smoothing) * onehot(target) + label_smoothing / C)',
  ),
  entry(
    'nll_loss',
    ['input', 'target'],
    [REDUCTION, { name: 'ignore_index', default: -100 }, { name: 'weight', default: null }],
    'Negative log likelihood of log-probabilities [N, C] at class indices [N] (weight: one per class, as PyTorch).',
    (x: Tensor, t: Tensor, kw) => nll_loss(x, t, kw),
    '-counted(target) * class_weight(weight) * onehot(target) * expand({g}) / N',
  ),
  entry(
    'mse_loss',
    ['input', 'target'],
    [REDUCTION],
    'Mean (or sum) of squared differences.',
    (x: Tensor, t: Tensor, kw) => mse_loss(x, t, kw),
    '2 * ({x0} - {x1}) * {g} / N',
  ),
  entry(
    'l1_loss',
    ['input', 'target'],
    [REDUCTION],
    'Mean (or sum) of absolute differences.',
    (x: Tensor, t: Tensor, kw) => l1_loss(x, t, kw),
    'sign({x0} - {x1}) * {g} / N',
  ),
  entry(
    'huber_loss',
    ['input', 'target'],
    [REDUCTION, { name: 'delta', default: 1 }],
    'Squared error within delta, absolute error beyond it (smooth L1 scaled by delta).',
    (x: Tensor, t: Tensor, kw) => huber_loss(x, t, kw),
    'clamp({x0} - {x1}, -delta, delta) * {g} / N',
  ),
  entry(
    'binary_cross_entropy',
    ['input', 'target'],
    [REDUCTION],
    'Binary cross entropy of probabilities in [0, 1] (logs clamped at -100, as PyTorch).',
    (x: Tensor, t: Tensor, kw) => binary_cross_entropy(x, t, kw),
    '({x0} - {x1}) / ({x0} * (1 - {x0})) * {g} / N',
  ),
  entry(
    'binary_cross_entropy_with_logits',
    ['input', 'target'],
    [REDUCTION, { name: 'pos_weight', default: null }],
    'Binary cross entropy of logits, computed stably through softplus; pos_weight weighs the positive term.',
    (x: Tensor, t: Tensor, kw) => binary_cross_entropy_with_logits(x, t, kw),
    '(1 - {x1} - w * sigmoid(-{x0})) * {g} / N, w = 1 + (where(pos_weight == none, 1, pos_weight) - 1) * {x1}',
  ),
  entry(
    'dropout',
    ['x'],
    [
      { name: 'p', default: 0.5 },
      { name: 'training', default: true },
      { name: 'seed', default: null },
    ],
    'Zeroes elements with probability p and scales the rest by 1/(1-p); the identity with training=false.',
    (x: Tensor, kw) => dropout(x, kw),
    '{g} * dropout(ones_like({x0}), p, training, seed)',
  ),
];
registerFamily('nn', NN_FUNCTIONS);
