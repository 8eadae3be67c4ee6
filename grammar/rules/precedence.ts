// Builds the tree of a flat `operand (operator operand)*` list by precedence climbing. The
// grammar reads every infix operator with one rule (see rules/expressions.ts, "One flat
// rule"), so precedence and associativity are decided here, low to high (LANGUAGE.md):
//   or; and; not (prefix); == != < <= > >=; ..; + -; * / @ %
// All are left-associative, except comparisons and `..`, which do not chain.
import type { IToken, TokenType } from 'chevrotain';
import type { BinaryOp, Expr, Span } from '../ast';
import { joinSpans } from '../positions';
import * as T from '../tokens';

const NOT_PRECEDENCE = 3;
const COMPARISON = 4;
const RANGE = 5;

const precedence = new Map<TokenType, number>([
  [T.Or, 1],
  // 3 is `not`, a prefix (NOT_PRECEDENCE).
  [T.And, 2],
  ...[T.EqualEqual, T.NotEqual, T.Less, T.LessEqual, T.Greater, T.GreaterEqual].map((t) => [t, COMPARISON] as const),
  [T.DotDot, RANGE],
  [T.Plus, 6],
  [T.Minus, 6],
  [T.Star, 7],
  [T.Slash, 7],
  [T.At, 7],
  [T.Percent, 7],
]);

/** One operand of the flat list: its `not` prefixes and the expression after them. */
export interface Operand {
  nots: IToken[];
  value: Expr;
}

export interface PrecedenceHost {
  missing(): Expr;
  tokenSpan(tok: IToken): Span;
  error(message: string, span: Span): void;
}

export function climbPrecedence(operands: Operand[], ops: IToken[], host: PrecedenceHost): Expr {
  let nextOperand = 0;
  let nextOp = 0;

  const operand = (): Expr => {
    const o = operands[nextOperand++];
    if (o === undefined) return host.missing();
    if (o.nots.length === 0) return o.value;
    // `not a == b` is `not (a == b)`: the operand of `not` takes every tighter operator first.
    let e = climb(o.value, NOT_PRECEDENCE + 1);
    for (let i = o.nots.length - 1; i >= 0; i--) {
      e = { kind: 'Unary', op: 'not', operand: e, span: joinSpans(host.tokenSpan(o.nots[i]), e.span) };
    }
    return e;
  };

  const climb = (left: Expr, minPrecedence: number): Expr => {
    let previous = 0;
    while (nextOp < ops.length) {
      const opTok = ops[nextOp];
      const p = precedence.get(opTok.tokenType) ?? 0;
      if (p < minPrecedence) break;
      nextOp++;
      if (p === previous && (p === COMPARISON || p === RANGE)) {
        const [a, b] = [ops[nextOp - 2].image, opTok.image];
        const message =
          p === RANGE
            ? "ranges do not chain: write 'a..b' once"
            : `comparisons do not chain: write 'a ${a} b and b ${b} c'`;
        host.error(message, host.tokenSpan(opTok));
      }
      previous = p;
      const right = climb(operand(), p + 1);
      const span = joinSpans(left.span, right.span);
      left =
        p === RANGE
          ? { kind: 'Range', start: left, stop: right, span }
          : { kind: 'Binary', op: opTok.image as BinaryOp, left, right, span };
    }
    return left;
  };

  return climb(operand(), 1);
}
