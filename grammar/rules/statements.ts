// Grammar rules for LANGUAGE.md § Statements (and the statement forms of § Differentiation
// and § Notebook niceties: `explain`, `detect_anomaly { }`, `time { }`), each building its
// AST node.
//
// A statement list is `(StatementEnd | statement)*`. The grammar lets two statements touch,
// and the list reports the missing newline or `;` between them. Keeping the separator out
// of the grammar makes every statement start a point where Chevrotain's in-repetition
// recovery can resume after skipping junk, so one pass reports each broken line
// (docs/grammar-ast.md, "Error recovery").
import type { IToken } from 'chevrotain';
import type * as A from '../ast';
import * as T from '../tokens';
import { FunctionRules } from './functions';

/** What `x`, `x = e` or `x += e` can be, before the statement kind is known. */
interface SimpleParts {
  left: A.Expr[];
  op: IToken | undefined;
  right: A.Expr[];
}

const assignTargets = new Set(['Name', 'Index', 'Attr', 'Missing']);

export abstract class StatementRules extends FunctionRules {
  program = this.RULE('program', (): A.Stmt[] => {
    const list = this.newStatementList();
    this.MANY(() => this.OR(list.alternatives));
    return list.body;
  });

  block = this.RULE(
    'block',
    (): A.Block => {
      const first = this.CONSUME(T.BlockOpen);
      const list = this.newStatementList();
      this.MANY(() => this.OR2(list.alternatives));
      this.CONSUME(T.RCurly);
      return this.ACTION(() => ({ kind: 'Block', body: list.body, span: this.spanSince(first) }));
    },
    { recoveryValueFunc: (): A.Block => ({ kind: 'Block', body: [], span: this.missing().span }) },
  );

  statement = this.RULE('statement', (): A.Stmt | null => this.OR(this.statementAlternatives), this.recoverAsNothing);
  private readonly statementAlternatives = [
    { ALT: () => this.SUBRULE(this.functionDefinition) },
    { ALT: () => this.SUBRULE(this.ifStatement) },
    { ALT: () => this.SUBRULE(this.forStatement) },
    { ALT: () => this.SUBRULE(this.whileStatement) },
    {
      ALT: (): A.Stmt => {
        const tok = this.CONSUME(T.Break);
        return this.ACTION(() => ({ kind: 'Break', span: this.tokenSpan(tok) }));
      },
    },
    {
      ALT: (): A.Stmt => {
        const tok = this.CONSUME(T.Continue);
        return this.ACTION(() => ({ kind: 'Continue', span: this.tokenSpan(tok) }));
      },
    },
    { ALT: () => this.SUBRULE(this.returnStatement) },
    // Before simpleStatement: `time {` is a scope, `time = 3` an assignment (2 tokens decide).
    { ALT: () => this.SUBRULE(this.scopeStatement) },
    { ALT: () => this.SUBRULE(this.withStatement) },
    { ALT: () => this.SUBRULE(this.explainStatement) },
    { ALT: () => this.SUBRULE(this.simpleStatement) },
  ];

  // `x = e`, `a, b = e`, `x += e`, `x[0] = e`, or a bare expression. Targets are parsed as
  // expressions and checked afterwards, which keeps this LL(1).
  simpleStatement = this.RULE(
    'simpleStatement',
    (): A.Stmt | null => {
      const first = this.LA(1);
      const parts: SimpleParts = { left: this.SUBRULE(this.expressionList), op: undefined, right: [] };
      this.OPTION(() => {
        parts.op = this.CONSUME(T.AssignOperator);
        parts.right = this.SUBRULE2(this.expressionList);
      });
      return this.ACTION(() => this.simpleStatementNode(parts, this.spanSince(first)));
    },
    this.recoverAsNothing,
  );

  expressionList = this.RULE(
    'expressionList',
    (): A.Expr[] => {
      const items = [this.SUBRULE(this.expression)];
      this.MANY(() => {
        this.CONSUME(T.Comma);
        items.push(this.SUBRULE2(this.expression));
      });
      return items;
    },
    { recoveryValueFunc: (): A.Expr[] => [this.missing()] },
  );

  ifStatement = this.RULE(
    'ifStatement',
    (): A.If | null => {
      const first = this.CONSUME(T.If);
      const test = this.SUBRULE(this.expression);
      const then = this.SUBRULE(this.block);
      const orElse = this.OPTION(() => {
        this.CONSUME(T.Else);
        return this.OR(this.elseAlternatives);
      });
      return this.ACTION(() => ({ kind: 'If', test, then, else: orElse ?? null, span: this.spanSince(first) }));
    },
    this.recoverAsNothing,
  );
  private readonly elseAlternatives = [
    { ALT: (): A.If | null => this.SUBRULE(this.ifStatement) },
    { ALT: (): A.Block => this.SUBRULE2(this.block) },
  ];

  forStatement = this.RULE(
    'forStatement',
    (): A.For | null => {
      const first = this.CONSUME(T.For);
      const names = [this.CONSUME(T.Identifier)];
      this.MANY(() => {
        this.CONSUME(T.Comma);
        names.push(this.CONSUME2(T.Identifier));
      });
      this.CONSUME(T.In);
      const iter = this.SUBRULE(this.expression);
      const body = this.SUBRULE(this.block);
      return this.ACTION(() => {
        // A name that error recovery invented has no text: leave it out.
        const targets = names.filter((t) => t.image !== '').map((t) => this.nameNode(t));
        return { kind: 'For', targets, iter, body, span: this.spanSince(first) };
      });
    },
    this.recoverAsNothing,
  );

  whileStatement = this.RULE(
    'whileStatement',
    (): A.While | null => {
      const first = this.CONSUME(T.While);
      const test = this.SUBRULE(this.expression);
      const body = this.SUBRULE(this.block);
      return this.ACTION(() => ({ kind: 'While', test, body, span: this.spanSince(first) }));
    },
    this.recoverAsNothing,
  );

  returnStatement = this.RULE(
    'returnStatement',
    (): A.Return | null => {
      const first = this.CONSUME(T.Return);
      const values = this.OPTION(() => this.SUBRULE(this.expressionList));
      return this.ACTION(() => ({
        kind: 'Return',
        value: values ? this.tupleOrSingle(values) : null,
        span: this.spanSince(first),
      }));
    },
    this.recoverAsNothing,
  );

  // `no_grad { }`, `detect_anomaly { }`, `time { }`: contextual keywords before a block.
  scopeStatement = this.RULE(
    'scopeStatement',
    (): A.NoGrad | A.DetectAnomaly | A.Time | null => {
      const first = this.OR(this.scopeAlternatives);
      const body = this.SUBRULE(this.block);
      return this.ACTION(() => {
        const span = this.spanSince(first);
        if (first.tokenType === T.NoGrad) return { kind: 'NoGrad', body, span };
        if (first.tokenType === T.DetectAnomaly) return { kind: 'DetectAnomaly', body, span };
        return { kind: 'Time', body, span };
      });
    },
    this.recoverAsNothing,
  );
  private readonly scopeAlternatives = [
    { ALT: () => this.CONSUME(T.NoGrad) },
    { ALT: () => this.CONSUME(T.DetectAnomaly) },
    { ALT: () => this.CONSUME(T.Time) },
  ];

  withStatement = this.RULE(
    'withStatement',
    (): A.With | null => {
      const first = this.CONSUME(T.With);
      const context = this.SUBRULE(this.expression);
      const nameTok = this.OPTION(() => {
        this.CONSUME(T.As);
        return this.CONSUME(T.Identifier);
      });
      const body = this.SUBRULE(this.block);
      return this.ACTION(() => ({
        kind: 'With',
        context,
        name: nameTok ? this.nameNode(nameTok) : null,
        body,
        span: this.spanSince(first),
      }));
    },
    this.recoverAsNothing,
  );

  explainStatement = this.RULE(
    'explainStatement',
    (): A.Explain | null => {
      const first = this.CONSUME(T.Explain);
      const expr = this.SUBRULE(this.expression);
      return this.ACTION(() => ({ kind: 'Explain', expr, span: this.spanSince(first) }));
    },
    this.recoverAsNothing,
  );

  /**
   * The alternatives of one statement list and the statements they collect. Each list
   * needs its own, as lists nest (a block inside a block) and each collects its own body.
   * The check that statements are separated lives here because the grammar allows two
   * statements to touch (see the file comment).
   */
  private newStatementList(): { body: A.Stmt[]; alternatives: { ALT: () => void }[] } {
    const body: A.Stmt[] = [];
    let separated = true;
    let errorsBefore = this.errors.length;
    const alternatives = [
      {
        ALT: () => {
          this.CONSUME(T.StatementEnd);
          separated = true;
        },
      },
      {
        ALT: () => {
          const first = this.LA(1);
          const stmt = this.SUBRULE(this.statement);
          this.ACTION(() => {
            // A syntax error since the last statement has already said what is wrong here.
            if (!separated && this.errors.length === errorsBefore) {
              this.error(`expected a newline or ';' before '${first.image}'`, this.tokenSpan(first));
            }
            if (stmt !== null) body.push(stmt);
          });
          separated = false;
          errorsBefore = this.errors.length;
        },
      },
    ];
    return { body, alternatives };
  }

  private simpleStatementNode({ left, op, right }: SimpleParts, span: A.Span): A.Stmt {
    if (op === undefined) return { kind: 'ExprStmt', expr: this.tupleOrSingle(left), span };
    const value = this.tupleOrSingle(right);
    const targets = left.length > 0 ? left.map((t) => this.assignTarget(t, op)) : [this.missing()];
    if (op.tokenType === T.Equals) {
      return targets.length === 1
        ? { kind: 'Assign', target: targets[0], value, span }
        : { kind: 'Destructure', targets, value, span };
    }
    if (targets.length > 1) {
      this.error(`'${op.image}' updates one target: write one statement per target`, this.tokenSpan(op));
    }
    return { kind: 'CompoundAssign', op: op.image as A.CompoundOp, target: targets[0], value, span };
  }

  private assignTarget(e: A.Expr, op: IToken): A.Target {
    if (assignTargets.has(e.kind)) return e as A.Target;
    const allowed = 'a name, an index like x[0] or an attribute like m.w';
    this.error(`cannot assign to ${describe(e)}: the left side of '${op.image}' must be ${allowed}`, e.span);
    return { kind: 'Missing', span: e.span };
  }

  private tupleOrSingle(items: A.Expr[]): A.Expr {
    if (items.length === 0) return this.missing();
    if (items.length === 1) return items[0];
    return { kind: 'Tuple', items, span: this.join(items[0].span, items[items.length - 1].span) };
  }
}

function describe(e: A.Expr): string {
  switch (e.kind) {
    case 'Call':
      return 'a function call';
    case 'Num':
    case 'Imag':
    case 'Str':
    case 'Bool':
    case 'None':
      return 'a literal';
    case 'Tuple':
    case 'List':
      return `a ${e.kind.toLowerCase()} (write 'a, b = …' without brackets)`;
    default:
      return 'an expression';
  }
}
