// The grammar's public face: text in, AST and diagnostics out. Knows no tensors.
import { EOF, type IRecognitionException } from 'chevrotain';
import type { Program, Stmt } from './ast';
import type { Diagnostic } from './diagnostics';
import { LayoutPass } from './layout';
import { lexPieces, type LexState } from './lex';
import { syntaxDiagnostic } from './messages';
import { nablaParser } from './parser';
import { LineIndex } from './positions';

export type * from './ast';
export { renderDiagnostic, renderDiagnostics, shaped, type Diagnostic, type Severity } from './diagnostics';
export { CONTEXTUAL_KEYWORDS, GRAD_ALIASES, KEYWORDS, OPERATORS } from './tokens';

export interface ParseResult {
  /** The AST. With syntax errors it is partial: a broken statement is left out, and a
   * Missing node stands where an expression inside brackets was lost. Null only when the
   * input could not be parsed at all (nesting deeper than the JavaScript stack allows). */
  program: Program | null;
  /** Lexical and syntax errors in source order, the first of each line. */
  diagnostics: Diagnostic[];
}

/**
 * Parses Nabla source. Never throws: every problem is a diagnostic with a position.
 * `batchTokens` is for tests: how many laid-out tokens are parsed at a time (see BATCH_TOKENS).
 */
export function parse(source: string, file = '<input>', batchTokens = BATCH_TOKENS): ParseResult {
  const body: Stmt[] = [];
  const { program, diagnostics } = analyze(
    source,
    file,
    (stmts) => {
      for (const stmt of stmts) body.push(stmt);
    },
    batchTokens,
  );
  return { program: program && { ...program, body }, diagnostics };
}

/**
 * Parses Nabla source a batch of top-level statements at a time and hands each batch to
 * `each`, in source order, keeping none: for tools that read a large source statement by
 * statement (`nabla check`), whose memory then does not grow with the source. The
 * diagnostics are those parse() gives; `nested` is true when the nesting was too deep to
 * parse (the statements handed over then stop short). It throws only what `each` throws.
 */
export function parseStatements(
  source: string,
  file: string,
  each: (stmts: readonly Stmt[]) => void,
  batchTokens = BATCH_TOKENS,
): { diagnostics: Diagnostic[]; nested: boolean } {
  const { program, diagnostics } = analyze(source, file, each, batchTokens);
  return { diagnostics, nested: program === null };
}

export type Completeness = 'complete' | 'incomplete' | 'invalid';

/**
 * For Jupyter's is_complete_request: "incomplete" when the input only stops early (an open
 * bracket, block or string at the very end), with two spaces of indent per open block;
 * "invalid" for any other error; "complete" when it parses.
 */
export function isComplete(source: string): { status: Completeness; indent: string } {
  const { diagnostics, lexed, syntaxErrors, ruleErrors } = analyze(source, '<input>', () => {});
  if (diagnostics.length === 0 || lexed === undefined) {
    return { status: diagnostics.length === 0 ? 'complete' : 'invalid', indent: '' };
  }
  const opensAtEnd = lexed.openBrackets > 0 || lexed.endsInOpenString;
  const onlyOpenString = lexed.diagnostics.length <= (lexed.endsInOpenString ? 1 : 0);
  const errorsAtEnd = syntaxErrors.every((e) => e.token.tokenType === EOF);
  if (opensAtEnd && onlyOpenString && errorsAtEnd && ruleErrors === 0) {
    return { status: 'incomplete', indent: '  '.repeat(lexed.openBlocks) };
  }
  return { status: 'invalid', indent: '' };
}

interface Analysis extends ParseResult {
  lexed?: LexState & { openBlocks: number; openBrackets: number };
  syntaxErrors: IRecognitionException[];
  /** Errors beyond syntax (bad targets, repeated names): the input is not merely unfinished. */
  ruleErrors: number;
}

/**
 * Laid-out tokens are parsed in batches of about this many, cut where whole top-level
 * statements end, so that a large source never has all of its tokens alive at once: memory
 * grows with the AST alone. A cell or a file of ordinary size is one batch.
 */
const BATCH_TOKENS = 20_000;

/** Lexes, lays out and parses; the statements go to `each`, batch by batch (the Program returned has none). */
function analyze(
  source: string,
  file: string,
  each: (stmts: readonly Stmt[]) => void,
  batchTokens = BATCH_TOKENS,
): Analysis {
  const lines = new LineIndex(source);
  const lexState: LexState = { diagnostics: [], endsInOpenString: false };
  const pass = new LayoutPass();
  const parser = nablaParser();
  const syntaxErrors: IRecognitionException[] = [];
  const syntax: Diagnostic[] = [];
  const ruleDiagnostics: Diagnostic[] = [];
  let parsing = false;
  // What the receiver of the statements throws is its own, not the parser's.
  let handing = false;

  const parseBatch = () => {
    const tokens = pass.take();
    parsing = true;
    const parsed = parser.parseProgram(tokens, lines);
    parsing = false;
    // A top-level rule that cannot recover returns nothing.
    handing = true;
    each(parsed.body ?? []);
    handing = false;
    for (const e of parsed.syntaxErrors) {
      syntaxErrors.push(e);
      syntax.push(syntaxDiagnostic(e, tokens, lines));
    }
    for (const d of parsed.diagnostics) ruleDiagnostics.push(d);
  };

  try {
    lexPieces(source, lines, lexState, (raw) => {
      for (const tok of raw) {
        if (pass.tokens.length >= batchTokens && pass.endsStatementsBefore(tok)) parseBatch();
        pass.push(tok);
      }
    });
    parseBatch();
    const program: Program = { kind: 'Program', file, body: [], span: lines.span(0, source.length) };
    const diagnostics = inSourceOrder([...lexState.diagnostics, ...syntax, ...ruleDiagnostics]);
    const lexed = { ...lexState, openBlocks: pass.openBlocks(), openBrackets: pass.openBrackets() };
    return { program, diagnostics, lexed, syntaxErrors, ruleErrors: ruleDiagnostics.length };
  } catch (e) {
    if (handing) throw e;
    // The parser recurses once per nesting level, so a stack overflow is the one failure an
    // input can cause: it is reported at the token the parser had reached, where the nesting
    // became too deep. Anything else is a bug, reported, not thrown.
    const overflow = e instanceof RangeError;
    const message = overflow
      ? 'this code is nested too deeply to parse: split it into smaller pieces'
      : `internal error in the parser: ${e instanceof Error ? e.message : String(e)}`;
    const reached = overflow && parsing ? parser.lastConsumed() : undefined;
    const at = reached === undefined || Number.isNaN(reached.startOffset) ? 0 : reached.startOffset;
    const span = lines.span(at, at + (reached === undefined ? 0 : reached.image.length));
    const diagnostics: Diagnostic[] = [{ message, span, severity: 'error' }];
    return { program: null, diagnostics, syntaxErrors: [], ruleErrors: 0 };
  }
}

/** Sorted by position, at most one per line: after a syntax error, error recovery often
 * finds more on the same line that are only echoes of the first (`x = [1 2 3]`). */
function inSourceOrder(ds: Diagnostic[]): Diagnostic[] {
  // Array.prototype.sort is stable, so diagnostics at one offset keep their order.
  const sorted = [...ds].sort((a, b) => a.span.start.offset - b.span.start.offset);
  return sorted.filter((d, k) => k === 0 || sorted[k - 1].span.start.line !== d.span.start.line);
}
