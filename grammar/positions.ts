// Offsets to 1-based line and column. Columns count Unicode code points, not UTF-16
// units, because Jupyter's cursor positions do (ARCHITECTURE.md, protocol pitfalls) and a
// caret under `𝑥` must not drift; Chevrotain's own columns count UTF-16 units.
import type { Pos, Span } from './ast';

/** A power of two. */
const RECENT_POSITIONS = 1024;

export class LineIndex {
  /** Offset (UTF-16 index) where each line starts; lineStarts[0] === 0. */
  private readonly lineStarts: number[] = [0];
  /** Lines that hold a surrogate pair, where the code-point column differs from the offset. */
  private readonly astralLines = new Set<number>();
  private lastLine = 0;
  /**
   * Positions handed out lately, by offset modulo the table's size. A node starts where its
   * first part starts and ends where its last part ends, so most offsets are asked for
   * several times in a row: sharing their Pos (which nobody mutates) keeps a large AST's
   * positions to about two per token.
   */
  private readonly recent: (Pos | undefined)[] = new Array(RECENT_POSITIONS);

  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
        this.lineStarts.push(i + 1);
      } else if (c >= 0xd800 && c <= 0xdbff) {
        this.astralLines.add(this.lineStarts.length - 1);
      }
    }
  }

  /** The position of a UTF-16 offset; offsets past the end clamp to the end of the source. */
  pos(offset: number): Pos {
    const at = Math.max(0, Math.min(offset, this.source.length));
    const slot = at & (RECENT_POSITIONS - 1);
    const seen = this.recent[slot];
    if (seen !== undefined && seen.offset === at) return seen;
    const line = this.lineOf(at);
    const start = this.lineStarts[line];
    const col = this.astralLines.has(line) ? codePointLength(this.source, start, at) + 1 : at - start + 1;
    const pos: Pos = { offset: at, line: line + 1, col };
    this.recent[slot] = pos;
    return pos;
  }

  /** A span from `start` (inclusive) to `end` (exclusive), both UTF-16 offsets. */
  span(start: number, end: number): Span {
    return { start: this.pos(start), end: this.pos(Math.max(start, end)) };
  }

  /** The offset where a 1-based line starts. */
  lineStart(line: number): number {
    return this.lineStarts[line - 1] ?? this.source.length;
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.source.length;
    let end = this.lineStarts[line] ?? this.source.length;
    while (end > start && (this.source[end - 1] === '\n' || this.source[end - 1] === '\r')) end--;
    return this.source.slice(start, end);
  }

  private lineOf(offset: number): number {
    // Spans are asked for roughly in source order: try the last answer before searching.
    const last = this.lastLine;
    if (this.lineStarts[last] <= offset && (last + 1 >= this.lineStarts.length || offset < this.lineStarts[last + 1])) {
      return last;
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return lo;
  }
}

function codePointLength(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const prev = i > from ? text.charCodeAt(i - 1) : 0;
    // A low surrogate after a high one continues the code point the high one started.
    if (!(c >= 0xdc00 && c <= 0xdfff && prev >= 0xd800 && prev <= 0xdbff)) n++;
  }
  return n;
}

/** The smallest span covering both (error recovery can leave a part before its parent's start). */
export function joinSpans(a: Span, b: Span): Span {
  return {
    start: b.start.offset < a.start.offset ? b.start : a.start,
    end: b.end.offset > a.end.offset ? b.end : a.end,
  };
}
