// Nabla highlighting for JupyterLab's CodeMirror 6: a stream language GENERATED from grammar/'s token list,
// as web/src/monarch.ts does for Monaco (nothing here names a keyword or an operator). Registered with
// IEditorLanguageRegistry as `text/x-nabla` by plugin.ts.
import { StreamLanguage, type StreamParser } from '@codemirror/language';
import { CONTEXTUAL_KEYWORDS, GRAD_ALIASES, KEYWORDS, OPERATORS } from '../../grammar';
import { Comment, ImagLiteral, NumberLiteral, StringLiteral, UnterminatedString } from '../../grammar/tokens';

export const NABLA_MIME = 'text/x-nabla';

function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A token's RegExp anchored at the stream's position (CodeMirror's stream.match wants a match at index 0). */
function anchored(tok: { PATTERN?: unknown }): RegExp {
  const p = tok.PATTERN;
  if (!(p instanceof RegExp)) throw new Error('a literal token of grammar/tokens.ts has no RegExp pattern');
  return new RegExp(`^(?:${p.source})`, p.flags.replace(/[gy]/g, ''));
}

/** grammar/tokens.ts's identifier (Unicode letters, marks, digits), as in web/src/monarch.ts. */
const IDENTIFIER = /^[\p{L}_][\p{L}\p{M}\p{N}_]*/u;

/**
 * The stream parser. `builtins` are the builtin table's names (the build passes them in: the page's bundle
 * does not carry the compiler), highlighted as standard names, not keywords.
 */
export function nablaStreamParser(builtins: readonly string[]): StreamParser<null> {
  const contextual = new Set<string>(CONTEXTUAL_KEYWORDS);
  const reserved = new Set(KEYWORDS.filter((k) => !contextual.has(k)));
  const predefined = new Set([...builtins, ...GRAD_ALIASES]);
  const byLength = (a: string, b: string) => b.length - a.length;
  const alt = (xs: readonly string[]) => new RegExp(`^(?:${[...xs].sort(byLength).map(literal).join('|')})`, 'u');
  const brackets = new Set(['(', ')', '[', ']', '{', '}']);
  const punctuation = new Set([',', ';', ':', '.']);
  const operators = alt(OPERATORS.filter((o) => !brackets.has(o) && !punctuation.has(o)));
  const graded = GRAD_ALIASES.length ? alt(GRAD_ALIASES) : null;
  const contextualBeforeBlock = new RegExp(
    `^(?:${[...CONTEXTUAL_KEYWORDS].map(literal).join('|')})(?![\\p{L}\\p{M}\\p{N}_])(?=\\s*\\{)`,
    'u',
  );
  const rules: [RegExp, string][] = [
    [anchored(Comment), 'comment'],
    [anchored(ImagLiteral), 'number'],
    [anchored(NumberLiteral), 'number'],
    [anchored(StringLiteral), 'string'],
    [anchored(UnterminatedString), 'string'],
    [contextualBeforeBlock, 'keyword'],
  ];
  return {
    name: 'nabla',
    token(stream) {
      if (stream.eatSpace()) return null;
      for (const [re, style] of rules) if (stream.match(re)) return style;
      const id = stream.match(IDENTIFIER) as RegExpMatchArray | null;
      if (id) return reserved.has(id[0]) ? 'keyword' : predefined.has(id[0]) ? 'builtin' : 'variableName';
      if (graded && stream.match(graded)) return 'builtin';
      const ch = stream.peek() ?? '';
      if (brackets.has(ch)) return (stream.next(), 'bracket');
      if (stream.match(operators)) return 'operator';
      if (punctuation.has(ch)) return (stream.next(), 'punctuation');
      stream.next();
      return 'invalid';
    },
    languageData: { commentTokens: { line: '#' }, closeBrackets: { brackets: ['(', '[', '{', '"'] } },
  };
}

export function nablaLanguage(builtins: readonly string[]): StreamLanguage<null> {
  return StreamLanguage.define(nablaStreamParser(builtins));
}
