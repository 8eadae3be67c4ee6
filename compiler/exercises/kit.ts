import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { warnings } from '../../runtime/provenance';
import { fmtNumber, typeName, type Value } from '../values';

/** What check(name, answer) decides: right (with a note), or not yet (with a hint that says what to change). */
export type Verdict = { ok: true; note: string } | { ok: false; hint: string };

export interface Exercise {
  /** The name check() takes, e.g. "derive-gradient". */
  name: string;
  /** What the exercise asks for, in one sentence (shown when the answer is none or of the wrong kind). */
  task: string;
  check(answer: Value): Verdict;
}

/** Thrown inside a check to stop it with a hint (check() turns it into a "not yet" verdict). */
export class Hint extends Error {}

export const right = (note: string): Verdict => ({ ok: true, note });

/** The answer must be a function; none (the cell left unfilled) gets the task back. */
export function needFunction(v: Value, ex: { name: string; task: string }, what: string): (...a: Value[]) => Value {
  if (v === null || v === undefined) throw new Hint(`nothing to check yet: ${ex.task}`);
  if (typeof v !== 'function')
    throw new Hint(`check("${ex.name}", ...) takes ${what}, but got a ${typeName(v)}. ${ex.task}`);
  return v as (...a: Value[]) => Value;
}

/** Calls the user's function; an error inside it becomes a hint quoting the error. */
export function call(f: (...a: Value[]) => Value, args: Value[], what: string): Value {
  try {
    return f(...args);
  } catch (e) {
    throw new Hint(`${what} raised an error: ${(e as Error).message}`);
  }
}

/** The user's result as a tensor of the given shape, or a hint saying what came back instead. */
export function tensorOf(v: Value, what: string, shape: readonly number[]): Tensor {
  if (v === null || v === undefined)
    throw new Hint(`${what} returned none; it must return a tensor of shape [${shape.join(', ')}]`);
  const t = typeof v === 'number' ? nb.tensor(v) : v;
  if (!(t instanceof Tensor))
    throw new Hint(`${what} returned a ${typeName(v)}; it must return a tensor of shape [${shape.join(', ')}]`);
  if (t.dtype === 'complex64' || t.dtype === 'bool')
    throw new Hint(`${what} returned a ${t.dtype} tensor; it must be real numbers`);
  const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
  if (!same)
    throw new Hint(
      `${what} returned shape [${t.shape.join(', ')}], but it must be [${shape.join(', ')}]${t.size === 1 && shape.length ? ': a gradient has one entry per input entry' : ''}`,
    );
  return t;
}

/** A float64 copy with no history, for references and comparisons. */
export const f64 = (t: Tensor | number[], shape?: readonly number[]): Tensor => {
  const data = t instanceof Tensor ? Array.from(t.toHost() as ArrayLike<number>) : t;
  return nb.reshape(nb.tensor(data, { dtype: 'float64' }), shape ?? (t instanceof Tensor ? t.shape : [data.length]));
};

export const numbers = (t: Tensor): number[] => Array.from(t.toHost() as ArrayLike<number>);

/** Elementwise |a - b| <= atol + rtol * |b|, NaN never close. */
export function close(a: Tensor, b: Tensor, rtol = 1e-4, atol = 1e-5): boolean {
  const x = numbers(a);
  const y = numbers(b);
  return x.length === y.length && x.every((v, i) => Math.abs(v - y[i]) <= atol + rtol * Math.abs(y[i]));
}

/** ||a - b|| / ||b||. */
export function relativeError(a: Tensor, b: Tensor): number {
  const x = numbers(a);
  const y = numbers(b);
  let num = 0;
  let den = 0;
  x.forEach((v, i) => ((num += (v - y[i]) ** 2), (den += y[i] ** 2)));
  return Math.sqrt(num / den);
}

/** "[0.1234, -0.5, 2]" with four significant digits, at most `max` entries. */
export function fmt(t: Tensor | number, max = 6): string {
  if (typeof t === 'number') return fmtNumber(Number(t.toPrecision(4)));
  const xs = numbers(t);
  if (xs.length === 1) return fmt(xs[0]);
  const shown = xs.slice(0, max).map((v) => fmtNumber(Number(v.toPrecision(4))));
  return `[${shown.join(', ')}${xs.length > max ? ', …' : ''}]`;
}

/** The gradient of y (seeded with g) with respect to x; a missing path becomes a hint with the runtime's diagnosis. */
export function gradOf(y: Tensor, x: Tensor, g: Tensor | null, what: string): Tensor {
  try {
    return nb.grad(y, x, { gradOutputs: g ? [g] : null }) as Tensor;
  } catch (e) {
    throw new Hint(`no gradient reaches the input through ${what}: ${(e as Error).message}`);
  }
}

/** Runs fn with the runtime's warnings collected instead of printed: a wrong answer may warn, and says so in its hint. */
export function collectingWarnings<T>(fn: () => T): { value: T; warnings: string[] } {
  const seen: string[] = [];
  const prev = warnings.sink;
  warnings.sink = (m) => seen.push(m);
  try {
    return { value: fn(), warnings: seen };
  } finally {
    warnings.sink = prev;
  }
}

/** Runs an exercise's check, turning a Hint into a "not yet" verdict; other errors are bugs and propagate. */
export function judge(ex: Exercise, answer: Value): Verdict {
  try {
    return ex.check(answer);
  } catch (e) {
    if (e instanceof Hint) return { ok: false, hint: e.message };
    throw e;
  }
}
