// Source text to the parser's token vector, with lexical diagnostics: Chevrotain's lexer,
// then the layout pass. Never throws.
import type { IToken } from "chevrotain";
import type { Diagnostic } from "./diagnostics";
import { layout, type Layout } from "./layout";
import type { LineIndex } from "./positions";
import { nablaLexer, UnterminatedString } from "./tokens";

export interface Lexed extends Layout {
  comments: IToken[];
  diagnostics: Diagnostic[];
  /** The input ends inside a string (isComplete: keep reading). */
  endsInOpenString: boolean;
}

export function lex(source: string, lines: LineIndex): Lexed {
  const result = nablaLexer.tokenize(source);
  const diagnostics: Diagnostic[] = [];

  for (const e of result.errors) {
    diagnostics.push({
      message: unexpectedCharacterMessage(String.fromCodePoint(source.codePointAt(e.offset) ?? 0)),
      span: lines.span(e.offset, e.offset + e.length),
      severity: "error",
    });
  }

  let endsInOpenString = false;
  for (const tok of result.tokens) {
    if (tok.tokenType === UnterminatedString) {
      diagnostics.push({
        message: `this string is not closed: add '"' before the end of the line`,
        span: lines.span(tok.startOffset, tok.startOffset + tok.image.length),
        severity: "error",
      });
      endsInOpenString = tok.startOffset + tok.image.length === source.length;
    }
  }

  return {
    ...layout(result.tokens),
    comments: (result.groups.comments as IToken[] | undefined) ?? [],
    diagnostics,
    endsInOpenString,
  };
}

// Characters people bring from other languages get a pointer to Nabla's spelling.
const hints: Record<string, string> = {
  "!": "write 'not x' for negation and '!=' for not-equal",
  "&": "write 'and'",
  "|": "write 'or'",
  "`": "strings use double quotes",
  "\\": "a statement continues on the next line only inside brackets",
};

function unexpectedCharacterMessage(ch: string): string {
  const hint = hints[ch];
  return `unexpected character '${ch}'` + (hint ? `: ${hint}` : "");
}
