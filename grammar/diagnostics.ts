// What the grammar tells a user about their source, and how it is printed: `file:line:col`,
// the line, a caret, one plain sentence (ARCHITECTURE.md principle 5).
import type { Span } from "./ast";

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
  const { line, col } = d.span.start;
  const lineText = source.split(/\r\n|\r|\n/)[line - 1] ?? "";
  // Copy tabs from the source line so the caret lines up however wide a tab is shown.
  const pad = Array.from(lineText)
    .slice(0, col - 1)
    .map((ch) => (ch === "\t" ? "\t" : " "))
    .join("");
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}\n  ${lineText}\n  ${pad}^`;
}

/** All diagnostics of one source, in order, separated by newlines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string, file = "<input>"): string {
  return ds.map((d) => renderDiagnostic(d, source, file)).join("\n");
}
