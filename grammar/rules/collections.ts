// Grammar rules for the collection literals of LANGUAGE.md § Expressions: `[1, 2]` lists,
// `(a, b)` tuples (and `(e)` grouping), `{k: v}` maps. Trailing commas are allowed.
import type * as A from '../ast';
import * as T from '../tokens';
import { ExpressionRules } from './expressions';

export abstract class CollectionRules extends ExpressionRules {
  listLiteral = this.RULE(
    'listLiteral',
    (): A.Expr => {
      const first = this.CONSUME(T.LBracket);
      const items: A.Expr[] = [];
      this.OPTION(() => {
        items.push(this.SUBRULE(this.expression));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          items.push(this.SUBRULE2(this.expression));
        });
        this.OPTION2(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RBracket);
      return this.ACTION(() => ({ kind: 'List', items, span: this.spanSince(first) }));
    },
    this.recoverAsMissing,
  );

  // `(e)` groups; `()`, `(e,)` and `(a, b)` are tuples: any comma makes a tuple.
  parenthesized = this.RULE(
    'parenthesized',
    (): A.Expr => {
      const first = this.CONSUME(T.LParen);
      const items: A.Expr[] = [];
      let commas = 0;
      this.OPTION(() => {
        items.push(this.SUBRULE(this.expression));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          commas++;
          items.push(this.SUBRULE2(this.expression));
        });
        this.OPTION2(() => {
          this.CONSUME2(T.Comma);
          commas++;
        });
      });
      this.CONSUME(T.RParen);
      return this.ACTION(() => {
        const span = this.spanSince(first);
        // A grouping keeps its inner node but widens the span to the parentheses, so that
        // `(a + b) * c` starts at `(`.
        return items.length === 1 && commas === 0 ? { ...items[0], span } : { kind: 'Tuple', items, span };
      });
    },
    this.recoverAsMissing,
  );

  mapLiteral = this.RULE(
    'mapLiteral',
    (): A.Expr => {
      const first = this.CONSUME(T.LCurly);
      const entries: A.MapEntry[] = [];
      this.OPTION(() => {
        entries.push(this.SUBRULE(this.mapEntry));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          entries.push(this.SUBRULE2(this.mapEntry));
        });
        this.OPTION2(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RCurly);
      return this.ACTION(() => ({ kind: 'Map', entries, span: this.spanSince(first) }));
    },
    this.recoverAsMissing,
  );

  mapEntry = this.RULE(
    'mapEntry',
    (): A.MapEntry => {
      const key = this.SUBRULE(this.expression);
      this.CONSUME(T.Colon);
      const value = this.SUBRULE2(this.expression);
      return this.ACTION(() => ({ kind: 'MapEntry', key, value, span: this.join(key.span, value.span) }));
    },
    {
      recoveryValueFunc: (): A.MapEntry => {
        const key = this.missing();
        return { kind: 'MapEntry', key, value: key, span: key.span };
      },
    },
  );
}
