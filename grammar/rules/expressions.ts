// Grammar rules for LANGUAGE.md § Expressions: operators, atoms and postfix forms, each
// building its AST node (lists, tuples and maps are in collections.ts, lambdas in
// functions.ts). Every rule is LL(k) with k ≤ 2 and no backtracking (STYLE.md 10;
// parser.ts sets maxLookahead: 2).
//
// OR alternatives live in fields built once ("caching arrays of alternatives", Chevrotain's
// performance guide): an inline array allocates its closures on every call, and under
// tsx/esbuild's keepNames each `ALT: () => …` also costs a defineProperty.
import type { IToken, ParserMethod, TokenType } from 'chevrotain';
import type * as A from '../ast';
import { decodeString } from '../strings';
import * as T from '../tokens';
import { ParserBase } from './base';
import { climbPrecedence, type Operand, type PrecedenceHost } from './precedence';

/** The parts of `start:stop:step` after the start. */
interface SliceTail {
  stop: A.Expr | null;
  step: A.Expr | null;
}

export abstract class ExpressionRules extends ParserBase {
  // Atoms defined by the rules of rules/collections.ts and rules/functions.ts.
  abstract parenthesized: ParserMethod<[], A.Expr>;
  abstract listLiteral: ParserMethod<[], A.Expr>;
  abstract mapLiteral: ParserMethod<[], A.Expr>;
  abstract lambda: ParserMethod<[], A.Expr>;

  private readonly precedenceHost: PrecedenceHost = {
    missing: () => this.missing(),
    tokenSpan: (tok) => this.tokenSpan(tok),
    error: (message, span) => this.error(message, span),
  };

  // One flat rule for every infix operator: `a + b * c or not d` is read as a list of
  // operands and operators, and rules/precedence.ts builds the tree by precedence (or; and;
  // not; comparisons; `..`; + -; * / @ %). A rule per precedence level costs a rule call
  // per level for every operand, which made parsing 3× slower (measured on the CST version,
  // rules/base.ts); `not` is here too because it sits between `and` and the comparisons.
  expression = this.RULE(
    'expression',
    (): A.Expr => {
      const operands: Operand[] = [];
      const ops: IToken[] = [];
      let nots: IToken[] = [];
      this.MANY(() => {
        nots.push(this.CONSUME(T.Not));
      });
      operands.push({ nots, value: this.SUBRULE(this.operand) });
      this.MANY2(() => {
        ops.push(this.CONSUME(T.BinaryOperator));
        nots = [];
        this.MANY3(() => {
          nots.push(this.CONSUME2(T.Not));
        });
        operands.push({ nots, value: this.SUBRULE2(this.operand) });
      });
      return this.ACTION(() =>
        ops.length === 0 && nots.length === 0 ? operands[0].value : climbPrecedence(operands, ops, this.precedenceHost),
      );
    },
    this.recoverAsMissing,
  );

  // Everything that binds tighter than `*`, in one rule for the same reason: prefix `-`/`+`,
  // an atom, its postfix suffixes, and `^`. The exponent is itself an operand, so `^` is
  // right-associative (`2^3^2` is `2^(3^2)`), `2^-1` works, and `-x^2` is `-(x^2)`.
  operand = this.RULE(
    'operand',
    (): A.Expr => {
      const signs: IToken[] = [];
      this.MANY(() => {
        signs.push(this.CONSUME(T.AdditiveOperator));
      });
      let e: A.Expr = this.OR(this.atomAlternatives);
      this.MANY2(() => {
        e = this.SUBRULE(this.suffix, { ARGS: [e] });
      });
      this.OPTION(() => {
        this.CONSUME(T.PowerOperator);
        const exponent = this.SUBRULE(this.operand);
        // `**` is another spelling of `^` (LANGUAGE.md): one operator in the AST.
        e = this.ACTION(() => {
          const span = this.join(e.span, exponent.span);
          return { kind: 'Binary', op: '^', left: e, right: exponent, span };
        });
      });
      return this.ACTION(() => {
        for (let i = signs.length - 1; i >= 0; i--) {
          const op = signs[i].image === '+' ? '+' : '-';
          e = { kind: 'Unary', op, operand: e, span: this.join(this.tokenSpan(signs[i]), e.span) };
        }
        return e;
      });
    },
    this.recoverAsMissing,
  );
  private readonly atomAlternatives = [
    ...[T.Identifier, T.NumberLiteral, T.StringToken, T.ImagLiteral, T.True, T.False, T.None].map((type) => ({
      ALT: () => this.literal(type),
    })),
    { ALT: () => this.SUBRULE(this.parenthesized) },
    { ALT: () => this.SUBRULE(this.listLiteral) },
    { ALT: () => this.SUBRULE(this.mapLiteral) },
    { ALT: () => this.SUBRULE(this.lambda) },
  ];

  /** A call, an index, an attribute or `'` applied to `target`. */
  suffix = this.RULE(
    'suffix',
    (target: A.Expr): A.Expr => {
      this.suffixTarget = target;
      return this.OR(this.suffixAlternatives);
    },
    this.recoverAsMissing,
  );
  /** The expression the suffix being parsed applies to (ALT closures take no arguments). */
  private suffixTarget!: A.Expr;
  private readonly suffixAlternatives = [
    {
      ALT: (): A.Expr => {
        const callee = this.suffixTarget;
        const args = this.SUBRULE(this.callArguments);
        return this.ACTION(() => ({ kind: 'Call', callee, args, span: this.spanFrom(callee) }));
      },
    },
    {
      ALT: (): A.Expr => {
        const target = this.suffixTarget;
        const items = this.SUBRULE(this.indexBrackets);
        return this.ACTION(() => ({ kind: 'Index', target, items, span: this.spanFrom(target) }));
      },
    },
    {
      ALT: (): A.Expr => {
        const target = this.suffixTarget;
        this.CONSUME(T.Dot);
        const nameTok = this.CONSUME(T.Identifier);
        return this.ACTION(() => {
          const nameSpan = this.tokenSpan(nameTok);
          return { kind: 'Attr', target, name: this.nameOf(nameTok), nameSpan, span: this.spanFrom(target) };
        });
      },
    },
    {
      ALT: (): A.Expr => {
        const operand = this.suffixTarget;
        this.CONSUME(T.Apostrophe);
        return this.ACTION(() => ({ kind: 'Adjoint', operand, span: this.spanFrom(operand) }));
      },
    },
  ];

  callArguments = this.RULE(
    'callArguments',
    (): A.Arg[] => {
      const args: A.Arg[] = [];
      this.CONSUME(T.LParen);
      this.OPTION(() => {
        args.push(this.SUBRULE(this.argument));
        this.MANY(() => {
          this.CONSUME(T.Comma);
          args.push(this.SUBRULE2(this.argument));
        });
        this.OPTION2(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RParen);
      this.ACTION(() => this.checkArguments(args));
      return args;
    },
    this.recoverAsEmpty,
  );

  // `k=v` and a positional argument differ in the second token.
  argument = this.RULE('argument', (): A.Arg => this.OR(this.argumentAlternatives), {
    recoveryValueFunc: (): A.Arg => {
      const value = this.missing();
      return { kind: 'Arg', name: null, value, span: value.span };
    },
  });
  private readonly argumentAlternatives = [
    {
      ALT: (): A.Arg => {
        const first = this.CONSUME(T.Identifier);
        this.CONSUME(T.Equals);
        const value = this.SUBRULE(this.expression);
        return this.ACTION(() => ({ kind: 'Arg', name: this.nameOf(first), value, span: this.spanSince(first) }));
      },
    },
    {
      ALT: (): A.Arg => {
        const value = this.SUBRULE2(this.expression);
        return this.ACTION(() => ({ kind: 'Arg', name: null, value, span: value.span }));
      },
    },
  ];

  indexBrackets = this.RULE(
    'indexBrackets',
    (): (A.Expr | A.Slice)[] => {
      const items: (A.Expr | A.Slice)[] = [];
      this.CONSUME(T.LBracket);
      items.push(this.SUBRULE(this.indexItem));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        items.push(this.SUBRULE2(this.indexItem));
      });
      this.OPTION(() => this.CONSUME2(T.Comma));
      this.CONSUME(T.RBracket);
      return items;
    },
    this.recoverAsEmpty,
  );

  // `i`, `1:3`, `:`, `::2`, `a:b:c`: an optional start, then an optional slice tail.
  indexItem = this.RULE(
    'indexItem',
    (): A.Expr | A.Slice => this.OR(this.indexItemAlternatives),
    this.recoverAsMissing,
  );
  private readonly indexItemAlternatives = [
    {
      ALT: (): A.Expr | A.Slice => {
        const first = this.LA(1);
        const start = this.SUBRULE(this.expression);
        const tail = this.OPTION(() => this.SUBRULE(this.sliceTail));
        return this.ACTION(() => (tail ? { kind: 'Slice', start, ...tail, span: this.spanSince(first) } : start));
      },
    },
    {
      ALT: (): A.Slice => {
        const first = this.LA(1);
        const tail = this.SUBRULE2(this.sliceTail);
        return this.ACTION(() => ({ kind: 'Slice', start: null, ...tail, span: this.spanSince(first) }));
      },
    },
  ];

  sliceTail = this.RULE(
    'sliceTail',
    (): SliceTail => {
      this.CONSUME(T.Colon);
      const stop = this.OPTION(() => this.SUBRULE(this.expression)) ?? null;
      let step: A.Expr | null = null;
      this.OPTION2(() => {
        this.CONSUME2(T.Colon);
        step = this.OPTION3(() => this.SUBRULE2(this.expression)) ?? null;
      });
      return { stop, step };
    },
    { recoveryValueFunc: (): SliceTail => ({ stop: null, step: null }) },
  );

  /** From the start of `e` to the last token consumed: the span of a postfix form. */
  private spanFrom(e: A.Expr): A.Span {
    return this.join(e.span, this.tokenSpan(this.LA(0)));
  }

  private literal(type: TokenType): A.Expr {
    const tok = this.CONSUME(type);
    return this.ACTION(() => {
      const span = this.tokenSpan(tok);
      const raw = tok.image;
      switch (tok.tokenType) {
        case T.NumberLiteral:
          return { kind: 'Num', value: Number(raw), raw, span };
        case T.ImagLiteral:
          return { kind: 'Imag', value: Number(raw.slice(0, -1)), raw, span };
        case T.StringLiteral:
        case T.UnterminatedString:
          return { kind: 'Str', value: this.stringValue(tok), span };
        case T.True:
        case T.False:
          return { kind: 'Bool', value: tok.tokenType === T.True, span };
        case T.None:
          return { kind: 'None', span };
        default:
          return { kind: 'Name', name: this.nameOf(tok), span };
      }
    });
  }

  private stringValue(tok: IToken): string {
    const closed = tok.tokenType === T.StringLiteral;
    const body = tok.image.slice(1, closed ? -1 : undefined);
    const { value, badEscapes } = decodeString(body);
    for (const at of badEscapes) {
      const offset = tok.startOffset + 1 + at;
      const span = this.lines.span(offset, offset + 2);
      this.error(`unknown escape '${body.slice(at, at + 2)}' in a string: write '\\\\' for a backslash`, span);
    }
    return value;
  }

  private checkArguments(args: A.Arg[]): void {
    const seen = new Set<string>();
    let keywordSeen = false;
    for (const arg of args) {
      if (arg.name === null) {
        if (keywordSeen) this.error('a positional argument cannot follow a keyword argument', arg.span);
      } else {
        keywordSeen = true;
        if (seen.has(arg.name)) this.error(`keyword argument '${arg.name}' is given twice`, arg.span);
        seen.add(arg.name);
      }
    }
  }
}
