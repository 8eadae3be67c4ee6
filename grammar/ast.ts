// Nabla's abstract syntax tree: a discriminated union on `kind`. Every node carries the
// span of the source it came from, so the compiler and the runtime can point at it.
// docs/grammar-ast.md describes each node in one line.

/** A source position. `offset` is a JavaScript string index (UTF-16 units); `line` and
 * `col` are 1-based and `col` counts Unicode code points. */
export interface Pos {
  offset: number;
  line: number;
  col: number;
}

/** `start` is inclusive and `end` exclusive. */
export interface Span {
  start: Pos;
  end: Pos;
}

interface NodeBase {
  span: Span;
}

// ---------------------------------------------------------------------------------------
// Program and statements
// ---------------------------------------------------------------------------------------

export interface Program extends NodeBase {
  kind: 'Program';
  /** The file name given to parse(), e.g. "cell.nabla" or "<input>". */
  file: string;
  body: Stmt[];
}

export interface Block extends NodeBase {
  kind: 'Block';
  body: Stmt[];
}

/** What may stand left of `=` or `+=` (Missing only in programs with error diagnostics). */
export type Target = Name | Index | Attr | Missing;

/** `x = e`, `x[0] = e`, `m.w = e` */
export interface Assign extends NodeBase {
  kind: 'Assign';
  target: Target;
  value: Expr;
}

/** `a, b = e` (also `a, b = 1, 2`, whose value is a Tuple) */
export interface Destructure extends NodeBase {
  kind: 'Destructure';
  targets: Target[];
  value: Expr;
}

export type CompoundOp = '+=' | '-=' | '*=' | '/=';

/** `x += e`: an in-place update (LANGUAGE.md, In-place). */
export interface CompoundAssign extends NodeBase {
  kind: 'CompoundAssign';
  op: CompoundOp;
  target: Target;
  value: Expr;
}

export interface Param extends NodeBase {
  kind: 'Param';
  name: string;
  default: Expr | null;
}

/** `@custom_grad(fn(x, y, g) = g)` or `@compile`: `expr` is the decorator without `@`. */
export interface Decorator extends NodeBase {
  kind: 'Decorator';
  expr: Expr;
}

/** `fn f(a, b=1) = e` (body is an Expr) or `fn f(a) { … }` (body is a Block). */
export interface FnDef extends NodeBase {
  kind: 'FnDef';
  name: Name;
  params: Param[];
  body: Expr | Block;
  decorators: Decorator[];
}

export interface If extends NodeBase {
  kind: 'If';
  test: Expr;
  then: Block;
  /** `else { }` gives a Block, `else if` an If, no else null. */
  else: Block | If | null;
}

/** `for i in e { }`, `for k, v in e { }` */
export interface For extends NodeBase {
  kind: 'For';
  targets: Name[];
  iter: Expr;
  body: Block;
}

export interface While extends NodeBase {
  kind: 'While';
  test: Expr;
  body: Block;
}

export interface Break extends NodeBase {
  kind: 'Break';
}

export interface Continue extends NodeBase {
  kind: 'Continue';
}

/** `return`, `return e`, `return a, b` (a Tuple) */
export interface Return extends NodeBase {
  kind: 'Return';
  value: Expr | null;
}

/** `no_grad { }` */
export interface NoGrad extends NodeBase {
  kind: 'NoGrad';
  body: Block;
}

/** `detect_anomaly { }` */
export interface DetectAnomaly extends NodeBase {
  kind: 'DetectAnomaly';
  body: Block;
}

/** `time { }` */
export interface Time extends NodeBase {
  kind: 'Time';
  body: Block;
}

/** `with tape(persistent=true) as t { }`; `as name` is optional. */
export interface With extends NodeBase {
  kind: 'With';
  context: Expr;
  name: Name | null;
  body: Block;
}

/** `explain grad(y, x)`, `explain backward(L)`, `explain e` */
export interface Explain extends NodeBase {
  kind: 'Explain';
  expr: Expr;
}

/** A bare expression; a cell's last one is displayed. */
export interface ExprStmt extends NodeBase {
  kind: 'ExprStmt';
  expr: Expr;
}

export type Stmt =
  | Assign
  | Destructure
  | CompoundAssign
  | FnDef
  | If
  | For
  | While
  | Break
  | Continue
  | Return
  | NoGrad
  | DetectAnomaly
  | Time
  | With
  | Explain
  | ExprStmt;

// ---------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------

export type BinaryOp =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '@'
  | '%'
  /** Power; `**` is written as `^` here. */
  | '^';

export interface Binary extends NodeBase {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export interface Unary extends NodeBase {
  kind: 'Unary';
  op: '-' | '+' | 'not';
  operand: Expr;
}

/** `start..stop`, exclusive of stop. */
export interface Range extends NodeBase {
  kind: 'Range';
  start: Expr;
  stop: Expr;
}

/** One argument of a call: `name` is set for `k=v`. */
export interface Arg extends NodeBase {
  kind: 'Arg';
  name: string | null;
  value: Expr;
}

/** `f(a, k=v)`; a method call `opt.step()` is a Call whose callee is an Attr. */
export interface Call extends NodeBase {
  kind: 'Call';
  callee: Expr;
  args: Arg[];
}

/** `start:stop:step` inside `[]`, each part optional. */
export interface Slice extends NodeBase {
  kind: 'Slice';
  start: Expr | null;
  stop: Expr | null;
  step: Expr | null;
}

/** `x[i, 1:3, :, -1, ::2]` */
export interface Index extends NodeBase {
  kind: 'Index';
  target: Expr;
  items: (Expr | Slice)[];
}

/** `x.grad`; `nameSpan` is where the attribute name is written. */
export interface Attr extends NodeBase {
  kind: 'Attr';
  target: Expr;
  name: string;
  nameSpan: Span;
}

/** `W'`: conjugate transpose. */
export interface Adjoint extends NodeBase {
  kind: 'Adjoint';
  operand: Expr;
}

export interface Num extends NodeBase {
  kind: 'Num';
  value: number;
  /** The literal as written (`1e-3`), for messages and integer/float decisions. */
  raw: string;
}

/** `2i`: `value` is the imaginary part. */
export interface Imag extends NodeBase {
  kind: 'Imag';
  value: number;
  raw: string;
}

/** A string literal, escapes decoded. */
export interface Str extends NodeBase {
  kind: 'Str';
  value: string;
}

export interface Bool extends NodeBase {
  kind: 'Bool';
  value: boolean;
}

export interface None extends NodeBase {
  kind: 'None';
}

/** An identifier; `∇` arrives here as `grad`. */
export interface Name extends NodeBase {
  kind: 'Name';
  name: string;
}

/** `[1, 2, 3]` */
export interface List extends NodeBase {
  kind: 'List';
  items: Expr[];
}

/** `(a, b)`, `(a,)`, `()` */
export interface Tuple extends NodeBase {
  kind: 'Tuple';
  items: Expr[];
}

export interface MapEntry extends NodeBase {
  kind: 'MapEntry';
  key: Expr;
  value: Expr;
}

/** `{k: v}`: keys are expressions (a bare name key is a Name; the compiler gives it meaning). */
export interface MapLit extends NodeBase {
  kind: 'Map';
  entries: MapEntry[];
}

/** `fn(g) = -g` or `fn(x) { … }` */
export interface Lambda extends NodeBase {
  kind: 'Lambda';
  params: Param[];
  body: Expr | Block;
}

/** Stands where an expression was expected but a syntax error left none; only in
 * programs that come with error diagnostics. */
export interface Missing extends NodeBase {
  kind: 'Missing';
}

export type Expr =
  | Binary
  | Unary
  | Range
  | Call
  | Index
  | Attr
  | Adjoint
  | Num
  | Imag
  | Str
  | Bool
  | None
  | Name
  | List
  | Tuple
  | MapLit
  | Lambda
  | Missing;

export type Node = Program | Block | Stmt | Expr | Param | Decorator | Arg | Slice | MapEntry;
