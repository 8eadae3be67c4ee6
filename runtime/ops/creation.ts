import { allocHost, bytesPerElement, type DType } from '../dtype';
import { typeError, valueError } from '../errors';
import { traceState } from '../hooks';
import { checkAllocation } from '../limits';
import { mode } from '../mode';
import { sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { compute } from './util';
import * as libm from '../backends/js/libm';

/** Tensor creation and the seeded random generator (all random functions take a seed). */
export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function make(host: Float32Array | Float64Array, shape: readonly number[], opts: CreateOptions, op: string): Tensor {
  const t = Tensor.fromHost(host, shape, opts.dtype ?? 'float32', op);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Builds a tensor from a number, a nested list, or a typed array. */
export function tensor(data: unknown, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? 'float32';
  if (data instanceof Tensor) {
    // a copy kernel, not a host read: a compiled function that copies a tensor stays replayable
    const t = compute('copy', [data], {}, data.shape, data.dtype, 'tensor');
    if (opts.requiresGrad) t.requiresGrad = true;
    return t;
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  const walk = (v: unknown, d: number) => {
    if (d === shape.length) {
      if (typeof v === 'boolean') flat.push(v ? 1 : 0);
      else if (typeof v === 'number') flat.push(v);
      else
        throw typeError(
          'tensor',
          `expected numbers in the data, found ${v instanceof Tensor ? 'a tensor (use stack to join tensors)' : typeof v}`,
        );
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw typeError(
        'tensor',
        `the nested lists are ragged: every list at depth ${d + 1} must have ${shape[d]} elements`,
      );
    }
    v.forEach((x) => walk(x, d + 1));
  };
  walk(data, 0);
  const host = allocHost(dtype, flat.length);
  if (dtype === 'complex64') flat.forEach((v, i) => (host[2 * i] = v));
  else host.set(flat);
  return make(host, shape, { ...opts, dtype }, 'tensor');
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}, op = 'full'): Tensor {
  checkShape(shape, op);
  checkAllocation(op, shape, bytesPerElement(opts.dtype ?? 'float32'));
  const host = allocHost(opts.dtype ?? 'float32', sizeOf(shape));
  if (value !== 0) {
    if (opts.dtype === 'complex64') for (let i = 0; i < host.length; i += 2) host[i] = value;
    else host.fill(value);
  }
  return make(host, shape, opts, op);
}

function checkShape(shape: readonly number[], op: string): void {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0))
    throw typeError(op, `a shape is a list of non-negative integers, got [${shape.join(', ')}]`);
}

export const zeros = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 0, opts, 'zeros');
export const ones = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 1, opts, 'ones');
export const zerosLike = (t: Tensor, opts: CreateOptions = {}) =>
  full(t.shape, 0, { dtype: t.dtype, ...opts }, 'zeros_like');
export const onesLike = (t: Tensor, opts: CreateOptions = {}) =>
  full(t.shape, 1, { dtype: t.dtype, ...opts }, 'ones_like');

export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  const t = full([n, m], 0, opts, 'eye');
  const L = opts.dtype === 'complex64' ? 2 : 1;
  for (let i = 0; i < Math.min(n, m); i++) t.storage.host[(i * m + i) * L] = 1;
  return t;
}

export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw typeError('arange', 'step must not be 0');
  if (![start, stop, step].every(Number.isFinite))
    throw valueError('arange', `start, stop and step must be finite numbers, got ${start}, ${stop}, ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkAllocation('arange', [n], bytesPerElement(opts.dtype ?? 'float32'));
  const host = allocHost(opts.dtype ?? 'float32', n);
  fillInterruptibly(host, n, (i) => start + i * step);
  return make(host, [n], opts, 'arange');
}

export function linspace(start: number, stop: number, n: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw valueError('linspace', `the number of points must be a whole number ≥ 0, got ${n}`);
  checkAllocation('linspace', [n], bytesPerElement(opts.dtype ?? 'float32'));
  const host = allocHost(opts.dtype ?? 'float32', n);
  fillInterruptibly(host, n, (i) => (n === 1 ? start : start + ((stop - start) * i) / (n - 1)));
  return make(host, [n], opts, 'linspace');
}

/** Fills `host[i] = f(i)` for i < n, hearing an interrupt every million elements (2^28 of them take a second). */
function fillInterruptibly(host: Float32Array | Float64Array, n: number, f: (i: number) => number): void {
  const CHUNK = 1 << 20;
  for (let from = 0; from < n; from += CHUNK) {
    if (from) mode.checkInterrupt?.();
    const to = Math.min(n, from + CHUNK);
    for (let i = from; i < to; i++) host[i] = f(i);
  }
}

// ---- random -----------------------------------------------------------------------------------------

/** mulberry32: small, fast, and the same stream everywhere for a seed. */
class Generator {
  private s: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  uniform(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    // Box–Muller; 1 - u keeps log away from 0
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * libm.log(u));
    this.spare = r * libm.sin(2 * Math.PI * v);
    return r * libm.cos(2 * Math.PI * v);
  }
}

let globalGen = new Generator(0);

/** seed(n): resets the global generator, so a notebook's random draws repeat. */
export function seed(n: number): void {
  globalGen = new Generator(n);
}

export interface RandomOptions extends CreateOptions {
  seed?: number | null;
}

function random(shape: readonly number[], opts: RandomOptions, draw: (g: Generator) => number, op: string): Tensor {
  checkShape(shape, op);
  checkAllocation(op, shape, bytesPerElement(opts.dtype ?? 'float32'));
  if (opts.seed == null)
    traceState.current?.unreplayable(
      `it draws from the global random generator (${op} without seed=), which a replay would repeat`,
    );
  const gen = opts.seed == null ? globalGen : new Generator(opts.seed);
  const host = allocHost(opts.dtype ?? 'float32', sizeOf(shape));
  fillInterruptibly(host, host.length, () => draw(gen));
  return make(host, shape, opts, op);
}

export const rand = (shape: readonly number[], opts: RandomOptions = {}) =>
  random(shape, opts, (g) => g.uniform(), 'rand');
export const randn = (shape: readonly number[], opts: RandomOptions = {}) =>
  random(shape, opts, (g) => g.normal(), 'randn');
