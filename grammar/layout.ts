// The layout pass: decides which newlines end statements. LANGUAGE.md: "Newlines inside
// `()`, `[]` and map literals `{k: v}` do not end a statement". Doing this on the token
// vector keeps the grammar free of optional-newline clutter in every bracketed rule.
//
// `{` opens a block or a map. It opens a BLOCK when the token before it can end an
// expression or is `else` (`if c {`, `fn f(x) {`, `else {`, `as t {`, `no_grad {`), and a
// MAP otherwise (`x = {`, `f({`, `[{`, and at the start of a statement). So a block's `{`
// must stay on the line of its header, as in Go. A block's `{` becomes a BlockOpen token,
// so the parser follows this decision instead of making its own.
import type { IToken, TokenType } from 'chevrotain';
import * as T from './tokens';

type Opener = 'paren' | 'bracket' | 'map' | 'block';

export interface Layout {
  /** The tokens the parser reads: insignificant newlines removed. */
  tokens: IToken[];
  /** Blocks still open at the end of the input (for isComplete's indent). */
  openBlocks: number;
  /** Brackets of any kind still open at the end of the input. */
  openBrackets: number;
}

const endsExpression = new Set<TokenType>([
  T.Identifier,
  T.Nabla,
  T.NoGrad,
  T.DetectAnomaly,
  T.Time,
  T.NumberLiteral,
  T.ImagLiteral,
  T.StringLiteral,
  T.UnterminatedString,
  T.True,
  T.False,
  T.None,
  T.RParen,
  T.RBracket,
  T.RCurly,
  T.Apostrophe,
  T.Else,
]);

export function layout(raw: readonly IToken[]): Layout {
  const pass = new LayoutPass();
  for (const tok of raw) pass.push(tok);
  return { tokens: pass.tokens, openBlocks: pass.openBlocks(), openBrackets: pass.openBrackets() };
}

/**
 * The layout pass, one token at a time, so that a large source can be laid out (and parsed)
 * a piece at a time: `tokens` holds what was laid out since the last `take()`.
 */
export class LayoutPass {
  /** Laid-out tokens not yet taken. */
  tokens: IToken[] = [];
  private readonly stack: Opener[] = [];
  private prev: IToken | undefined;
  /** The top-level line in progress (or, after its newline, the line just ended) holds an `@`. */
  private lineHasAt = false;

  push(tok: IToken): void {
    const type = tok.tokenType;
    const tokens = this.tokens;
    const stack = this.stack;

    if (type === T.Newline) {
      const top = stack[stack.length - 1];
      const insideBrackets = top !== undefined && top !== 'block';
      // Leading and repeated newlines carry nothing; dropping them keeps the vector short.
      const redundant = tokens.length === 0 || tokens[tokens.length - 1].tokenType === T.Newline;
      if (!insideBrackets && !redundant) tokens.push(tok);
      return;
    }

    if (type === T.Else && this.prev?.tokenType === T.RCurly) {
      // `}` newline `else {`: the newline does not end the if statement.
      while (tokens.length > 0 && tokens[tokens.length - 1].tokenType === T.Newline) tokens.pop();
    } else if (type === T.LParen) {
      stack.push('paren');
    } else if (type === T.LBracket) {
      stack.push('bracket');
    } else if (type === T.LCurly) {
      // A kept newline before `{` makes it a map: `{` at a statement start is a map literal.
      const before = tokens[tokens.length - 1];
      if (before !== undefined && endsExpression.has(before.tokenType)) {
        tok.tokenType = T.BlockOpen;
        tok.tokenTypeIdx = T.BlockOpen.tokenTypeIdx as number;
        stack.push('block');
      } else {
        stack.push('map');
      }
    } else if (type === T.RParen) {
      close(stack, (o) => o === 'paren');
    } else if (type === T.RBracket) {
      close(stack, (o) => o === 'bracket');
    } else if (type === T.RCurly) {
      close(stack, (o) => o === 'map' || o === 'block');
    }
    if (tokens.length === 0 || tokens[tokens.length - 1].tokenType === T.Newline) this.lineHasAt = false;
    if (type === T.At) this.lineHasAt = true;
    tokens.push(tok);
    this.prev = tok;
  }

  /**
   * Whether the tokens laid out so far are whole top-level statements that `next` cannot
   * continue, so they can be parsed on their own: the last is a newline outside every
   * bracket and block, `next` is not the `else` of an `if` on the lines before, and the line
   * that newline ended holds no `@` (a decorator belongs to the `fn` below it, and error
   * recovery may take a stray `@` for one).
   */
  endsStatementsBefore(next: IToken): boolean {
    const last = this.tokens[this.tokens.length - 1];
    return (
      this.stack.length === 0 &&
      last !== undefined &&
      last.tokenType === T.Newline &&
      next.tokenType !== T.Newline &&
      next.tokenType !== T.Else &&
      !this.lineHasAt
    );
  }

  /** Hands over the tokens laid out so far and starts a new vector. */
  take(): IToken[] {
    const taken = this.tokens;
    this.tokens = [];
    return taken;
  }

  /** Blocks still open. */
  openBlocks(): number {
    return this.stack.filter((o) => o === 'block').length;
  }

  /** Brackets of any kind still open. */
  openBrackets(): number {
    return this.stack.length;
  }
}

/** Pops up to and including the innermost matching opener; a stray closer pops nothing. */
function close(stack: Opener[], matches: (o: Opener) => boolean): void {
  for (let at = stack.length - 1; at >= 0; at--) {
    if (matches(stack[at])) {
      stack.length = at;
      return;
    }
  }
}
