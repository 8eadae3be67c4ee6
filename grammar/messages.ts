// Plain-English syntax errors. Chevrotain's own messages list token names ("Expecting: one
// of these possible Token sequences: 1. [AdditiveOperator] …"); these say what is wrong in
// the user's words: "expected an expression after '+'", "expected '}' to close the block
// opened at 2:5", "unexpected ')'".
import {
  EOF,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type { Diagnostic } from './diagnostics';
import type { LineIndex } from './positions';
import * as T from './tokens';

/** Rules whose failure means "an expression was expected here". */
const expressionRules = new Set(['expression', 'operand', 'argument', 'indexItem', 'expressionList']);

/** Each closer, the openers it closes, and how an opener is named in a message. */
const closers: ReadonlyMap<TokenType, ReadonlyMap<TokenType, string>> = new Map([
  [T.RParen, new Map([[T.LParen, "'('"]])],
  [T.RBracket, new Map([[T.LBracket, "'['"]])],
  [
    T.RCurly,
    new Map([
      [T.BlockOpen, 'block'],
      [T.LCurly, 'map'],
    ]),
  ],
]);

/** Chevrotain's message provider, given the tokens and lines of the parse in progress. */
export class ParserMessages implements IParserErrorMessageProvider {
  tokens: IToken[] = [];
  lines: LineIndex | undefined;

  buildMismatchTokenMessage(o: { expected: TokenType; actual: IToken; previous: IToken; ruleName: string }): string {
    const { expected, actual, previous, ruleName } = o;
    const openers = closers.get(expected);
    if (openers !== undefined) {
      // In a statement list, `}` or the end of input was expected and something else came:
      // that something is the problem, not the missing brace.
      if (ruleName === 'block' && !isEnd(actual)) return unexpected(actual);
      // A closer is what is missing when the input ends, another closer comes, or the
      // next token is on a later line (newlines inside brackets were removed by layout).
      if (isEnd(actual) || closers.has(actual.tokenType) || this.onLaterLine(actual, previous)) {
        return `expected '${T.tokenImage(expected)}' to close the ${this.innermostOpen(openers, expected, actual)}`;
      }
      return `expected ',' or '${T.tokenImage(expected)}' before ${describe(actual)}`;
    }
    if (expected === EOF) return unexpected(actual);
    if (expected === T.Identifier) return `expected ${identifierRole(ruleName, previous)}, found ${describe(actual)}`;
    if (expected === T.BlockOpen) {
      const sameLine = actual.tokenType === T.Newline ? ": a block's '{' goes on the same line as its header" : '';
      return `expected '{' to start a block after ${describe(previous)}${sameLine}`;
    }
    if (expected === T.In) return `expected 'in' after the loop variable, found ${describe(actual)}`;
    if (expected === T.Colon) return `expected ':' after the map key, found ${describe(actual)}`;
    if (expected === T.Fn) return `expected 'fn' after the decorator, found ${describe(actual)}`;
    return `expected ${expectedName(expected)}, found ${describe(actual)}`;
  }

  buildNotAllInputParsedMessage(o: { firstRedundant: IToken }): string {
    return unexpected(o.firstRedundant);
  }

  buildNoViableAltMessage(o: { actual: IToken[]; previous: IToken; ruleName: string }): string {
    return this.noAlternative(o.actual[0] ?? o.previous, o.previous, o.ruleName);
  }

  buildEarlyExitMessage(o: { actual: IToken[]; previous: IToken; ruleName: string }): string {
    return this.noAlternative(o.actual[0] ?? o.previous, o.previous, o.ruleName);
  }

  private noAlternative(actual: IToken, previous: IToken, ruleName: string): string {
    if (ruleName === 'functionBody') {
      return `expected '= expression' or a '{' block after the parameters, found ${describe(actual)}`;
    }
    if (expressionRules.has(ruleName)) {
      if (actual.tokenType === T.Apostrophe) return `unexpected "'": strings use double quotes`;
      const after = previous !== undefined && !isStart(previous) ? ` after ${describe(previous)}` : '';
      return `expected an expression${after}` + (after ? '' : `, found ${describe(actual)}`);
    }
    return unexpected(actual);
  }

  private onLaterLine(tok: IToken, previous: IToken | undefined): boolean {
    if (this.lines === undefined || previous === undefined || Number.isNaN(previous.startOffset)) return false;
    return this.lines.pos(tok.startOffset).line > this.lines.pos(previous.startOffset).line;
  }

  /** "block opened at 2:5": the innermost opener of `closer` still open before `at`. */
  private innermostOpen(openers: ReadonlyMap<TokenType, string>, closer: TokenType, at: IToken): string {
    const limit = isEnd(at) ? Infinity : at.startOffset;
    const open: IToken[] = [];
    for (const tok of this.tokens) {
      if (tok.startOffset >= limit) break;
      if (openers.has(tok.tokenType)) open.push(tok);
      else if (tok.tokenType === closer) open.pop();
    }
    const tok = open[open.length - 1];
    const what = tok ? openers.get(tok.tokenType) : [...openers.values()][0];
    if (tok === undefined || this.lines === undefined) return `${what} opened earlier`;
    const { line, col } = this.lines.pos(tok.startOffset);
    return `${what} opened at ${line}:${col}`;
  }
}

/**
 * A syntax error as a Diagnostic. An error found at a newline or at the end of the input is
 * shown under the token before it, where the statement stopped short (the design's example:
 * `y = x +` with the caret under `+`).
 */
export function syntaxDiagnostic(e: IRecognitionException, tokens: IToken[], lines: LineIndex): Diagnostic {
  let tok: IToken | undefined = e.token;
  if (isEnd(tok) || tok.tokenType === T.Newline) tok = tokenBefore(tokens, tok) ?? tok;
  const start = Number.isNaN(tok.startOffset) ? lines.source.length : tok.startOffset;
  return { message: e.message, span: lines.span(start, start + (tok.image?.length ?? 0)), severity: 'error' };
}

/** The last token before `tok` that is not a newline. */
function tokenBefore(tokens: IToken[], tok: IToken): IToken | undefined {
  let lo = 0;
  let hi = tokens.length - 1;
  let at = isEnd(tok) ? tokens.length : 0;
  while (!isEnd(tok) && lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].startOffset < tok.startOffset) {
      at = mid + 1;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  while (at > 0 && tokens[at - 1].tokenType === T.Newline) at--;
  return tokens[at - 1];
}

function isEnd(tok: IToken | undefined): boolean {
  return tok === undefined || tok.tokenType === EOF;
}

/** Before the first token, or just after a statement end: there is nothing to be "after". */
function isStart(tok: IToken): boolean {
  return Number.isNaN(tok.startOffset) || tok.tokenType === T.Newline || tok.tokenType === T.Semicolon;
}

function unexpected(tok: IToken): string {
  if (tok.tokenType === T.Else) return "'else' must follow the '}' of an 'if' block";
  if (tok.tokenType === T.BlockOpen) {
    return "unexpected '{': a block follows 'if', 'for', 'while', 'fn', 'with' or a scope";
  }
  if (isEnd(tok)) return 'unexpected end of the input';
  return `unexpected ${describe(tok)}`;
}

function identifierRole(ruleName: string, previous: IToken | undefined): string {
  switch (ruleName) {
    case 'functionDefinition':
      return "the function's name after 'fn'";
    case 'forStatement':
      return 'a loop variable';
    case 'withStatement':
      return "a name after 'as'";
    case 'suffix':
      return "an attribute name after '.'";
    case 'parameter':
      return 'a parameter name';
    default:
      return previous ? `a name after ${describe(previous)}` : 'a name';
  }
}

/** How a token is named in a message. */
function describe(tok: IToken | undefined): string {
  if (isEnd(tok)) return 'the end of the input';
  const t = tok as IToken;
  if (t.tokenType === T.Newline) return 'the end of the line';
  const image = t.image.length > 24 ? `${t.image.slice(0, 21)}...` : t.image;
  return image.includes("'") && !image.includes('"') ? `"${image}"` : `'${image}'`;
}

function expectedName(type: TokenType): string {
  if (type === T.Identifier) return 'a name';
  if (type === T.StatementEnd) return "a newline or ';'";
  return `'${T.tokenImage(type)}'`;
}
