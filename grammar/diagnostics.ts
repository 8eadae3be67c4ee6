// What the grammar tells a user about their source, and how it is printed: `file:line:col`,
// the line, a caret, one plain sentence (ARCHITECTURE.md principle 5).
import type { Span } from "./ast";
import { LineIndex } from "./positions";

export type Severity = "error" | "warning";

export interface Diagnostic {
  message: string;
  span: Span;
  severity: Severity;
}

/**
 * Renders one diagnostic:
 * ```
 * cell.nabla:3:7: error: expected an expression after '+'
 *   y = x +
 *         ^
 * ```
 */
export function renderDiagnostic(d: Diagnostic, source: string, file = "<input>"): string {
  const { line, col, offset } = d.span.start;
  const lines = linesOf(source);
  const whole = lines.lineText(line);
  // A very long line is shown around the caret: a large source with many errors on one line
  // would otherwise print (and scan) the whole line for each.
  const lineStart = lines.lineStart(line);
  let from = 0;
  let to = whole.length;
  if (whole.length > LONG_LINE) {
    const at = Math.max(0, offset - lineStart);
    from = Math.max(0, at - SHOWN_AROUND);
    to = Math.min(whole.length, at + SHOWN_AROUND);
    if (isLowSurrogate(whole.charCodeAt(from))) from--;
    if (isLowSurrogate(whole.charCodeAt(to))) to++;
  }
  const shown = (from > 0 ? "…" : "") + whole.slice(from, to) + (to < whole.length ? "…" : "");
  const before = (from > 0 ? "…" : "") + whole.slice(from, Math.max(from, offset - lineStart));
  // Copy tabs from the source line so the caret lines up however wide a tab is shown.
  const pad = Array.from(before)
    .map((ch) => (ch === "\t" ? "\t" : " "))
    .join("");
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}\n  ${shown}\n  ${pad}^`;
}

/** Lines longer than this (UTF-16 units) are shown SHOWN_AROUND units either side of the caret. */
const LONG_LINE = 1000;
const SHOWN_AROUND = 120;

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

// The line index of the source rendered last: rendering each diagnostic of a large source
// must not split the whole source again.
let lastLines: LineIndex | undefined;
function linesOf(source: string): LineIndex {
  if (lastLines?.source !== source) lastLines = new LineIndex(source);
  return lastLines;
}

/** All diagnostics of one source, in order, separated by newlines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string, file = "<input>"): string {
  return ds.map((d) => renderDiagnostic(d, source, file)).join("\n");
}
