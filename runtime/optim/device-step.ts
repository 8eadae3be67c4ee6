import { getBackend } from '../backend';
import { contiguousStrides } from '../shape';
import { Storage, type DeviceData } from '../storage';
import { Tensor } from '../tensor';
import * as libm from '../backends/js/libm';

/**
 * Optimizer updates on the device (runtime/backends/gpujs/README.md, "Optimizers on the device"). When a
 * param's gradient is held on the device of the current backend and that backend offers fused updates
 * (webgpu), sgd/adam/adamw update the param and its state there, by kernels the backend writes, and
 * nothing comes back to the host. Otherwise the optimizer runs its host loop as before. Each optimizer
 * calls this file at one place in its update loop (`if (sgdOnDevice(...)) continue;`).
 *
 * The backend's side (`FusedUpdates`) knows kernels, not optimizers: it runs an update rule over a param, its
 * gradient and its state as device values and returns new device values. This side keeps the state
 * records the host loop keeps (step counts, state tensors in `opt.state`), so the two paths can take over
 * from each other between steps.
 */

/** The structure of an update, fixed per group (a kernel is built per structure, never per step). */
export type FusedRule =
  | { kind: 'sgd'; momentum: boolean; nesterov: boolean; maximize: boolean; weightDecay: boolean }
  | { kind: 'adam'; amsgrad: boolean; maximize: boolean; weightDecay: boolean; decoupled: boolean };

/** The numbers of one step, by rule (passed to the kernels as arguments, so a schedule changes no kernel). */
export interface SgdNumbers {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  /** 1 on the step that creates the momentum buffer (it is then the direction itself) */
  first: number;
}
export interface AdamNumbers {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** √(1 − β2^t) */
  bc2Sqrt: number;
}

export interface FusedUpdates {
  /** Whether updates run on the device now (e.g. resident tensors switched on). */
  ready(): boolean;
  /** Whether the storage's values are on this backend's device. */
  holds(s: Storage): boolean;
  /** Gives a host storage a device copy (kept beside its host values until the next write). */
  toDevice(s: Storage): void;
  /**
   * One update of a param of `n` values: `state` (device values, `stateParts`·n of them, the parts one after
   * another) and the param's new values, as device values the caller's storages take over.
   */
  update(
    rule: FusedRule,
    numbers: SgdNumbers | AdamNumbers,
    p: Storage,
    g: Tensor,
    state: Storage | null,
  ): { param: DeviceData; state: DeviceData | null };
}

const backends = new Map<string, FusedUpdates>();

/** A backend offers fused optimizer updates (runtime/backends/gpujs/index.ts registers webgpu's). */
export function registerFusedUpdates(backend: string, updates: FusedUpdates): void {
  backends.set(backend, updates);
}

let enabled = typeof process === 'undefined' || process.env?.NABLA_DEVICE_OPTIM !== '0';

/**
 * Whether optimizers update on the device where they can (default on; NABLA_DEVICE_OPTIM=0 starts with it
 * off). Off, every step runs the host loop: for comparison and for isolating a bug. Returns the previous setting.
 */
export function setDeviceOptimizers(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** What updates `p` from `g` on the device, or null when the host loop must (then nothing was changed). */
function fusedFor(p: Tensor, g: Tensor): FusedUpdates | null {
  if (!enabled) return null;
  const f = backends.get(getBackend().name);
  if (!f || !f.ready()) return null;
  // the param's whole storage is what the update replaces; the gradient must already be on the device
  if (p.dtype !== 'float32' || !p.isContiguous || p.offset !== 0 || p.storage.length !== p.size) return null;
  if (g.dtype !== 'float32' || !g.isContiguous || g.size !== p.size || !f.holds(g.storage)) return null;
  return f;
}

/** Takes over the param's storage with the new device values, marked as the optimizer's in-place write. */
function commit(p: Tensor, values: DeviceData, opName: string): void {
  p.storage.overwriteWith(new Storage(null, 'float32', values));
  p.storage.lastWrite = opName;
}

const onDevice = (f: FusedUpdates, s: Storage) => {
  if (!f.holds(s)) f.toDevice(s);
};

/** sgd's update of one param on the device; false (and nothing done) when the host loop must run it. */
export function sgdOnDevice(
  p: Tensor,
  g: Tensor,
  st: Record<string, any>,
  o: { lr: number; momentum: number; dampening: number; nesterov: boolean; weightDecay: number; maximize: boolean },
  opName: string,
): boolean {
  const f = fusedFor(p, g);
  const buf = st.momentumBuffer as Tensor | undefined;
  if (!f || (buf && !(buf.isContiguous && buf.offset === 0 && buf.storage.length === p.size))) return false;
  const momentum = o.momentum !== 0;
  const first = momentum && !buf;
  // the first step's buffer is the direction itself; a zero buffer stands in as the kernel's input
  if (first) st.momentumBuffer = Tensor.fromHost(new Float32Array(p.size), p.shape, 'float32', 'zeros');
  const state = momentum ? (st.momentumBuffer as Tensor).storage : null;
  onDevice(f, p.storage);
  if (state) onDevice(f, state);
  const rule: FusedRule = {
    kind: 'sgd',
    momentum,
    nesterov: o.nesterov,
    maximize: o.maximize,
    weightDecay: o.weightDecay !== 0,
  };
  const numbers: SgdNumbers = {
    lr: o.lr,
    momentum: o.momentum,
    dampening: o.dampening,
    weightDecay: o.weightDecay,
    first: first ? 1 : 0,
  };
  const out = f.update(rule, numbers, p.storage, g, state);
  if (state) state.overwriteWith(new Storage(null, 'float32', out.state!));
  commit(p, out.param, opName);
  return true;
}

/**
 * adam's (and adamw's) update of one param on the device; false when the host loop must run it, after
 * giving the state back the layout the host loop reads (one storage per state tensor).
 *
 * On the device the state lives in one storage, the parts one after another (m, v, and v̂ with amsgrad), so
 * one kernel updates all of it; `opt.state` shows views of it under the usual names.
 */
export function adamOnDevice(
  p: Tensor,
  g: Tensor,
  st: Record<string, any>,
  o: { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean },
  decoupled: boolean,
  opName: string,
): boolean {
  const f = fusedFor(p, g);
  const names = o.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'];
  if (!f) {
    if (isPacked(st, ['expAvg', 'expAvgSq'], p.size) || isPacked(st, ['expAvg', 'expAvgSq', 'maxExpAvgSq'], p.size))
      unpack(st, p);
    return false;
  }
  if (st.step === undefined) st.step = 0;
  if (!isPacked(st, names, p.size)) pack(st, names, p);
  const state = (st.expAvg as Tensor).storage;
  onDevice(f, p.storage);
  onDevice(f, state);
  const step = ++st.step;
  const [beta1, beta2] = o.betas;
  const numbers: AdamNumbers = {
    lr: o.lr,
    beta1,
    beta2,
    eps: o.eps,
    weightDecay: o.weightDecay,
    stepSize: o.lr / (1 - libm.pow(beta1, step)),
    bc2Sqrt: Math.sqrt(1 - libm.pow(beta2, step)),
  };
  const rule: FusedRule = {
    kind: 'adam',
    amsgrad: o.amsgrad,
    maximize: o.maximize,
    weightDecay: o.weightDecay !== 0,
    decoupled,
  };
  const out = f.update(rule, numbers, p.storage, g, state);
  state.overwriteWith(new Storage(null, 'float32', out.state!));
  commit(p, out.param, opName);
  return true;
}

/** Whether the named state tensors are consecutive parts of one storage that holds exactly them. */
function isPacked(st: Record<string, any>, names: string[], n: number): boolean {
  const ts = names.map((k) => st[k] as Tensor | undefined);
  if (ts.some((t) => !t)) return false;
  const s = ts[0]!.storage;
  return (
    s.length === names.length * n &&
    ts.every((t, k) => t!.storage === s && t!.offset === k * n && t!.isContiguous && t!.size === n)
  );
}

/** One storage for the state parts (their current values, zeros for a part not there yet), viewed under their names. */
function pack(st: Record<string, any>, names: string[], p: Tensor): void {
  const n = p.size;
  const values = new Float32Array(names.length * n);
  names.forEach((k, i) => {
    const t = st[k] as Tensor | undefined;
    if (t) values.set(t.toHost() as Float32Array, i * n);
  });
  const storage = new Storage(values, 'float32');
  names.forEach(
    (k, i) => (st[k] = new Tensor(storage, p.shape, contiguousStrides(p.shape), i * n, 'float32', 'zeros')),
  );
}

/** Back to one storage per state tensor, for the host loop. */
function unpack(st: Record<string, any>, p: Tensor): void {
  for (const k of ['expAvg', 'expAvgSq', 'maxExpAvgSq']) {
    const t = st[k] as Tensor | undefined;
    if (t) st[k] = Tensor.fromHost(t.toHost(), p.shape, 'float32', 'zeros');
  }
}
