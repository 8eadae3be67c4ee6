// Nabla's Monarch tokenizer for Monaco, GENERATED at load time from grammar/'s token list
// (ARCHITECTURE.md, "grammar/": the lexer is the one list of tokens). Nothing here names a
// keyword or an operator: a keyword added to grammar/tokens.ts is highlighted with no edit here,
// and test/web/playground.test.ts checks Monaco's tokens against the grammar's own lexer.
import type { languages } from 'monaco-editor/editor';
import { CONTEXTUAL_KEYWORDS, GRAD_ALIASES, KEYWORDS, OPERATORS } from '../../grammar';
import { Comment, ImagLiteral, NumberLiteral, StringLiteral, UnterminatedString } from '../../grammar/tokens';

export const LANGUAGE_ID = 'nabla';

/** Brackets that Monaco matches and colours as pairs; the grammar's OPERATORS holds them all. */
const BRACKET_PAIRS: [string, string][] = [
  ['(', ')'],
  ['[', ']'],
  ['{', '}'],
];
const DELIMITERS = new Set([',', ';', ':', '.']);

/** Escapes a literal for a RegExp compiled with the `u` flag (which rejects needless escapes such as `\-`). */
function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A RegExp source for Monarch: `@word` there names an attribute, so a literal `@` is written `@@`. */
function monarchSource(source: string): string {
  return source.replace(/@/g, '@@');
}

function tokenPattern(tok: { PATTERN?: unknown }): string {
  const p = tok.PATTERN;
  if (!(p instanceof RegExp)) throw new Error('a literal token of grammar/tokens.ts has no RegExp pattern');
  return monarchSource(p.source);
}

/**
 * The identifier pattern of grammar/tokens.ts (`identifierRegex` there is private to the lexer's custom
 * matcher): Unicode letters, marks and digits. The browser test compares Monaco's tokens with the lexer's.
 */
const IDENTIFIER = String.raw`[\p{L}_][\p{L}\p{M}\p{N}_]*`;

export interface MonarchOptions {
  /** Names of the builtin table, highlighted as `predefined` (a function of the language, not a keyword). */
  builtins?: readonly string[];
}

/** Token classes, as Monaco's themes know them (`keyword`, `number`, `operator` …; `.nabla` is appended). */
export type TokenClass =
  'keyword' | 'number' | 'string' | 'comment' | 'operator' | 'delimiter' | 'identifier' | 'predefined' | 'invalid';

export function monarchLanguage(opts: MonarchOptions = {}): languages.IMonarchLanguage {
  const contextual = new Set(CONTEXTUAL_KEYWORDS);
  const reserved = KEYWORDS.filter((k) => !contextual.has(k));
  const bracketChars = new Set(BRACKET_PAIRS.flat());
  // Longest first: Monarch takes the first alternative that matches, not the longest (as Chevrotain does).
  const byLength = (a: string, b: string) => b.length - a.length;
  const operators = OPERATORS.filter((o) => !bracketChars.has(o) && !DELIMITERS.has(o)).sort(byLength);
  const delimiters = OPERATORS.filter((o) => DELIMITERS.has(o)).sort(byLength);
  const brackets = OPERATORS.filter((o) => bracketChars.has(o));
  const alt = (xs: readonly string[]) => monarchSource(xs.map(literal).join('|'));

  return {
    defaultToken: 'invalid',
    tokenPostfix: `.${LANGUAGE_ID}`,
    unicode: true,
    keywords: reserved,
    builtins: [...(opts.builtins ?? []), ...GRAD_ALIASES],
    brackets: BRACKET_PAIRS.map(([open, close]) => ({ open, close, token: 'delimiter.bracket' })),
    tokenizer: {
      root: [
        [/[ \t\f\v\u00a0\ufeff]+/, 'white'],
        [new RegExp(tokenPattern(Comment)), 'comment'],
        [new RegExp(tokenPattern(ImagLiteral)), 'number.imag'],
        [new RegExp(tokenPattern(NumberLiteral)), 'number'],
        [new RegExp(tokenPattern(StringLiteral)), 'string'],
        [new RegExp(tokenPattern(UnterminatedString)), 'string.invalid'],
        // A contextual keyword (`no_grad`, `time` …) is a keyword only before a block's `{`; elsewhere a name.
        [new RegExp(`(?:${alt(CONTEXTUAL_KEYWORDS)})(?![\\p{L}\\p{M}\\p{N}_])(?=\\s*\\{)`), 'keyword'],
        [
          new RegExp(IDENTIFIER),
          { cases: { '@keywords': 'keyword', '@builtins': 'predefined', '@default': 'identifier' } },
        ],
        [new RegExp(alt(GRAD_ALIASES)), 'predefined'],
        [new RegExp(alt(brackets)), '@brackets'],
        [new RegExp(alt(operators)), 'operator'],
        [new RegExp(alt(delimiters)), 'delimiter'],
      ],
    },
  } as languages.IMonarchLanguage;
}

/** Comments, brackets and auto-closing pairs for the editor, from the same token list. */
export function languageConfiguration(): languages.LanguageConfiguration {
  const pairs = BRACKET_PAIRS.filter(([o, c]) => OPERATORS.includes(o) && OPERATORS.includes(c));
  return {
    comments: { lineComment: '#' },
    brackets: pairs,
    autoClosingPairs: [
      ...pairs.map(([open, close]) => ({ open, close })),
      { open: '"', close: '"', notIn: ['string', 'comment'] },
    ],
    surroundingPairs: [...pairs.map(([open, close]) => ({ open, close })), { open: '"', close: '"' }],
    wordPattern: /[\p{L}_][\p{L}\p{M}\p{N}_]*|-?\d*\.\d\w*|-?\d+/u,
    indentationRules: { increaseIndentPattern: /\{[^}"]*$/, decreaseIndentPattern: /^\s*\}/ },
  };
}
