// The one list of Nabla's tokens. The lexer, the parser, the Monaco tokenizer and the
// completion lists all derive from this file (ARCHITECTURE.md, "grammar/"), so a keyword
// or operator is added here and nowhere else.
//
// Chevrotain picks the FIRST pattern that matches (not the longest), so longer operators
// come before their prefixes (`**` before `*`, `..` before `.`) and keywords carry
// `longer_alt: Identifier` so that `format` is not `for` + `mat`.
import { createToken, Lexer, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------------------

// Chevrotain rebuilds every RegExp pattern with only the `y`/`i` flags, which silently
// drops `u` and with it `\p{L}`; a custom pattern keeps Unicode letters.
const identifierRegex = /[\p{L}_][\p{L}\p{M}\p{N}_]*/uy;

// Chevrotain's first-char optimisation needs every possible start char. Code units above
// 255 are grouped in buckets of 256 (chevrotain/src/scan/lexer.ts, charCodeToOptimizedIndex),
// so one representative per bucket makes the identifier a candidate for any non-ASCII start
// (surrogate pairs included) while ASCII keeps its exact per-character table.
const identifierStartHint: number[] = [];
for (let c = 65; c <= 90; c++) identifierStartHint.push(c, c + 32); // A-Z a-z
identifierStartHint.push(95); // _
for (let c = 128; c < 256; c++) identifierStartHint.push(c);
for (let c = 256; c < 0x10000; c += 256) identifierStartHint.push(c);

export const Identifier = createToken({
  name: 'Identifier',
  pattern: {
    exec: (text: string, offset: number) => {
      identifierRegex.lastIndex = offset;
      return identifierRegex.exec(text);
    },
  },
  line_breaks: false,
  start_chars_hint: identifierStartHint,
});

/** `∇` is another spelling of the identifier `grad` (LANGUAGE.md, Lexical). */
export const Nabla = createToken({ name: 'Nabla', pattern: /∇/, categories: [Identifier] });

// ---------------------------------------------------------------------------------------
// Keywords
// ---------------------------------------------------------------------------------------

const keywordTokens: TokenType[] = [];
/** Every infix operator of the flat `expression` rule; grammar/rules/precedence.ts ranks them. */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA });

function keyword(word: string, options: { contextual?: boolean; binary?: boolean } = {}): TokenType {
  const tok = createToken({
    name: word.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase()),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    // A contextual keyword is still an Identifier wherever a name is expected, so
    // `time = 3` and `no_grad(x)` keep working; only `time {` at a statement start is the
    // block form (the parser tells them apart with two tokens of lookahead).
    categories: options.contextual ? [Identifier] : options.binary ? [BinaryOperator] : [],
  });
  keywordTokens.push(tok);
  return tok;
}

export const Fn = keyword('fn');
export const If = keyword('if');
export const Else = keyword('else');
export const For = keyword('for');
export const In = keyword('in');
export const While = keyword('while');
export const Break = keyword('break');
export const Continue = keyword('continue');
export const Return = keyword('return');
export const With = keyword('with');
export const As = keyword('as');
export const Explain = keyword('explain');
export const And = keyword('and', { binary: true });
export const Or = keyword('or', { binary: true });
export const Not = keyword('not');
export const True = keyword('true');
export const False = keyword('false');
export const None = keyword('none');
export const NoGrad = keyword('no_grad', { contextual: true });
export const DetectAnomaly = keyword('detect_anomaly', { contextual: true });
export const Time = keyword('time', { contextual: true });

// ---------------------------------------------------------------------------------------
// Literals
// ---------------------------------------------------------------------------------------

const decimal = String.raw`(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?`;
// `2i` is imaginary; the look-ahead keeps `2in`/`2if` from lexing as `2i` + `n`.
export const ImagLiteral = createToken({
  name: 'ImagLiteral',
  pattern: new RegExp(decimal + String.raw`i(?![A-Za-z0-9_])`),
});
// A digit is required after `.` so that `0..n` lexes as `0` `..` `n`.
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: new RegExp(decimal) });

/** Category of both string tokens: the parser accepts either, the layout pass reports the open one. */
export const StringToken = createToken({ name: 'StringToken', pattern: Lexer.NA });
export const StringLiteral = createToken({
  name: 'StringLiteral',
  // unrolled (runs of plain characters, then one escape at a time): an alternation under `*` makes the
  // regexp engine recurse once per character, and a 10 MB literal overflowed its stack
  pattern: /"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"/,
  categories: [StringToken],
});
// A string still open at the end of its line. Lexing it as a token (instead of a lexer
// error) lets parsing go on and lets isComplete() answer "incomplete" for a cell that ends
// inside a string.
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*\\?/,
  categories: [StringToken],
});

// ---------------------------------------------------------------------------------------
// Operators and punctuation
// ---------------------------------------------------------------------------------------

function op(name: string, image: string, categories: TokenType[] = []): TokenType {
  const escaped = image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return createToken({ name, pattern: new RegExp(escaped), label: `'${image}'`, categories });
}

/** `=`, `+=` … : what may follow the left side of an assignment statement. */
export const AssignOperator = createToken({ name: 'AssignOperator', pattern: Lexer.NA });
const binaryCategory = (name: string) => createToken({ name, pattern: Lexer.NA, categories: [BinaryOperator] });
export const CompareOperator = binaryCategory('CompareOperator');
export const AdditiveOperator = binaryCategory('AdditiveOperator');
export const MultiplicativeOperator = binaryCategory('MultiplicativeOperator');
export const PowerOperator = createToken({ name: 'PowerOperator', pattern: Lexer.NA });

export const PlusAssign = op('PlusAssign', '+=', [AssignOperator]);
export const MinusAssign = op('MinusAssign', '-=', [AssignOperator]);
export const StarAssign = op('StarAssign', '*=', [AssignOperator]);
export const SlashAssign = op('SlashAssign', '/=', [AssignOperator]);
export const EqualEqual = op('EqualEqual', '==', [CompareOperator]);
export const NotEqual = op('NotEqual', '!=', [CompareOperator]);
export const LessEqual = op('LessEqual', '<=', [CompareOperator]);
export const GreaterEqual = op('GreaterEqual', '>=', [CompareOperator]);
export const Less = op('Less', '<', [CompareOperator]);
export const Greater = op('Greater', '>', [CompareOperator]);
export const Equals = op('Equals', '=', [AssignOperator]);
export const StarStar = op('StarStar', '**', [PowerOperator]);
export const Caret = op('Caret', '^', [PowerOperator]);
export const Plus = op('Plus', '+', [AdditiveOperator]);
export const Minus = op('Minus', '-', [AdditiveOperator]);
export const Star = op('Star', '*', [MultiplicativeOperator]);
export const Slash = op('Slash', '/', [MultiplicativeOperator]);
export const At = op('At', '@', [MultiplicativeOperator]);
export const Percent = op('Percent', '%', [MultiplicativeOperator]);
export const DotDot = op('DotDot', '..', [BinaryOperator]);
export const Dot = op('Dot', '.');
/** Postfix adjoint `W'`. Strings are double-quoted only, so `'` never opens one. */
export const Apostrophe = op('Apostrophe', "'");
export const Comma = op('Comma', ',');
export const Colon = op('Colon', ':');
export const LParen = op('LParen', '(');
export const RParen = op('RParen', ')');
export const LBracket = op('LBracket', '[');
export const RBracket = op('RBracket', ']');
/** `{` of a map literal. The lexer produces every `{` as LCurly; grammar/layout.ts retypes
 * those that open a block as BlockOpen, so the parser never has to guess. */
export const LCurly = op('LCurly', '{');
export const BlockOpen = createToken({ name: 'BlockOpen', pattern: Lexer.NA, label: "'{'" });
export const RCurly = op('RCurly', '}');

// ---------------------------------------------------------------------------------------
// Layout: statement ends, blanks, comments
// ---------------------------------------------------------------------------------------

/** A newline or `;`. The layout pass removes newlines inside `()`, `[]` and map `{}`. */
export const StatementEnd = createToken({ name: 'StatementEnd', pattern: Lexer.NA });
export const Newline = createToken({
  name: 'Newline',
  pattern: /\r\n?|\n/,
  line_breaks: true,
  label: 'a newline',
  categories: [StatementEnd],
});
export const Semicolon = op('Semicolon', ';', [StatementEnd]);
export const Whitespace = createToken({
  name: 'Whitespace',
  pattern: /[ \t\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
/** Kept in the `comments` group (not given to the parser) for formatters and tooltips. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });

// ---------------------------------------------------------------------------------------
// The vocabulary, in matching order
// ---------------------------------------------------------------------------------------

export const allTokens: TokenType[] = [
  Whitespace,
  Comment,
  Newline,
  Semicolon,
  ImagLiteral,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  ...keywordTokens,
  Nabla,
  Identifier,
  PlusAssign,
  MinusAssign,
  StarAssign,
  SlashAssign,
  EqualEqual,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  Equals,
  StarStar,
  Caret,
  Plus,
  Minus,
  Star,
  Slash,
  At,
  Percent,
  DotDot,
  Dot,
  Apostrophe,
  Comma,
  Colon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  // Never matched by the lexer: made by the layout pass, or categories.
  BlockOpen,
  StatementEnd,
  StringToken,
  AssignOperator,
  BinaryOperator,
  CompareOperator,
  AdditiveOperator,
  MultiplicativeOperator,
  PowerOperator,
];

/** Every keyword, reserved or contextual, as written in source (for highlighting and completion). */
export const KEYWORDS: readonly string[] = keywordTokens.map((t) => String((t.PATTERN as RegExp).source));

/** Keywords that are still valid names (`time = 3`); they are keywords only before `{`. */
export const CONTEXTUAL_KEYWORDS: readonly string[] = [NoGrad, DetectAnomaly, Time].map((t) =>
  String((t.PATTERN as RegExp).source),
);

/** Every operator and punctuation mark, as written in source (longest first where it matters). */
export const OPERATORS: readonly string[] = [
  ...new Set(
    allTokens
      .filter((t) => typeof t.LABEL === 'string' && t.LABEL.startsWith("'"))
      .map((t) => (t.LABEL as string).slice(1, -1)),
  ),
];

/** How a token type is written in source (`RCurly` → `}`, `Fn` → `fn`), else its name. */
export function tokenImage(type: TokenType): string {
  if (typeof type.LABEL === 'string' && type.LABEL.startsWith("'")) return type.LABEL.slice(1, -1);
  if (keywordTokens.includes(type)) return (type.PATTERN as RegExp).source;
  return type.name;
}

/** Spellings of the identifier `grad` (Nabla's `∇`). */
export const GRAD_ALIASES: readonly string[] = ['∇'];

// Built once per process: Chevrotain analyses the patterns in the constructor.
// Positions are offsets only; lines and code-point columns come from grammar/positions.ts,
// because Chevrotain counts columns in UTF-16 units.
export const nablaLexer = new Lexer(allTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});
