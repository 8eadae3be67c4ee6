/**
 * input() across threads, the same in the Jupyter kernel (Node worker_threads) and the browser (the session
 * worker): one SharedArrayBuffer holds Int32 [state: 0 waiting, 1 answered, 2 declined; byte length], then the
 * answer's UTF-8 bytes. The interpreter's thread blocks reading it; the front end's thread writes it.
 */
const HEADER_BYTES = 8;

export const stdinBuffer = (capacityBytes: number) => new SharedArrayBuffer(HEADER_BYTES + capacityBytes);

/**
 * Asks (ask() posts the prompt) and blocks until the answer is written, in short waits so that
 * whileWaiting() can stop it (an interrupt). The answer's text, or null when the front end declined.
 */
export function readStdin(buf: SharedArrayBuffer, ask: () => void, whileWaiting: () => void): string | null {
  const state = new Int32Array(buf, 0, 2);
  Atomics.store(state, 0, 0);
  ask();
  while (Atomics.load(state, 0) === 0) {
    Atomics.wait(state, 0, 0, 50);
    whileWaiting();
  }
  const answered = Atomics.load(state, 0) === 1;
  const length = Math.min(Atomics.load(state, 1), buf.byteLength - HEADER_BYTES);
  const text = answered ? new TextDecoder().decode(new Uint8Array(buf, HEADER_BYTES, length).slice()) : null;
  Atomics.store(state, 0, 0);
  return text;
}

/** Writes the answer (code 1, its UTF-8 cut to the buffer's capacity) or declines (code 2), and wakes the reader. */
export function writeStdin(buf: SharedArrayBuffer, code: 1 | 2, text = ''): void {
  const state = new Int32Array(buf, 0, 2);
  // encoded into a plain array first: browsers refuse TextEncoder.encodeInto into shared memory
  const bytes = new TextEncoder().encode(text).subarray(0, buf.byteLength - HEADER_BYTES);
  new Uint8Array(buf, HEADER_BYTES).set(bytes);
  Atomics.store(state, 1, bytes.length);
  Atomics.store(state, 0, code);
  Atomics.notify(state, 0);
}
