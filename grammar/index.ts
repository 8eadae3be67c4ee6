// The grammar's public face: text in, AST and diagnostics out. Knows no tensors.
import { EOF, type IRecognitionException } from "chevrotain";
import type { Program } from "./ast";
import type { Diagnostic } from "./diagnostics";
import { lex, type Lexed } from "./lex";
import { syntaxDiagnostic } from "./messages";
import { nablaParser } from "./parser";
import { LineIndex } from "./positions";

export type * from "./ast";
export { renderDiagnostic, renderDiagnostics, shaped, type Diagnostic, type Severity } from "./diagnostics";
export { CONTEXTUAL_KEYWORDS, GRAD_ALIASES, KEYWORDS, OPERATORS } from "./tokens";

export interface ParseResult {
  /** The AST. With syntax errors it is partial: a broken statement is left out, and a
   * Missing node stands where an expression inside brackets was lost. Null only when the
   * input could not be parsed at all (nesting deeper than the JavaScript stack allows). */
  program: Program | null;
  /** Lexical and syntax errors in source order, the first of each line. */
  diagnostics: Diagnostic[];
}

/** Parses Nabla source. Never throws: every problem is a diagnostic with a position. */
export function parse(source: string, file = "<input>"): ParseResult {
  const { program, diagnostics } = analyze(source, file);
  return { program, diagnostics };
}

export type Completeness = "complete" | "incomplete" | "invalid";

/**
 * For Jupyter's is_complete_request: "incomplete" when the input only stops early (an open
 * bracket, block or string at the very end), with two spaces of indent per open block;
 * "invalid" for any other error; "complete" when it parses.
 */
export function isComplete(source: string): { status: Completeness; indent: string } {
  const { diagnostics, lexed, syntaxErrors, ruleErrors } = analyze(source, "<input>");
  if (diagnostics.length === 0 || lexed === undefined) {
    return { status: diagnostics.length === 0 ? "complete" : "invalid", indent: "" };
  }
  const opensAtEnd = lexed.openBrackets > 0 || lexed.endsInOpenString;
  const onlyOpenString = lexed.diagnostics.length <= (lexed.endsInOpenString ? 1 : 0);
  const errorsAtEnd = syntaxErrors.every((e) => e.token.tokenType === EOF);
  if (opensAtEnd && onlyOpenString && errorsAtEnd && ruleErrors === 0) {
    return { status: "incomplete", indent: "  ".repeat(lexed.openBlocks) };
  }
  return { status: "invalid", indent: "" };
}

interface Analysis extends ParseResult {
  lexed?: Lexed;
  syntaxErrors: IRecognitionException[];
  /** Errors beyond syntax (bad targets, repeated names): the input is not merely unfinished. */
  ruleErrors: number;
}

function analyze(source: string, file: string): Analysis {
  const lines = new LineIndex(source);
  try {
    const lexed = lex(source, lines);
    const parsed = nablaParser().parseProgram(lexed.tokens, lines);
    const syntax = parsed.syntaxErrors.map((e) => syntaxDiagnostic(e, lexed.tokens, lines));
    const program: Program = { kind: "Program", file, body: parsed.body, span: lines.span(0, source.length) };
    const diagnostics = inSourceOrder([...lexed.diagnostics, ...syntax, ...parsed.diagnostics]);
    const ruleErrors = parsed.diagnostics.length;
    return { program, diagnostics, lexed, syntaxErrors: parsed.syntaxErrors, ruleErrors };
  } catch (e) {
    // The parser recurses once per nesting level, so a stack overflow is
    // the one failure an input can cause. Anything else is a bug, reported, not thrown.
    const message =
      e instanceof RangeError
        ? "this code is nested too deeply to parse: split it into smaller pieces"
        : `internal error in the parser: ${e instanceof Error ? e.message : String(e)}`;
    const diagnostics: Diagnostic[] = [{ message, span: lines.span(0, 0), severity: "error" }];
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
