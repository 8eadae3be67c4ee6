// Source text to tokens, with lexical diagnostics: Chevrotain's lexer, a piece of the source
// at a time, then the layout pass (layout.ts). Never throws.
//
// No token spans a line break (strings and comments end at the line's end), so the source can
// be lexed in pieces that end just after a "\n": a large source never has all of its tokens
// alive at once (grammar/index.ts parses the laid-out tokens as they come).
import type { IToken } from 'chevrotain';
import type { Diagnostic } from './diagnostics';
import { layout, type Layout } from './layout';
import type { LineIndex } from './positions';
import { nablaLexer, UnterminatedString } from './tokens';

/** Characters per piece: large enough that the lexer's per-call cost vanishes, small enough that a piece's tokens are a few MB. */
export const PIECE_CHARS = 1 << 16;

export interface LexState {
  diagnostics: Diagnostic[];
  /** The input ends inside a string (isComplete: keep reading). */
  endsInOpenString: boolean;
}

export interface Lexed extends Layout, LexState {
  comments: IToken[];
}

/** The whole source at once, with its comments (for tools and tests; parse() lexes in pieces). */
export function lex(source: string, lines: LineIndex): Lexed {
  const state: LexState = { diagnostics: [], endsInOpenString: false };
  const comments: IToken[] = [];
  const raw = lexPiece(source, 0, source.length, lines, state, comments);
  return { ...layout(raw), ...state, comments };
}

/**
 * Lexes the source piece by piece and hands each piece's tokens (offsets into the whole
 * source) to `each`, in order; lexical problems are added to `state.diagnostics`.
 */
export function lexPieces(
  source: string,
  lines: LineIndex,
  state: LexState,
  each: (tokens: IToken[]) => void,
  pieceChars = PIECE_CHARS,
): void {
  for (let from = 0; from < source.length;) {
    const newline = source.indexOf('\n', Math.min(from + pieceChars, source.length) - 1);
    const to = newline < 0 ? source.length : newline + 1;
    each(lexPiece(source, from, to, lines, state));
    from = to;
  }
}

function lexPiece(
  source: string,
  from: number,
  to: number,
  lines: LineIndex,
  state: LexState,
  comments?: IToken[],
): IToken[] {
  const result = nablaLexer.tokenize(from === 0 && to === source.length ? source : source.slice(from, to));
  for (const e of result.errors) {
    const at = e.offset + from;
    state.diagnostics.push({
      message: unexpectedCharacterMessage(String.fromCodePoint(source.codePointAt(at) ?? 0)),
      span: lines.span(at, at + e.length),
      severity: 'error',
    });
  }
  for (const tok of result.tokens) {
    if (from > 0) {
      tok.startOffset += from;
      if (tok.endOffset !== undefined) tok.endOffset += from;
    }
    if (tok.tokenType === UnterminatedString) {
      state.diagnostics.push({
        message: `this string is not closed: add '"' before the end of the line`,
        span: lines.span(tok.startOffset, tok.startOffset + tok.image.length),
        severity: 'error',
      });
      state.endsInOpenString = tok.startOffset + tok.image.length === source.length;
    }
  }
  if (comments) comments.push(...((result.groups.comments as IToken[] | undefined) ?? []));
  return result.tokens;
}

// Characters people bring from other languages get a pointer to Nabla's spelling.
const hints: Record<string, string> = {
  '!': "write 'not x' for negation and '!=' for not-equal",
  '&': "write 'and'",
  '|': "write 'or'",
  '`': 'strings use double quotes',
  '\\': 'a statement continues on the next line only inside brackets',
};

function unexpectedCharacterMessage(ch: string): string {
  const hint = hints[ch];
  return `unexpected character '${ch}'` + (hint ? `: ${hint}` : '');
}
