// What grammar/'s own lexer says each token of a source is, in Monaco's token classes: the reference the
// browser test holds the generated Monarch tokenizer to.
import { readFileSync } from 'node:fs';
import type { IToken } from 'chevrotain';
import { CONTEXTUAL_KEYWORDS, KEYWORDS, OPERATORS } from '../../grammar';
import { nablaLexer } from '../../grammar/tokens';

export interface ExpectedToken {
  line: number; // 0-based
  col: number; // UTF-16 column, 0-based (Monaco's token offsets)
  text: string;
  cls: string;
}

const BRACKETS = new Set(['(', ')', '[', ']', '{', '}']);
const DELIMITERS = new Set([',', ';', ':', '.']);

export function expectedTokens(source: string, builtins: ReadonlySet<string>): ExpectedToken[] {
  const r = nablaLexer.tokenize(source);
  const tokens = [...r.tokens, ...((r.groups.comments as IToken[] | undefined) ?? [])].sort(
    (a, b) => a.startOffset - b.startOffset,
  );
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const where = (offset: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) line++;
    return { line, col: offset - lineStarts[line] };
  };
  const out: ExpectedToken[] = [];
  tokens.forEach((t, k) => {
    const name = t.tokenType.name;
    let cls: string | null;
    if (name === 'Newline') cls = null;
    else if (name === 'Comment') cls = 'comment';
    else if (name === 'NumberLiteral' || name === 'ImagLiteral') cls = 'number';
    else if (name === 'StringLiteral' || name === 'UnterminatedString') cls = 'string';
    else if (name === 'Nabla') cls = 'predefined';
    else if (name === 'Identifier') cls = builtins.has(t.image) ? 'predefined' : 'identifier';
    else if (KEYWORDS.includes(t.image) && !OPERATORS.includes(t.image)) {
      if (!CONTEXTUAL_KEYWORDS.includes(t.image)) cls = 'keyword';
      else {
        const next = tokens.slice(k + 1).find((n) => n.tokenType.name !== 'Comment');
        const between = next ? source.slice(t.startOffset + t.image.length, next.startOffset) : '\n';
        const block = next?.image === '{' && /^[ \t]*$/.test(between);
        cls = block ? 'keyword' : builtins.has(t.image) ? 'predefined' : 'identifier';
      }
    } else if (BRACKETS.has(t.image)) cls = 'delimiter.bracket';
    else if (DELIMITERS.has(t.image)) cls = 'delimiter';
    else if (OPERATORS.includes(t.image)) cls = 'operator';
    else throw new Error(`no class for token ${name} '${t.image}'`);
    if (cls) out.push({ ...where(t.startOffset), text: t.image, cls });
  });
  return out;
}

/** Monaco's token type (`keyword.nabla`) matches a class when it is that class or a refinement of a literal. */
export function matches(type: string, cls: string): boolean {
  const t = type.replace(/\.nabla$/, '');
  return t === cls || (cls === 'number' && t === 'number.imag') || (cls === 'string' && t === 'string.invalid');
}

/** Every block of docs/language.md marked nabla (runnable or error examples): real code to tokenize. */
export function docsCorpus(): string {
  const md = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
  return [...md.matchAll(/```nabla[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
}

/** Every keyword, operator and kind of literal of the grammar, each where the grammar makes it what it is. */
export function syntheticCorpus(): string {
  const reserved = KEYWORDS.filter((k) => !CONTEXTUAL_KEYWORDS.includes(k));
  return [
    reserved.join(' '),
    ...CONTEXTUAL_KEYWORDS.map((k) => `${k} { x }`),
    ...CONTEXTUAL_KEYWORDS.map((k) => `${k} = 1`),
    OPERATORS.join(' '),
    'a = 1 + 2.5 * .5 - 1e-3 + 2i + 0.5i  # a comment',
    's = "text" + "esc\\"aped"; t = "open',
    "𝑥 = ∇(café, W') @ x1[0:2, ::2]",
  ].join('\n');
}
