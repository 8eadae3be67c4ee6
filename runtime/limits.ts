import { NablaError } from './errors';

/**
 * Size limits, checked before anything is allocated, so a huge request is a sentence naming the size and the
 * limit instead of an engine error (or a process that runs out of memory).
 *
 * - A tensor holds at most MAX_ELEMENTS elements: 2^28 = 268,435,456 (1 GiB of float32), whatever made it
 *   (a creation function, an op's result, a broadcast, `outer`, `@`).
 * - A string or a list made by `*` or `+` holds at most MAX_SEQUENCE items: 2^26 = 67,108,864.
 * - Where the front end set one (the Jupyter kernel: NABLA_KERNEL_HEAP_MB), tensor memory is counted against
 *   a byte limit: an allocation that would take the tensors past it is refused (see setTensorMemoryLimit).
 */
export const MAX_ELEMENTS = 2 ** 28;
export const MAX_SEQUENCE = 2 ** 26;

const memory: { limitBytes: number | null; used: (() => number) | null; what: string } = {
  limitBytes: null,
  used: null,
  what: '',
};

/**
 * Counts tensor memory against `limitBytes`: `used()` says how many bytes tensors hold now (in Node,
 * ArrayBuffer memory), `what` names the setting in the error. Null lifts the limit.
 */
export function setTensorMemoryLimit(
  limitBytes: number | null,
  used: (() => number) | null = null,
  what = 'the memory limit',
): void {
  memory.limitBytes = limitBytes;
  memory.used = used;
  memory.what = what;
}

/** Only allocations this large ask what is used (asking costs microseconds). */
const COUNTED_BYTES = 1 << 20;

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : String(n));
const mb = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MB`;

/** The element count of `shape`, after checking each dimension is a whole number within the limit. */
export function checkedSize(op: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    // a dimension past 2^53 is a whole number too (just too large): the limit below says so
    if (!(d >= 0) || (Number.isFinite(d) && !Number.isInteger(d)))
      throw new NablaError(
        `${op}: a dimension must be a whole number ≥ 0, got ${fmt(d)} (shape [${shape.map(fmt).join(', ')}])`,
        op,
        'ValueError',
      );
    n *= d;
  }
  return n;
}

/**
 * Throws a ValueError when a tensor of `shape` (`bytesPerElement` each) is past the element limit, or would
 * take tensor memory past the limit the front end set.
 */
export function checkAllocation(op: string, shape: readonly number[], bytesPerElement = 4): void {
  const n = checkedSize(op, shape);
  if (n > MAX_ELEMENTS) {
    throw new NablaError(
      `${op}: a tensor of shape [${shape.map(fmt).join(', ')}] has ${fmt(n)} elements, past the limit of ${fmt(MAX_ELEMENTS)} (2^28) elements; use smaller sizes`,
      op,
      'ValueError',
    );
  }
  checkMemory(op, n * bytesPerElement);
}

/** Throws when `bytes` more would take tensor memory past the front end's limit. */
export function checkMemory(op: string, bytes: number): void {
  if (memory.limitBytes === null || !memory.used || bytes < COUNTED_BYTES) return;
  const used = memory.used();
  if (used + bytes > memory.limitBytes) {
    throw new NablaError(
      `${op}: a tensor of ${mb(bytes)} would take tensor memory to ${mb(used + bytes)}, past ${memory.what} of ${mb(memory.limitBytes)}; delete tensors you no longer need (del name) or use smaller sizes`,
      op,
      'ValueError',
    );
  }
}

/** Throws when a string or list of `length` items is past MAX_SEQUENCE. */
export function checkSequence(op: string, length: number, what: 'string' | 'list'): void {
  if (!(length <= MAX_SEQUENCE)) {
    throw new NablaError(
      `${op}: the ${what} would have ${fmt(length)} ${what === 'string' ? 'characters' : 'items'}, past the limit of ${fmt(MAX_SEQUENCE)} (2^26)`,
      op,
      'ValueError',
    );
  }
}
