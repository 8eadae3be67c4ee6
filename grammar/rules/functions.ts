// Grammar rules for functions (LANGUAGE.md § Statements and § Expressions): lambdas
// `fn(g) = -g` and `fn(x) { … }`, their parameters and bodies, and definitions
// `fn name(a, b=1) = e` with their decorators.
import type { IToken, ParserMethod } from 'chevrotain';
import type * as A from '../ast';
import * as T from '../tokens';
import { CollectionRules } from './collections';

export abstract class FunctionRules extends CollectionRules {
  /** A `{ … }` statement block, defined by the statement rules; a function body can be one. */
  abstract block: ParserMethod<[], A.Block>;

  lambda = this.RULE(
    'lambda',
    (): A.Expr => {
      const first = this.CONSUME(T.Fn);
      const params = this.SUBRULE(this.parameterList);
      const body = this.SUBRULE(this.functionBody);
      return this.ACTION(() => ({ kind: 'Lambda', params, body, span: this.spanSince(first) }));
    },
    this.recoverAsMissing,
  );

  // Shared by lambdas and `fn name(…)` definitions.
  parameterList = this.RULE(
    'parameterList',
    (): A.Param[] => {
      const params: A.Param[] = [];
      this.CONSUME(T.LParen);
      this.OPTION(() => {
        params.push(this.SUBRULE(this.parameter));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          params.push(this.SUBRULE2(this.parameter));
        });
        this.OPTION2(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RParen);
      this.ACTION(() => this.checkParameters(params));
      return params;
    },
    this.recoverAsEmpty,
  );

  parameter = this.RULE(
    'parameter',
    (): A.Param => {
      const nameTok = this.CONSUME(T.Identifier);
      const def = this.OPTION(() => {
        this.CONSUME(T.Equals);
        return this.SUBRULE(this.expression);
      });
      return this.ACTION(() => ({
        kind: 'Param',
        name: this.nameOf(nameTok),
        default: def ?? null,
        span: this.spanSince(nameTok),
      }));
    },
    { recoveryValueFunc: (): A.Param => ({ kind: 'Param', name: '', default: null, span: this.missing().span }) },
  );

  // `= expr` or `{ block }`.
  functionBody = this.RULE(
    'functionBody',
    (): A.Expr | A.Block => this.OR(this.functionBodyAlternatives),
    this.recoverAsMissing,
  );
  private readonly functionBodyAlternatives = [
    {
      ALT: (): A.Expr => {
        this.CONSUME(T.Equals);
        return this.SUBRULE(this.expression);
      },
    },
    { ALT: (): A.Block => this.SUBRULE(this.block) },
  ];

  // Decorators sit on their own lines above `fn`; the newlines after them are part of them.
  functionDefinition = this.RULE(
    'functionDefinition',
    (): A.FnDef | null => {
      const first = this.LA(1);
      const decorators: A.Decorator[] = [];
      this.MANY(() => {
        decorators.push(this.SUBRULE(this.decorator));
      });
      this.CONSUME(T.Fn);
      const nameTok = this.CONSUME(T.Identifier);
      const params = this.SUBRULE(this.parameterList);
      const body = this.SUBRULE(this.functionBody);
      return this.ACTION(() => ({
        kind: 'FnDef',
        name: this.nameNode(nameTok),
        params,
        body,
        decorators,
        span: this.spanSince(first),
      }));
    },
    this.recoverAsNothing,
  );

  // `@name`, `@a.b`, `@name(args)`: what a decorator can be, and no more.
  decorator = this.RULE(
    'decorator',
    (): A.Decorator => {
      const at = this.CONSUME(T.At);
      const names = [this.CONSUME(T.Identifier)];
      this.MANY(() => {
        this.CONSUME(T.Dot);
        names.push(this.CONSUME2(T.Identifier));
      });
      const args = this.OPTION(() => this.SUBRULE(this.callArguments));
      const expr = this.ACTION(() => this.decoratorExpr(names, args));
      this.MANY2(() => this.CONSUME(T.StatementEnd));
      return this.ACTION(() => ({ kind: 'Decorator', expr, span: this.join(this.tokenSpan(at), expr.span) }));
    },
    { recoveryValueFunc: (): A.Decorator => ({ kind: 'Decorator', expr: this.missing(), span: this.missing().span }) },
  );

  private checkParameters(params: A.Param[]): void {
    const seen = new Set<string>();
    let defaultSeen = false;
    for (const p of params) {
      if (seen.has(p.name)) this.error(`parameter '${p.name}' appears twice`, p.span);
      seen.add(p.name);
      if (p.default !== null) defaultSeen = true;
      else if (defaultSeen) {
        this.error(`parameter '${p.name}' needs a default value, as the parameters before it have one`, p.span);
      }
    }
  }

  private decoratorExpr(names: IToken[], args: A.Arg[] | undefined): A.Expr {
    let expr: A.Expr = names[0].image ? this.nameNode(names[0]) : this.missing();
    for (const tok of names.slice(1)) {
      const nameSpan = this.tokenSpan(tok);
      expr = { kind: 'Attr', target: expr, name: this.nameOf(tok), nameSpan, span: this.join(expr.span, nameSpan) };
    }
    if (args === undefined) return expr;
    return { kind: 'Call', callee: expr, args, span: this.join(expr.span, this.tokenSpan(this.LA(0))) };
  }
}
