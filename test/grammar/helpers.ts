// Shared helpers for the grammar tests: parse without errors, and compare AST shapes
// without spans (spans get their own tests in spans.test.ts).
import { expect } from 'vitest';
import { parse, type Expr, type Program, type Slice, type Stmt } from '../../grammar/index';

/** Parses source that must be valid and returns its Program. */
export function parseOk(source: string): Program {
  const { program, diagnostics } = parse(source, 'test.nabla');
  expect(diagnostics.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.message}`)).toEqual([]);
  expect(program).not.toBeNull();
  return program as Program;
}

/** The single statement of a valid one-statement source. */
export function stmt(source: string): Stmt {
  const body = parseOk(source).body;
  expect(body).toHaveLength(1);
  return body[0];
}

/** The expression of a valid source holding one expression statement. */
export function expr(source: string): Expr {
  const s = stmt(source);
  if (s.kind !== 'ExprStmt') throw new Error(`expected an expression statement, got ${s.kind}`);
  return s.expr;
}

/** A deep copy of an AST value without its spans, for shape assertions. */
export function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'nameSpan') out[k] = shape(v);
  return out;
}

/** A compact S-expression of an expression, to state precedence and associativity briefly. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'Binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'Unary':
      return `(${e.op} ${sexpr(e.operand)})`;
    case 'Range':
      return `(.. ${sexpr(e.start)} ${sexpr(e.stop)})`;
    case 'Name':
      return e.name;
    case 'Num':
    case 'Imag':
      return e.raw;
    case 'Str':
      return JSON.stringify(e.value);
    case 'Bool':
      return String(e.value);
    case 'None':
      return 'none';
    case 'Call':
      return `(call ${sexpr(e.callee)}${e.args.map((a) => ` ${a.name ? `${a.name}=` : ''}${sexpr(a.value)}`).join('')})`;
    case 'Attr':
      return `(. ${sexpr(e.target)} ${e.name})`;
    case 'Adjoint':
      return `(' ${sexpr(e.operand)})`;
    case 'Index': {
      const part = (x: Expr | null) => (x ? sexpr(x) : '');
      const item = (i: Expr | Slice) =>
        i.kind === 'Slice' ? `${part(i.start)}:${part(i.stop)}:${part(i.step)}` : sexpr(i);
      return `(index ${sexpr(e.target)}${e.items.map((i) => ' ' + item(i)).join('')})`;
    }
    case 'List':
      return `[${e.items.map(sexpr).join(' ')}]`;
    case 'Tuple':
      return `(tuple${e.items.map((i) => ' ' + sexpr(i)).join('')})`;
    case 'Map':
      return `{${e.entries.map((en) => `${sexpr(en.key)}: ${sexpr(en.value)}`).join(', ')}}`;
    case 'Lambda':
      return `(fn (${e.params.map((p) => p.name).join(' ')}) ${e.body.kind === 'Block' ? '{…}' : sexpr(e.body)})`;
    case 'Missing':
      return '?';
  }
}
