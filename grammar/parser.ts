// The Nabla parser: built once per process (STYLE.md 10; Chevrotain analyses the grammar in
// the constructor, which costs tens of milliseconds, and parsing then reuses that analysis).
import { EOF, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Stmt } from './ast';
import type { Diagnostic } from './diagnostics';
import { ParserMessages } from './messages';
import type { LineIndex } from './positions';
import { StatementRules } from './rules/statements';
import * as T from './tokens';

export interface Parsed {
  body: Stmt[];
  /** Syntax errors, as Chevrotain reports them (messages from messages.ts). */
  syntaxErrors: IRecognitionException[];
  /** Errors the rules found beyond syntax. */
  diagnostics: Diagnostic[];
}

export class NablaParser extends StatementRules {
  constructor(readonly messages = new ParserMessages()) {
    super(T.allTokens, {
      recoveryEnabled: true,
      // Every decision needs at most two tokens (STYLE.md 10); Chevrotain rejects the grammar
      // at construction if a change makes one need more.
      maxLookahead: 2,
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
  }

  // Deleting a statement end or a `}` to recover would glue two statements together or
  // move a block's end, and the errors that follow would make no sense.
  override canTokenTypeBeDeletedInRecovery(tokType: TokenType): boolean {
    return tokType !== T.Newline && tokType !== T.Semicolon && tokType !== T.RCurly;
  }

  // Inventing `fn` after a decorator turns the next line into a function definition and
  // reports nonsense about it; resynchronising at the newline reports the decorator alone.
  override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return tokType !== T.Fn;
  }

  /** Parses a laid-out token vector. Errors are collected, never thrown. */
  parseProgram(tokens: IToken[], lines: LineIndex): Parsed {
    this.lines = lines;
    this.diagnostics = [];
    this.messages.tokens = tokens;
    this.messages.lines = lines;
    this.input = tokens;
    const body = this.program();
    return { body, syntaxErrors: this.errors, diagnostics: this.diagnostics };
  }

  /** The last token the parse in progress consumed (after a stack overflow: how far it got). */
  lastConsumed(): IToken | undefined {
    const tok = this.LA(0) as IToken | undefined;
    return tok === undefined || tok.tokenType === EOF ? undefined : tok;
  }
}

let instance: NablaParser | undefined;

/** The process-wide parser, built on first use. */
export function nablaParser(): NablaParser {
  instance ??= new NablaParser();
  return instance;
}
