/** Shape arithmetic: sizes, strides, broadcasting, axis normalisation. Pure functions, no tensors. */
import { NablaError } from './errors';
export type Shape = readonly number[];

export const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

export const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);

export const fmtShape = (s: Shape) => `[${s.join(', ')}]`;

/** NumPy broadcasting; returns null when the shapes do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalises a possibly negative axis; throws a sentence naming the op when out of range. */
export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new NablaError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (use an axis between ${-rank} and ${rank - 1})`,
      op,
      'ShapeError',
    );
  }
  return a;
}

export function normAxes(axis: number | readonly number[] | null | undefined, rank: number, op: string): number[] {
  if (axis === null || axis === undefined) return [...Array(rank).keys()];
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normAxis(a, rank, op)))].sort((x, y) => x - y);
}
