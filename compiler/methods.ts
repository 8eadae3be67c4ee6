import * as nb from '../runtime';
import { CosineLR, ExponentialLR, GradientTape, LBFGS, Optimizer, ReduceOnPlateau, StepLR, Tensor } from '../runtime';
import { Progress } from '../display';
import { bindArgs, parseParam, type ParamSpec } from './bind';
import { asTensor, asTensorList, isSeq } from './builtins/convert';
import { dtypeOf } from './builtins/dtype';
import { LangError } from './operators';
import { FN_INFO, Tuple, typeName, type NablaFunction, type Value } from './values';

/**
 * The methods of runtime objects (tensors, tapes, optimizers, models, hook handles, lists, maps), declared
 * once with the builtins' parameter syntax: a call binds its arguments through the same bindArgs as a
 * builtin's, so an unknown keyword or a wrong count is an error with a did-you-mean, never ignored.
 * Attributes (data, not calls) are declared beside them; completion offers exactly these names.
 */
export interface MethodDef<T> {
  params: ParamSpec[];
  doc: string;
  impl: (self: T, ...bound: Value[]) => Value;
}

export interface ObjectKind<T = any> {
  /** How errors name the object: "tape.gradient() has no parameter named ...". */
  kind: string;
  is(v: Value): boolean;
  methods: Record<string, MethodDef<T>>;
  attrs: Record<string, (self: T) => Value>;
  /** Attributes an assignment may change (`opt.lr = 0.01`); every other assignment is refused. */
  setters?: Record<string, (self: T, x: Value) => void>;
  /** For callable objects (models): the parameters of the call itself. */
  call?: MethodDef<T>;
}

type Decl<T> = [params: string[], doc: string, impl: (self: T, ...bound: any[]) => Value];
const declare = <T>(d: Record<string, Decl<T>>): Record<string, MethodDef<T>> =>
  Object.fromEntries(
    Object.entries(d).map(([name, [params, doc, impl]]) => [name, { params: params.map(parseParam), doc, impl }]),
  );

const unconnectedOf = (v: Value): 'none' | 'zero' | undefined => {
  if (v === null) return undefined;
  if (v !== 'none' && v !== 'zero')
    throw new LangError(
      `t.gradient: unconnected= is "none" or "zero" (TensorFlow's UnconnectedGradients), got ${typeof v === 'string' ? JSON.stringify(v) : `a ${typeName(v)}`}`,
      'ValueError',
    );
  return v;
};

const TENSOR_METHODS = declare<Tensor>({
  item: [
    [],
    'The value of a one-element tensor as a number (it leaves the differentiable world here).',
    (t) => {
      const v = t.item();
      return Array.isArray(v) ? nb.complex(nb.tensor(v[0]), nb.tensor(v[1])) : v;
    },
  ],
  tolist: [[], 'The values as nested lists of numbers (they leave the differentiable world here).', (t) => t.tolist()],
  backward: [
    ['gradient=none', 'retain_graph=none', 'create_graph=false', 'inputs=none'],
    "Accumulates the gradient of this tensor into .grad of the leaves (PyTorch's y.backward). gradient= is the output gradient for a non-scalar y.",
    (t, g, rg, cg, ins) => {
      nb.backward(t, {
        gradTensors: g === null ? null : asTensor(g, 'backward', 'gradient'),
        retainGraph: rg === null ? undefined : !!rg,
        createGraph: !!cg,
        inputs:
          ins === null
            ? null
            : isSeq(ins)
              ? asTensorList(ins, 'backward', 'inputs')
              : [asTensor(ins, 'backward', 'inputs')],
      });
      return null;
    },
  ],
  register_hook: [
    ['hook'],
    'Calls hook(g) with the gradient flowing through this tensor; a returned tensor replaces it. Returns a handle with .remove().',
    (t, fn) => {
      if (typeof fn !== 'function')
        throw new LangError('register_hook needs a function, e.g. x.register_hook(fn(g) = -g)');
      return nb.registerHook(t, (g) => (fn as (g: Tensor) => Tensor)(g));
    },
  ],
  retain_grad: [[], 'Makes backward fill .grad of this non-leaf tensor too.', (t) => (nb.retainGrad(t), null)],
  requires_grad_: [
    ['requires_grad=true'],
    'Sets requires_grad in place and returns the tensor.',
    (t, flag) => {
      t.requiresGrad = !!flag;
      return t;
    },
  ],
  zero_: [[], 'Fills the tensor with zeros in place.', (t) => nb.inplace(t, (s) => nb.mul(s, 0), 'zero_')],
  double: [[], "A float64 copy (gradients flow back through it), as torch's x.double().", (t) => nb.cast(t, 'float64')],
  float: [[], "A float32 copy (gradients flow back through it), as torch's x.float().", (t) => nb.cast(t, 'float32')],
  to: [
    ['dtype'],
    'A copy in dtype ("float32", "float64", "complex64"); gradients flow back through it.',
    (t, d) => nb.cast(t, dtypeOf(d, 'to')),
  ],
  numel: [[], 'The number of elements.', (t) => t.size],
  dim: [[], 'The number of dimensions.', (t) => t.rank],
  size: [
    ['dim=none'],
    'The shape as a list, or the size of one dimension.',
    (t, d) => {
      if (d === null) return [...t.shape];
      if (typeof d !== 'number' || !Number.isInteger(d) || d < -t.rank || d >= t.rank)
        throw new LangError(
          `size: dim must be a whole number in [${-t.rank}, ${t.rank - 1}], got ${String(d)}`,
          'IndexError',
        );
      return t.shape[d < 0 ? t.rank + d : d];
    },
  ],
});

export const TENSOR_KIND: ObjectKind<Tensor> = {
  kind: 'tensor',
  is: (v) => v instanceof Tensor,
  methods: TENSOR_METHODS,
  attrs: {},
};

const TAPE: ObjectKind<GradientTape> = {
  kind: 'tape',
  is: (v) => v instanceof GradientTape,
  methods: declare<GradientTape>({
    gradient: [
      ['target', 'sources', 'output_gradients=none', 'unconnected=none'],
      'd target / d sources (TensorFlow\'s GradientTape.gradient): one tensor for one source, a tuple for a list. unconnected="zero" gives zeros, "none" none, for a source the target does not depend on.',
      (t, target, sources, og, un) => {
        const list = isSeq(sources);
        const r = t.gradient(
          asTensor(target, 't.gradient', 'target'),
          list ? asTensorList(sources, 't.gradient', 'sources') : asTensor(sources, 't.gradient', 'source'),
          {
            outputGradients: og === null ? null : asTensor(og, 't.gradient', 'output_gradients'),
            unconnected: unconnectedOf(un),
          },
        );
        return Array.isArray(r) ? new Tuple(r) : r;
      },
    ],
    jacobian: [
      ['target', 'source'],
      'The Jacobian d target / d source, shape target.shape + source.shape.',
      (t, y, x) => t.jacobian(asTensor(y, 't.jacobian', 'target'), asTensor(x, 't.jacobian', 'source')),
    ],
    watch: [['x'], 'Records operations on x inside this tape.', (t, x) => (t.watch(asTensor(x, 't.watch')), null)],
  }),
  attrs: { persistent: (t) => t.persistent },
};

const OPTIMIZER: ObjectKind<Optimizer<object>> = {
  kind: 'optimizer',
  is: (v) => v instanceof Optimizer,
  methods: declare<Optimizer<object>>({
    step: [
      ['closure=none'],
      'One update of every parameter from its .grad; a closure (for lbfgs) re-evaluates the loss and is called first.',
      (o, c) => {
        if (c !== null && typeof c !== 'function')
          throw new LangError(
            `${o.name}.step: the closure must be a function that computes the loss, got a ${typeName(c)}`,
          );
        return o.step((c ?? undefined) as (() => Tensor) | undefined);
      },
    ],
    zero_grad: [
      ['set_to_none=true'],
      'Clears .grad of the parameters: to none (the default, as PyTorch), or to zeros in place with set_to_none=false.',
      (o, s) => (o.zeroGrad({ setToNone: !!s }), null),
    ],
    add_param_group: [
      ['group'],
      'Adds a parameter group, a map like {params: layer.params, lr: 1e-4}.',
      (o, g) => {
        if (!(g instanceof Map))
          throw new LangError(
            `${o.name}.add_param_group: give a map like {params: layer.params, lr: 1e-4}, got a ${typeName(g)}`,
          );
        const spec: Record<string, Value> = {};
        for (const [k, v] of g)
          spec[String(k).replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase())] =
            v instanceof Tuple ? [...v.items] : v;
        o.addParamGroup(spec as never);
        return null;
      },
    ],
    state_dict: [
      [],
      "PyTorch's optimizer state_dict: {state: {index: {step, exp_avg, ...}}, param_groups: [...]}, for save(...).",
      (o) => o.stateDict(),
    ],
    load_state_dict: [
      ['state_dict'],
      'Restores what state_dict() (or load(file)) gave: group options and per-parameter state.',
      (o, d) => o.loadStateDict(d),
    ],
  }),
  attrs: { param_groups: (o) => o.paramGroups, state: (o) => o.state, defaults: (o) => o.defaults, lr: (o) => o.lr },
  setters: { lr: (o, x) => (o.lr = x as number) },
};

/** L-BFGS: an optimizer that also says why its last step stopped. */
const LBFGS_KIND: ObjectKind<LBFGS> = {
  ...(OPTIMIZER as unknown as ObjectKind<LBFGS>),
  is: (v) => v instanceof LBFGS,
  attrs: {
    ...(OPTIMIZER.attrs as ObjectKind<LBFGS>['attrs']),
    stop_reason: (o) => o.stopReason,
    stop_kind: (o) => o.stopKind,
    last_evaluations: (o) => o.lastEvaluations,
    evaluations: (o) => o.evaluations,
    last_iterations: (o) => o.lastIterations,
    skipped_pairs: (o) => o.skippedPairs,
  },
};

type Schedule = StepLR | ExponentialLR | CosineLR;
const SCHEDULE: ObjectKind<Schedule> = {
  kind: 'schedule',
  is: (v) => v instanceof StepLR || v instanceof ExponentialLR || v instanceof CosineLR,
  methods: declare<Schedule>({
    step: [
      [],
      "Advances the schedule one step and sets the optimizer's lr (call it after opt.step()).",
      (s) => (s.step(), null),
    ],
  }),
  attrs: { last_lr: (s) => s.lastLr, last_epoch: (s) => s.epoch, optimizer: (s) => s.optimizer as unknown as Value },
};

const PLATEAU: ObjectKind<ReduceOnPlateau> = {
  kind: 'reduce_on_plateau',
  is: (v) => v instanceof ReduceOnPlateau,
  methods: declare<ReduceOnPlateau>({
    step: [
      ['metrics'],
      'Watches metrics (e.g. the loss) and lowers lr by factor after patience steps without improvement.',
      (s, m) => (s.step(m), null),
    ],
  }),
  attrs: {
    last_lr: (s) => s.lastLr,
    best: (s) => s.best,
    last_epoch: (s) => s.epoch,
    optimizer: (s) => s.optimizer as unknown as Value,
  },
};

const isModel = (v: Value): v is nb.Model =>
  typeof v === 'function' &&
  !(v as NablaFunction)[FN_INFO] &&
  Array.isArray((v as { params?: unknown }).params) &&
  Array.isArray((v as { layers?: unknown }).layers);
const MODEL: ObjectKind<nb.Model & Record<string, Value>> = {
  kind: 'model',
  is: isModel,
  methods: declare<nb.Model & Record<string, Value>>({
    state_dict: [
      [],
      "The weights under PyTorch's names (layers.0.weight, ...), in torch's [out, in] layout: save(net.state_dict(), f).",
      (m) => {
        if (!m.stateDict) throw new LangError('this model has no state_dict()');
        return m.stateDict();
      },
    ],
    load_state_dict: [
      ['state_dict', 'strict=true'],
      'Copies weights from a state_dict (or load(file)) into this model; strict=false allows missing or extra keys.',
      (m, d, strict) => {
        if (!m.loadStateDict) throw new LangError('this model has no load_state_dict()');
        return m.loadStateDict(d, { strict: !!strict });
      },
    ],
  }),
  attrs: {
    params: (m) => m.params,
    layers: (m) => m.layers,
    weight: (m) => m.weight ?? null,
    bias: (m) => m.bias ?? null,
    n_in: (m) => m.nIn ?? (m.sizes as number[] | undefined)?.[0] ?? null,
    n_out: (m) => m.nOut ?? (m.sizes as number[] | undefined)?.at(-1) ?? null,
    sizes: (m) => m.sizes ?? [m.nIn, m.nOut],
  },
  call: { params: [parseParam('x')], doc: 'Applies the model to x.', impl: (m, x) => m(asTensor(x, 'model', 'input')) },
};

const HOOK: ObjectKind<nb.HookHandle> = {
  kind: 'hook handle',
  is: (v) =>
    !!v &&
    typeof v === 'object' &&
    Object.keys(v as object).length === 1 &&
    typeof (v as { remove?: unknown }).remove === 'function' &&
    !(v instanceof Map),
  methods: declare<nb.HookHandle>({ remove: [[], 'Removes the hook.', (h) => (h.remove(), null)] }),
  attrs: {},
};

const PROGRESS: ObjectKind<Progress<Value>> = {
  kind: 'progress bar',
  is: (v) => v instanceof Progress,
  methods: {},
  attrs: {},
};

const LIST: ObjectKind<Value[]> = {
  kind: 'list',
  is: (v) => Array.isArray(v),
  methods: declare<Value[]>({
    append: [['x'], 'Adds x at the end.', (l, x) => (l.push(x), null)],
    pop: [
      ['i=-1'],
      'Removes and returns the item at i (the last by default).',
      (l, i) => {
        if (!l.length) throw new LangError('pop from an empty list', 'IndexError');
        const k = typeof i === 'number' && Number.isInteger(i) ? (i < 0 ? l.length + i : i) : NaN;
        if (!(k >= 0 && k < l.length))
          throw new LangError(`pop: index ${String(i)} is out of range for a list of length ${l.length}`, 'IndexError');
        return l.splice(k, 1)[0];
      },
    ],
    len: [[], 'The number of items.', (l) => l.length],
  }),
  attrs: {},
};

const MAP: ObjectKind<Map<Value, Value>> = {
  kind: 'map',
  is: (v) => v instanceof Map,
  methods: declare<Map<Value, Value>>({
    keys: [[], 'The keys, as a list.', (m) => [...m.keys()]],
    values: [[], 'The values, as a list.', (m) => [...m.values()]],
    items: [[], 'The (key, value) pairs, as a list of tuples.', (m) => [...m].map(([k, v]) => new Tuple([k, v]))],
    get: [
      ['key', 'default=none'],
      'The value for key, or default when the map has none.',
      (m, k, d) => (m.has(k) ? m.get(k) : d),
    ],
  }),
  attrs: {},
};

/** Every kind of runtime object the language reaches, for lookups and for the test that checks them all. */
/** The kinds the static checker names as what a builtin returns (compiler/check/resolve.ts). */
export {
  TAPE as TAPE_KIND,
  OPTIMIZER as OPTIMIZER_KIND,
  LBFGS_KIND,
  SCHEDULE as SCHEDULE_KIND,
  PLATEAU as PLATEAU_KIND,
  MODEL as MODEL_KIND,
};

export const OBJECT_KINDS: readonly ObjectKind[] = [
  TENSOR_KIND,
  TAPE,
  LBFGS_KIND,
  OPTIMIZER,
  SCHEDULE,
  PLATEAU,
  MODEL,
  HOOK,
  PROGRESS,
  LIST,
  MAP,
];

export const kindOf = (v: Value): ObjectKind | undefined => OBJECT_KINDS.find((k) => k.is(v));

/** Calls a declared method: arguments bound as a builtin's are, then the implementation. */
export function callDeclared(
  kind: ObjectKind,
  name: string,
  def: MethodDef<unknown>,
  self: Value,
  args: Value[],
  kw: ReadonlyMap<string, Value> | null,
): Value {
  return def.impl(self, ...bindArgs(`${kind.kind}.${name}`, def.params, args, kw));
}

/** A declared method as a value (`f = t.gradient`): a function whose keyword calls are checked too. */
export function boundMethod(kind: ObjectKind, name: string, def: MethodDef<unknown>, self: Value): NablaFunction {
  const label = `${kind.kind}.${name}`;
  const f: NablaFunction = (...args: Value[]) => def.impl(self, ...bindArgs(label, def.params, args, null));
  f[FN_INFO] = {
    name: label,
    params: def.params.map(fmtSpec),
    callKw: (args, kw) => def.impl(self, ...bindArgs(label, def.params, args, kw)),
    doc: def.doc,
  };
  Object.defineProperty(f, 'name', { value: label });
  return f;
}

/** A builtin as a tensor method (`x.sum(axis=0)`): x is its first argument; the rest bind as the builtin's. */
export function builtinMethod(b: NablaFunction, self: Tensor): NablaFunction {
  const info = b[FN_INFO]!;
  const f: NablaFunction = (...args: Value[]) => info.callKw([self, ...args], new Map());
  f[FN_INFO] = {
    name: info.name,
    params: info.params.slice(1),
    callKw: (args, kw) => info.callKw([self, ...args], kw),
    doc: info.doc,
  };
  Object.defineProperty(f, 'name', { value: info.name });
  return f;
}

const fmtSpec = (p: ParamSpec) =>
  p.rest
    ? `*${p.name}`
    : 'default' in p
      ? `${p.name}=${p.default === null ? 'none' : JSON.stringify(p.default)}`
      : p.name;
