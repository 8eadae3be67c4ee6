// Visits every AST node, for tests that check a property of all of them (spans).
import type { Span } from '../../grammar/index';

export interface Spanned {
  kind: string;
  span: Span;
}

/** Every object with a `kind` inside `root`, root included. */
export function allNodes(root: unknown): Spanned[] {
  const out: Spanned[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v !== null && typeof v === 'object') {
      if ('kind' in v) out.push(v as Spanned);
      for (const [k, child] of Object.entries(v)) if (k !== 'span' && k !== 'nameSpan') stack.push(child);
    }
  }
  return out;
}

/** Why a span is malformed for `source`, or null when it is sound. */
export function spanProblem(span: Span | undefined, source: string): string | null {
  if (span === undefined) return 'no span';
  const { start, end } = span;
  for (const p of [start, end]) {
    if (!Number.isInteger(p.offset) || !Number.isInteger(p.line) || !Number.isInteger(p.col)) return 'not integers';
    if (p.offset < 0 || p.offset > source.length || p.line < 1 || p.col < 1) return 'out of range';
  }
  if (end.offset < start.offset) return 'ends before it starts';
  return null;
}
