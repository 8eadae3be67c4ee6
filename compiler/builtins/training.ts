import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { toJs } from '../call';
import { LangError } from '../operators';
import { Tuple, typeName, type Value } from '../values';
import { asInt, asNumber, seqItems } from './convert';
import { dtypeOf } from './dtype';
import type { BuiltinTable } from './table';

/**
 * Optimizers and models. Parameter groups are maps: `adam([{params: gen.params, lr: 1e-3}, {params:
 * critic.params, maximize: true}])`; their keys arrive camelCased, as the runtime names them.
 */
function params(v: Value, fn: string): unknown[] {
  const items = seqItems(v);
  if (!items.length) throw new LangError(`${fn}: the parameter list is empty`);
  return items.map((p, i) => {
    if (p instanceof Tensor) {
      if (!p.requiresGrad)
        throw new LangError(`${fn}: parameter ${i + 1} does not require grad; create it with param(...)`);
      return p;
    }
    if (p instanceof Map) {
      const g = toJs(p) as Record<string, unknown>;
      if (!('params' in g))
        throw new LangError(
          `${fn}: a parameter group is a map with a params entry, e.g. {params: model.params, lr: 1e-3}`,
        );
      g.params = seqItems(p.get('params'));
      return g;
    }
    throw new LangError(`${fn}: parameters must be tensors or parameter-group maps, got a ${typeName(p)}`);
  });
}

const pair = (v: Value, fn: string): [number, number] => {
  const items =
    v instanceof Tuple ? v.items : Array.isArray(v) ? v : v instanceof Tensor ? (v.tolist() as number[]) : null;
  if (!items || items.length !== 2) throw new LangError(`${fn}: betas must be a pair like (0.9, 0.999)`);
  return [asNumber(items[0], fn, 'beta1'), asNumber(items[1], fn, 'beta2')];
};

function realDtype(v: Value, fn: string): nb.DType {
  const d = dtypeOf(v, fn);
  if (d === 'complex64') throw new LangError(`${fn}: dtype must be "float32" or "float64"`);
  return d;
}

export function addTraining(t: BuiltinTable): void {
  t.add(
    'optim',
    'sgd',
    ['params', 'lr', 'momentum=0', 'dampening=0', 'nesterov=false', 'weight_decay=0', 'maximize=false'],
    "Stochastic gradient descent (PyTorch's update rules). opt.step() applies it, opt.zero_grad() clears .grad.",
    (p: Value, lr: Value, m: Value, d: Value, n: Value, wd: Value, mx: Value) =>
      nb.sgd(params(p, 'sgd') as never, {
        lr: asNumber(lr, 'sgd', 'lr'),
        momentum: asNumber(m, 'sgd', 'momentum'),
        dampening: asNumber(d, 'sgd', 'dampening'),
        nesterov: !!n,
        weightDecay: asNumber(wd, 'sgd', 'weight_decay'),
        maximize: !!mx,
      }),
  );
  for (const name of ['adam', 'adamw'] as const) {
    t.add(
      'optim',
      name,
      [
        'params',
        'lr=0.001',
        'betas=none',
        'eps=1e-8',
        `weight_decay=${name === 'adamw' ? 0.01 : 0}`,
        'amsgrad=false',
        'maximize=false',
      ],
      name === 'adam'
        ? "Adam (PyTorch's update rules); maximize=true ascends."
        : 'AdamW: Adam with decoupled weight decay.',
      (p: Value, lr: Value, b: Value, eps: Value, wd: Value, ams: Value, mx: Value) =>
        nb[name](params(p, name) as never, {
          lr: asNumber(lr, name, 'lr'),
          betas: b === null ? [0.9, 0.999] : pair(b, name),
          eps: asNumber(eps, name, 'eps'),
          weightDecay: asNumber(wd, name, 'weight_decay'),
          amsgrad: !!ams,
          maximize: !!mx,
        }),
    );
  }
  t.add(
    'optim',
    'lbfgs',
    [
      'params',
      'lr=1',
      'max_iter=20',
      'history=100',
      'line_search="strong_wolfe"',
      'tolerance_grad=1e-7',
      'tolerance_change=1e-9',
      'max_eval=none',
      'min_curvature=1e-10',
    ],
    "L-BFGS (PyTorch's algorithm); opt.step(closure) where the closure zeroes grads, computes the loss, calls backward and returns the loss. Each step runs up to max_iter iterations and max_eval closure calls (default max_iter * 5 / 4); afterwards opt.stop_reason says which test stopped it (gradient tolerance, change tolerance, max iterations or evaluations, line search failure), opt.stop_kind the same as one word, opt.last_evaluations and opt.evaluations count closure calls. A step's curvature pair joins the history only when y·s > min_curvature (PyTorch's fixed 1e-10); once the loss is small (a fitted PINN's ~1e-6) every pair may fall under it and the search stalls: min_curvature=0 keeps every pair of positive curvature, as SciPy's L-BFGS-B does, and opt.skipped_pairs counts the pairs left out.",
    (p: Value, lr: Value, mi: Value, h: Value, ls: Value, tg: Value, tc: Value, me: Value, mc: Value) =>
      nb.lbfgs(params(p, 'lbfgs') as never, {
        lr: asNumber(lr, 'lbfgs', 'lr'),
        maxIter: asInt(mi, 'lbfgs', 'max_iter'),
        maxEval: me === null ? undefined : asInt(me, 'lbfgs', 'max_eval'),
        historySize: asInt(h, 'lbfgs', 'history'),
        lineSearchFn: ls === null || ls === 'none' ? null : (ls as 'strong_wolfe'),
        toleranceGrad: asNumber(tg, 'lbfgs', 'tolerance_grad'),
        toleranceChange: asNumber(tc, 'lbfgs', 'tolerance_change'),
        minCurvature: asNumber(mc, 'lbfgs', 'min_curvature'),
      }),
  );
  t.add(
    'optim',
    'zero_grad',
    ['params_or_optimizer'],
    "Clears .grad of the parameters (or of an optimizer's parameters).",
    (p: Value) => {
      nb.zeroGrad((p instanceof Tensor ? [p] : Array.isArray(p) || p instanceof Tuple ? seqItems(p) : p) as never);
      return null;
    },
  );
  t.add(
    'models',
    'linear',
    ['n_in', 'n_out', 'seed=none', 'bias=true', 'dtype=none'],
    'A dense layer x @ W + b with Glorot-uniform W (shape [n_in, n_out]); callable, with .params; dtype="float64" for float64 training.',
    (a: Value, b: Value, s: Value, bias: Value, dt: Value) =>
      nb.linear(asInt(a, 'linear', 'n_in'), asInt(b, 'linear', 'n_out'), {
        seed: s === null ? undefined : asInt(s, 'linear', 'seed'),
        bias: !!bias,
        dtype: realDtype(dt, 'linear'),
      }),
  );
  t.add(
    'models',
    'mlp',
    ['sizes', 'act=none', 'seed=none', 'dtype=none'],
    'A multilayer perceptron, e.g. mlp([1, 32, 32, 1], act=tanh, seed=0): linear layers with act between them (tanh by default); callable, with .params; dtype="float64" for float64 training (the same initial values, rounded once).',
    (sizes: Value, act: Value, s: Value, dt: Value) => {
      const list =
        sizes instanceof Tensor
          ? (sizes.tolist() as number[])
          : seqItems(sizes).map((x) => asInt(x, 'mlp', 'a layer size'));
      if (act !== null && typeof act !== 'function')
        throw new LangError('mlp: act must be a function such as tanh or relu');
      return nb.mlp(list, {
        act: (act ?? undefined) as never,
        seed: s === null ? undefined : asInt(s, 'mlp', 'seed'),
        dtype: realDtype(dt, 'mlp'),
      });
    },
  );
}
