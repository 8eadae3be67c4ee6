import { lanes, type HostArray } from '../dtype';
import { typeError, valueError } from '../errors';
import { traceState, untraced } from '../hooks';
import { inplace } from '../inplace';
import { enableGrad, noGrad } from '../mode';
import { zerosLike } from '../ops/creation';
import { Tensor } from '../tensor';

/**
 * What every optimizer shares (torch.optim.Optimizer): parameter groups whose options override the defaults,
 * per-parameter state, zeroGrad, and the in-place writes of an update. Subclasses implement `update(group)`
 * as plain loops over host arrays; the base runs it without recording and bumps each param's version.
 */

/** A group as given: its params and any options that override the optimizer's defaults. */
export type GroupSpec<O> = { params: Tensor | readonly Tensor[]; name?: string } & Partial<O>;
/** A group as stored: every option filled in. Changing `lr` here between steps is how schedules work. */
export type ParamGroup<O> = O & { params: Tensor[]; name?: string };
/** A tensor, a list of tensors, a list of groups, one group, or a model (anything callable with `.params`). */
export type Params<O> =
  Tensor | readonly Tensor[] | readonly GroupSpec<O>[] | GroupSpec<O> | { readonly params: readonly Tensor[] };
export type Closure = () => Tensor | number;

export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (momentum buffers, moments, step counts), keyed by the param, as in PyTorch. */
  readonly state = new Map<Tensor, Record<string, any>>();
  readonly defaults: O;

  constructor(
    readonly name: string,
    params: Params<O>,
    defaults: O,
    options: Partial<O>,
  ) {
    checkKeys(name, options, defaults, false);
    this.defaults = { ...defaults, ...dropUndefined(options) };
    const list = listOf(name, params);
    if (!list.length)
      throw valueError(name, 'got an empty parameter list; pass the tensors to optimize, e.g. model.params');
    const groups = list.every((p) => p instanceof Tensor) ? [{ params: list as Tensor[] }] : (list as GroupSpec<O>[]);
    for (const g of groups) this.addParamGroup(g as GroupSpec<O>);
    // what the optimizer is made of cannot be replaced from the language (opt.state = ... would be lost state)
    for (const k of ['name', 'paramGroups', 'state', 'defaults']) Object.defineProperty(this, k, { writable: false });
  }

  /** Adds a group (e.g. a layer unfrozen during training); its missing options come from the defaults. */
  addParamGroup(spec: GroupSpec<O>): void {
    if (!spec || spec instanceof Tensor || typeof spec !== 'object' || !('params' in spec)) {
      throw typeError(
        this.name,
        'params must be a list of tensors or a list of groups like {params: [...], lr: 0.01}; do not mix the two',
      );
    }
    const { params, ...opts } = spec;
    checkKeys(this.name, opts, this.defaults, true);
    const ps = params instanceof Tensor ? [params] : [...params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of ps) {
      if (!(p instanceof Tensor)) throw typeError(this.name, 'a parameter group holds something that is not a tensor');
      if (!p.isLeaf)
        throw valueError(
          this.name,
          "can't optimize a non-leaf tensor (one computed from others); optimize the leaves it came from, or detach() it into a new param",
        );
      if (seen.has(p))
        throw valueError(this.name, 'some parameters appear in more than one parameter group (or twice in one)');
      seen.add(p);
    }
    const group = { ...this.defaults, ...dropUndefined(opts), params: ps } as ParamGroup<O>;
    this.check(group);
    // a group prints as its options (the language shows param_groups[0] that way)
    Object.defineProperty(group, 'toString', {
      value: () => `{${groupOptions(group)}, params: [${ps.length} tensors]}`,
      enumerable: false,
    });
    this.paramGroups.push(group);
  }

  /** Validates a filled-in group (PyTorch's constructor checks), throwing a sentence that names the option. */
  protected abstract check(group: ParamGroup<O>): void;
  /** Updates the params of one group from their .grad (called without recording). */
  protected abstract update(group: ParamGroup<O>): void;

  /** One update of every param that has a gradient. A closure, when given, is re-evaluated first (with grad on). */
  step(closure?: Closure): Tensor | number | null {
    const trace = traceState.current;
    if (trace) {
      // a compiled function's replay calls the update again; its own loops are not recorded as kernels
      if (closure)
        trace.unreplayable(`${this.name}.step(closure) evaluates the closure a data-dependent number of times`);
      else trace.effect(`${this.name}.step()`, () => this.step(), []);
      return untraced(() => this.step(closure));
    }
    const loss = closure ? enableGrad(closure) : null;
    noGrad(() => this.paramGroups.forEach((g) => this.update(g)));
    return loss;
  }

  /** The state record of one param, created empty on first use. */
  protected stateOf(p: Tensor): Record<string, any> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /** Sets every param's .grad to none (PyTorch's set_to_none=True), or to zeros in place with setToNone=false. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    clearGrads(
      this.paramGroups.flatMap((g) => g.params),
      opts.setToNone ?? true,
    );
  }

  /**
   * The learning rate of every group: reading it needs the groups to agree (else it says to use
   * param_groups[i].lr); setting it sets every group's, which the next step (compiled or not) uses.
   */
  get lr(): number {
    const lrs = new Set(this.paramGroups.map((g) => (g as { lr?: number }).lr));
    if (lrs.size !== 1)
      throw valueError(
        this.name,
        `its ${this.paramGroups.length} parameter groups have different learning rates (${[...lrs].join(', ')}); read param_groups[i].lr`,
      );
    return [...lrs][0] as number;
  }

  set lr(v: number) {
    requireNumber(this.name, 'lr', v, (x) => Number.isFinite(x) && x >= 0, 'a finite number >= 0');
    for (const g of this.paramGroups) (g as { lr?: number }).lr = v;
  }

  /**
   * PyTorch's optimizer state_dict: {state: {index: {step, exp_avg, ...}}, param_groups: [{lr, ..., params:
   * [indices]}]}, params numbered across groups in order. Tensors are copies; host arrays become float64 tensors.
   */
  stateDict(...extra: unknown[]): Map<string, unknown> {
    if (extra.length) throw typeError(`${this.name}.state_dict`, 'takes no arguments');
    const all = this.paramGroups.flatMap((g) => g.params);
    const state = new Map<number, Map<string, unknown>>();
    all.forEach((p, i) => {
      const st = this.state.get(p);
      if (st) state.set(i, new Map(Object.entries(st).map(([k, v]) => [stateKey(k), toSaved(v)])));
    });
    let next = 0;
    const groups = this.paramGroups.map(
      (g) =>
        new Map<string, unknown>([
          ...Object.entries(g)
            .filter(([k]) => k !== 'params')
            .map(([k, v]) => [snake(k), Array.isArray(v) ? [...v] : v] as [string, unknown]),
          ['params', g.params.map(() => next++)],
        ]),
    );
    return new Map<string, unknown>([
      ['state', state],
      ['param_groups', groups],
    ]);
  }

  /** Restores what stateDict() gave (or load(file) read back): group options and per-parameter state, checked first. */
  loadStateDict(d: unknown, ...extra: unknown[]): null {
    const fn = `${this.name}.load_state_dict`;
    if (extra.length) throw typeError(fn, 'takes one argument: the map that state_dict() or load(file) returned');
    const get = (m: unknown, k: string) =>
      m instanceof Map ? m.get(k) : m && typeof m === 'object' ? (m as Record<string, unknown>)[k] : undefined;
    const groups = get(d, 'param_groups');
    const state = get(d, 'state');
    if (!Array.isArray(groups) || state === undefined)
      throw typeError(fn, 'give the map that state_dict() or load(file) returned: it has state and param_groups');
    if (groups.length !== this.paramGroups.length)
      throw valueError(
        fn,
        `the saved optimizer has ${groups.length} parameter groups, this one ${this.paramGroups.length}`,
      );
    const filled = groups.map((sg, i) => {
      const mine = this.paramGroups[i];
      const ids = get(sg, 'params');
      if (!Array.isArray(ids) || ids.length !== mine.params.length)
        throw valueError(
          fn,
          `group ${i} saved ${Array.isArray(ids) ? ids.length : 'no'} params, this optimizer's has ${mine.params.length}`,
        );
      const entries = sg instanceof Map ? [...sg] : Object.entries(sg as object);
      const opts: Record<string, unknown> = {};
      for (const [k, v] of entries) {
        if (k === 'params') continue;
        const key = camelKey(String(k));
        if (!(key in mine))
          throw valueError(fn, `group ${i} has an option '${k}' that ${this.className} does not have`);
        opts[key] = Array.isArray(v) ? [...v] : v;
      }
      const group = { ...mine, ...opts } as ParamGroup<O>;
      this.check(group);
      return opts;
    });
    const all = this.paramGroups.flatMap((g) => g.params);
    const records = new Map<Tensor, Record<string, any>>();
    const stEntries: [unknown, unknown][] = state instanceof Map ? [...state] : Object.entries(state as object);
    for (const [k, rec] of stEntries) {
      const p = all[Number(k)];
      if (!p || !Number.isInteger(Number(k)))
        throw valueError(
          fn,
          `the saved state is for parameter ${String(k)}, but this optimizer has ${all.length} (0..${all.length - 1})`,
        );
      const recEntries: [string, unknown][] = rec instanceof Map ? [...rec] : Object.entries(rec as object);
      records.set(
        p,
        Object.fromEntries(
          recEntries.map(([sk, v]) => [camelKey(String(sk)), this.stateFromSaved(camelKey(String(sk)), v, p, fn)]),
        ),
      );
    }
    filled.forEach((opts, i) => Object.assign(this.paramGroups[i], opts));
    this.state.clear();
    for (const [p, r] of records) this.state.set(p, r);
    return null;
  }

  /** A saved state value as this optimizer keeps it: tensors as buffers shaped and typed like the param. */
  protected stateFromSaved(key: string, v: unknown, p: Tensor, fn: string): unknown {
    if (!(v instanceof Tensor)) return v;
    if (v.size !== p.size || lanes(v.dtype) !== lanes(p.dtype))
      throw valueError(
        fn,
        `the saved ${key} has ${v.size} values (${v.dtype}) but its parameter has ${p.size} (${p.dtype})`,
      );
    const b = buffer(p);
    b.storage.host.set(v.toHost());
    return b;
  }

  /** PyTorch's class name (torch.optim.Adam), used when printing. */
  get className(): string {
    return (
      ({ sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', lbfgs: 'LBFGS' } as Record<string, string>)[this.name] ?? this.name
    );
  }

  /** `Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, ...): 4 params`, one line per group when there are several. */
  toString(): string {
    if (this.paramGroups.length === 1)
      return `${this.className}(${groupOptions(this.paramGroups[0])}): ${paramTotal(this.paramGroups[0].params)}`;
    return [
      `${this.className} with ${this.paramGroups.length} parameter groups:`,
      ...this.paramGroups.map((g, i) => `  ${i}: ${groupOptions(g)}: ${paramTotal(g.params)}`),
    ].join('\n');
  }
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelKey = (k: string) => (k === 'H_diag' ? 'hDiag' : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
/** PyTorch's names for state entries (L-BFGS's curvature scale is H_diag there). */
const stateKey = (k: string) => (k === 'hDiag' ? 'H_diag' : snake(k));
/** A state value as saved: tensors copied, host vectors (L-BFGS) as float64 tensors, lists of them likewise. */
function toSaved(v: unknown): unknown {
  if (v instanceof Tensor) return Tensor.fromHost(v.toHost(), v.shape, v.dtype, 'state_dict');
  if (v instanceof Float64Array) return Tensor.fromHost(Float64Array.from(v), [v.length], 'float64', 'state_dict');
  if (Array.isArray(v)) return v.map(toSaved);
  return v === undefined ? null : v;
}
/** Numbers as Python prints them (1e-08, 0.001), so an optimizer reads like PyTorch's. */
export const pyNumber = (v: number) =>
  Number.isInteger(v) || (Math.abs(v) >= 1e-4 && Math.abs(v) < 1e16)
    ? String(v)
    : v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
const pyValue = (v: unknown): string =>
  typeof v === 'number'
    ? pyNumber(v)
    : Array.isArray(v)
      ? `(${v.map(pyValue).join(', ')})`
      : typeof v === 'string'
        ? JSON.stringify(v)
        : v === null || v === undefined
          ? 'none'
          : String(v);
const groupOptions = (g: object) =>
  Object.entries(g)
    .filter(([k]) => k !== 'params')
    .map(([k, v]) => `${snake(k)}=${pyValue(v)}`)
    .join(', ');
const paramTotal = (ps: Tensor[]) => `${ps.reduce((n, p) => n + p.size, 0).toLocaleString('en-US')} params`;

/** zero_grad(params_or_optimizer): an optimizer, a tensor, a list of tensors or groups, or a model (its .params). */
export function zeroGrad(target: unknown, opts: { setToNone?: boolean } = {}): void {
  if (target instanceof Optimizer) return target.zeroGrad(opts);
  clearGrads(paramsOf(target), opts.setToNone ?? true);
}

function listOf(name: string, params: unknown): unknown[] {
  if (params instanceof Tensor) return [params];
  const p = params as { params?: unknown; [Symbol.iterator]?: unknown };
  if (typeof params === 'function' && Array.isArray(p.params)) return [...p.params]; // a model
  if (params && typeof params === 'object' && !Array.isArray(params) && 'params' in params) return [params]; // one group
  if (params && typeof p[Symbol.iterator] === 'function') return [...(params as Iterable<unknown>)];
  throw typeError(
    name,
    'params must be a list of tensors (e.g. model.params) or a list of groups like {params: [...], lr: 0.01}',
  );
}

function paramsOf(x: unknown): Tensor[] {
  if (x instanceof Tensor) return [x];
  if (Array.isArray(x)) return x.flatMap(paramsOf);
  if (x && (typeof x === 'object' || typeof x === 'function') && 'params' in x)
    return paramsOf((x as { params: unknown }).params);
  throw typeError('zero_grad', 'expected an optimizer, a model, a tensor or a list of tensors');
}

function clearGrads(params: readonly Tensor[], setToNone: boolean): void {
  const trace = traceState.current;
  if (trace) {
    trace.effect('zero_grad', () => clearGrads(params, setToNone), []);
    params.forEach((p) => trace.setsGrad(p));
    return untraced(() => clearGrads(params, setToNone));
  }
  for (const p of params) {
    if (!p.grad) continue;
    if (setToNone) p.grad = null;
    else if (!p.grad.gradFn && p.grad.isContiguous) {
      p.grad.storage.host.fill(
        0,
        p.grad.offset * lanes(p.grad.dtype),
        (p.grad.offset + p.grad.size) * lanes(p.grad.dtype),
      );
      p.grad.storage.version++;
    } else p.grad = zerosLike(p.grad); // a gradient with history (create_graph) is replaced, not overwritten
  }
}

function checkKeys(name: string, given: object, defaults: object, inGroup: boolean): void {
  for (const k of Object.keys(given)) {
    if (k in defaults || (inGroup && k === 'name')) continue;
    const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const hint =
      camel in defaults
        ? ` (did you mean ${camel}?)`
        : `; the options are ${Object.keys(defaults).join(', ')}${inGroup ? ' (and name)' : ''}`;
    throw typeError(name, `unknown option '${k}'${hint}`);
  }
}

const dropUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The second argument of sgd/adam/...: an options object, or the learning rate given positionally. */
export function optionsOf<O extends { lr?: number }>(lrOrOptions: number | O | undefined, rest: O | undefined): O {
  if (typeof lrOrOptions === 'number') return { ...(rest ?? ({} as O)), lr: lrOrOptions };
  return { ...(lrOrOptions ?? ({} as O)), ...(rest ?? ({} as O)) };
}

export function requireNumber(name: string, key: string, v: unknown, ok: (x: number) => boolean, rule: string): void {
  if (typeof v !== 'number' || !ok(v))
    throw valueError(name, `invalid ${key} ${v === undefined ? '(missing)' : String(v)}: it must be ${rule}`);
}

// ---- in-place writes -------------------------------------------------------------------------------

/**
 * A param's values as one writable array of numbers (interleaved re, im for complex, which is PyTorch's
 * view_as_real). A contiguous param is updated in its own storage; any other is copied and written back.
 */
export interface Writable {
  data: HostArray;
  /** Marks the write: bumps the storage version so a saved value that the update overwrote is detected. */
  commit(): void;
}

export function writable(p: Tensor, opName: string): Writable {
  const L = lanes(p.dtype);
  if (p.isContiguous && p.offset === 0) {
    return {
      data: p.storage.host.subarray(0, p.size * L),
      commit() {
        p.storage.version++;
        p.storage.lastWrite = opName;
      },
    };
  }
  const data = p.toHost();
  return {
    data,
    commit: () => void noGrad(() => inplace(p, () => Tensor.fromHost(data, p.shape, p.dtype, opName), opName)),
  };
}

/** A gradient's values, without a copy when it is contiguous. */
export function readGrad(name: string, p: Tensor, g: Tensor): HostArray {
  if (g.size !== p.size || lanes(g.dtype) !== lanes(p.dtype)) {
    throw valueError(
      name,
      `a parameter of shape [${p.shape.join(', ')}] has a .grad of shape [${g.shape.join(', ')}] (${g.dtype}); they must match`,
    );
  }
  return g.isContiguous
    ? g.storage.host.subarray(g.offset * lanes(g.dtype), (g.offset + g.size) * lanes(g.dtype))
    : g.toHost();
}

/** A zero-filled state buffer shaped like the param (kept as a tensor, so `opt.state` displays). */
export const buffer = (p: Tensor): Tensor => zerosLike(p, { requiresGrad: false });
