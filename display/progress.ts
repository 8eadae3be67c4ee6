import type { DisplaySink, MimeBundle } from './bundle';
import { escapeHtml } from './html';

/**
 * `for i in progress(range(n)) { }`: an iterable that shows a bar and updates it in place. The first display
 * names itself with a display id; later ones are updates of that id (Jupyter's update_display_data), sent at
 * most every `minIntervalMs` so a fast loop does not flood the front end, and always once at the end.
 */
export interface ProgressOptions {
  /** Number of items when the iterable cannot say (a generator); the bar then shows a count only. */
  total?: number | null;
  label?: string | null;
  minIntervalMs?: number;
  /** Clock in milliseconds; tests pass a fake one. */
  now?: () => number;
}

let nextId = 0;

export class Progress<T> implements Iterable<T> {
  readonly displayId = `nabla-progress-${Math.random().toString(36).slice(2, 10)}-${++nextId}`;
  private readonly total: number | null;
  private readonly label: string;
  private readonly minInterval: number;
  private readonly now: () => number;

  constructor(
    private readonly items: Iterable<T>,
    private readonly sink: DisplaySink,
    opts: ProgressOptions = {},
  ) {
    this.total = opts.total ?? lengthOf(items);
    this.label = opts.label ?? '';
    this.minInterval = opts.minIntervalMs ?? 100;
    this.now = opts.now ?? (() => performance.now());
  }

  *[Symbol.iterator](): Iterator<T> {
    const start = this.now();
    let done = 0;
    let last = start;
    this.sink.display(progressBundle(0, this.total, 0, this.label), { displayId: this.displayId });
    let finished = false;
    try {
      for (const item of this.items) {
        yield item;
        done++;
        const t = this.now();
        if (t - last >= this.minInterval) {
          last = t;
          this.sink.display(progressBundle(done, this.total, t - start, this.label), {
            displayId: this.displayId,
            update: true,
          });
        }
      }
      finished = true;
    } finally {
      // also on break, an error or an interrupt: the bar shows where the loop stopped
      const label = finished ? this.label : this.label ? `${this.label} (stopped)` : '(stopped)';
      this.sink.display(progressBundle(done, this.total, this.now() - start, label), {
        displayId: this.displayId,
        update: true,
        final: true,
      });
    }
  }
}

function lengthOf(items: unknown): number | null {
  if (Array.isArray(items)) return items.length;
  const n = (items as { length?: unknown; size?: unknown }).length ?? (items as { size?: unknown }).size;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

const WIDTH = 24;

/** The bar as text (a tqdm-like line) and as HTML (a native <progress> element). */
export function progressBundle(done: number, total: number | null, elapsedMs: number, label = ''): MimeBundle {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rateText = rate > 0 ? `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} it/s` : '? it/s';
  const prefix = label ? `${label} ` : '';
  if (total === null || total <= 0) {
    const text = `${prefix}${done} it [${clock(elapsedMs)}, ${rateText}]`;
    return { 'text/plain': text, 'text/html': `<div style="font-family:monospace">${escapeHtml(text)}</div>` };
  }
  const frac = Math.min(1, done / total);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const filled = Math.round(frac * WIDTH);
  const bar = '█'.repeat(filled) + ' '.repeat(WIDTH - filled);
  const eta = rate > 0 && done < total ? `<${clock(((total - done) / rate) * 1000)}` : '';
  const stats = `${done}/${total} [${clock(elapsedMs)}${eta}, ${rateText}]`;
  const html =
    `<div style="display:flex;align-items:center;gap:0.5em;font-family:monospace">` +
    (label ? `<span>${escapeHtml(label)}</span>` : '') +
    `<progress value="${done}" max="${total}" style="width:16em"></progress>` +
    `<span>${pct.trim()} ${escapeHtml(stats)}</span></div>`;
  return { 'text/plain': `${prefix}${pct} |${bar}| ${stats}`, 'text/html': html };
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}
