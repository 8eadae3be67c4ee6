// What the grammar tells a user about their source, and how it is printed: `file:line:col`,
// the line, a caret, one plain sentence (ARCHITECTURE.md principle 5).
import type { Span } from './ast';
import { excerpt, type Diagnostic as Shaped } from '../diagnostic';

export type Severity = 'error' | 'warning';

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
export function renderDiagnostic(d: Diagnostic, source: string, file = '<input>'): string {
  const { line, col } = d.span.start;
  return `${file}:${line}:${col}: ${d.severity}: ${d.message}${excerpt(source, line, col)}`;
}

/** A grammar diagnostic in the project's one error shape (../diagnostic), found in `file`. */
export function shaped(d: Diagnostic, file: string): Shaped {
  const { start, end } = d.span;
  return {
    kind: 'SyntaxError',
    message: d.message,
    places: [{ file, line: start.line, col: start.col, endLine: end.line, endCol: end.col, label: '' }],
    notes: [],
    severity: d.severity,
  };
}

/** All diagnostics of one source, in order, separated by newlines. */
export function renderDiagnostics(ds: readonly Diagnostic[], source: string, file = '<input>'): string {
  return ds.map((d) => renderDiagnostic(d, source, file)).join('\n');
}
