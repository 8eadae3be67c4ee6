// What every grammar rule shares: the parse in progress (its lines and the diagnostics the
// rules add) and the helpers that give AST nodes their spans.
//
// Why embedded actions and not a CST plus a visitor (STYLE.md 9): the rules build the AST as
// they parse. A first version built a CST and visited it. For a 1,000-line file it allocated
// 19 MB, 10 MB of it CST, and garbage collection took about 40% of its time: its median
// parse took 52–66 ms, against 13–17 ms now (same machine and hour, the program that
// grammar/parse-speed.ts parses).
// The AST types check the rules directly, so there is no visitor to keep in step with them.
// Two Chevrotain rules apply here:
// - Code that reads tokens or subrule results goes inside ACTION(), because Chevrotain runs
//   every rule once, at construction, to record the grammar, and it passes placeholders then.
// - A rule that recovers from a syntax error returns its `recoveryValueFunc` value (a Missing
//   node or nothing), so a broken statement is left out of the partial AST.
import { EmbeddedActionsParser, type IParserConfig, type IToken, type TokenVocabulary } from 'chevrotain';
import type { Expr, Missing, Name, Span } from '../ast';
import type { Diagnostic } from '../diagnostics';
import { joinSpans, LineIndex } from '../positions';
import { Nabla } from '../tokens';

export abstract class ParserBase extends EmbeddedActionsParser {
  /** The source being parsed, for positions. */
  protected lines = new LineIndex('');
  /** Errors the rules find beyond syntax: bad assignment targets, repeated names, … */
  protected diagnostics: Diagnostic[] = [];

  // What a rule returns when it recovers from a syntax error by skipping tokens (its result
  // so far is lost): something of its type that the rules above can build on.
  protected readonly recoverAsMissing = { recoveryValueFunc: (): Expr => this.missing() };
  protected readonly recoverAsEmpty = { recoveryValueFunc: (): never[] => [] };
  protected readonly recoverAsNothing = { recoveryValueFunc: (): null => null };

  constructor(vocabulary: TokenVocabulary, config: IParserConfig) {
    super(vocabulary, config);
  }

  protected error(message: string, span: Span): void {
    this.diagnostics.push({ message, span, severity: 'error' });
  }

  /** The span of a token; one inserted by error recovery has none and gets an empty one. */
  protected tokenSpan(tok: IToken | undefined): Span {
    if (tok === undefined || Number.isNaN(tok.startOffset)) return this.here();
    return this.lines.span(tok.startOffset, tok.startOffset + tok.image.length);
  }

  /** From `first` to the last token consumed so far: the span of a rule that began at `first`. */
  protected spanSince(first: IToken): Span {
    const last = this.LA(0);
    if (Number.isNaN(first.startOffset) || Number.isNaN(last.startOffset) || last.startOffset < first.startOffset) {
      return this.here();
    }
    return this.lines.span(first.startOffset, last.startOffset + last.image.length);
  }

  protected join(a: Span, b: Span): Span {
    return joinSpans(a, b);
  }

  /** A placeholder where error recovery lost an expression. */
  protected missing(): Missing {
    return { kind: 'Missing', span: this.here() };
  }

  /** The name an identifier token spells: `∇` is `grad` (LANGUAGE.md, Lexical). */
  protected nameOf(tok: IToken | undefined): string {
    if (tok === undefined) return '';
    return tok.tokenType === Nabla ? 'grad' : tok.image;
  }

  protected nameNode(tok: IToken | undefined): Name {
    return { kind: 'Name', name: this.nameOf(tok), span: this.tokenSpan(tok) };
  }

  /** An empty span just after the last token consumed. */
  private here(): Span {
    const last = this.LA(0);
    const at = Number.isNaN(last.startOffset) || last.startOffset < 0 ? 0 : last.startOffset + last.image.length;
    const pos = this.lines.pos(at);
    return { start: pos, end: pos };
  }
}
