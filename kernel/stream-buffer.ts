// Shared by the ZMQ kernel (handler.ts) and the JupyterLite kernel (lite/src/kernel.ts): imports nothing, so
// it runs in Node and in a page alike.
type Content = Record<string, unknown>;

/**
 * Coalesces stream text: a loop printing thousands of short lines sends a few messages, not thousands, yet
 * a line printed before a long computation goes out within `flushMs`. Text of one stream is never reordered
 * against displays (every display flushes first).
 */
export class StreamBuffer {
  private name: 'stdout' | 'stderr' | null = null;
  private text = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly publish: (msgType: string, content: Content) => void,
    private readonly flushMs: number,
  ) {}

  write(name: 'stdout' | 'stderr', text: string): void {
    if (this.closed || !text) return;
    if (this.name !== name) this.flush();
    this.name = name;
    this.text += text;
    if (this.text.length >= 1 << 16) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.name && this.text) this.publish('stream', { name: this.name, text: this.text });
    this.text = '';
    this.name = null;
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
