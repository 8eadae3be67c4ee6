import type { HostArray } from './dtype';
import { checkAllocation, MAX_ELEMENTS } from './limits';

/**
 * Recycled float32 buffers for eager kernel results. A fresh Float32Array of 128 KiB or more costs the
 * process an mmap and a page fault per 4 KiB on first write (~25 µs for 1024 × 32 floats here, more than an
 * add on it in SIMD), and an eager training step makes a hundred of them. Backward hands back the gradients
 * it has consumed (runtime/grad-recycle.ts decides which are provably dead) and kernels that write every
 * element take their result from here (`takeFloat32`).
 *
 * A buffer enters only through `Storage.surrender`, which poisons its storage: a read of a released storage
 * is reported as a bug instead of returning another tensor's values.
 */
export const bufferPool = {
  /** off (NABLA_BUFFER_POOL=0): every result is a fresh array, nothing is recycled */
  enabled: typeof process === 'undefined' || process.env?.NABLA_BUFFER_POOL !== '0',
  /** smaller arrays cost no mmap: not worth keeping */
  minLength: 4096,
  /** at most this many idle buffers of one length, and this many bytes in all */
  maxPerLength: 32,
  maxBytes: 64 * 1024 * 1024,
};

const idle = new Map<number, Float32Array[]>();
let idleBytes = 0;

/** A float32 array of n elements whose values are NOT zeroed: only for a kernel that writes every element. */
export function takeFloat32(n: number): Float32Array {
  if (!(n <= MAX_ELEMENTS)) checkAllocation('allocate', [n]);
  const list = n >= bufferPool.minLength ? idle.get(n) : undefined;
  const b = list?.pop();
  if (b) {
    idleBytes -= b.byteLength;
    return b;
  }
  return fresh(n);
}

/**
 * A new array whose values are left as the allocator had them, where the platform can (Node's Buffer): a
 * zeroed one costs a calloc, and these are overwritten whole. The values are this process's own freed memory.
 */
const unsafeBytes: ((bytes: number) => Uint8Array) | null =
  typeof Buffer !== 'undefined' && typeof Buffer.allocUnsafeSlow === 'function' ? Buffer.allocUnsafeSlow : null;
function fresh(n: number): Float32Array {
  if (!unsafeBytes || n < bufferPool.minLength) return new Float32Array(n);
  const bytes = unsafeBytes(n * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n);
}

/** Whether `a` could be kept: float32, large enough, owning its whole ArrayBuffer (not a view or wasm memory). */
export function poolable(a: HostArray): a is Float32Array {
  return (
    bufferPool.enabled &&
    a instanceof Float32Array &&
    a.length >= bufferPool.minLength &&
    a.byteOffset === 0 &&
    a.buffer instanceof ArrayBuffer &&
    a.buffer.byteLength === a.byteLength
  );
}

/** Keeps a buffer that nothing references any more (Storage.surrender's result); drops it when the pool is full. */
export function give(a: Float32Array): void {
  const list = idle.get(a.length) ?? [];
  if (list.length >= bufferPool.maxPerLength || idleBytes + a.byteLength > bufferPool.maxBytes) return;
  list.push(a);
  idle.set(a.length, list);
  idleBytes += a.byteLength;
}

/** Idle buffers and their bytes (tests, memory reports). */
export function poolStats(): { buffers: number; bytes: number } {
  let buffers = 0;
  for (const l of idle.values()) buffers += l.length;
  return { buffers, bytes: idleBytes };
}

/** Drops every idle buffer. */
export function clearPool(): void {
  idle.clear();
  idleBytes = 0;
}
