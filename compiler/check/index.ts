import { parseStatements, type Diagnostic } from '../../grammar';
import type * as A from '../../grammar/ast';
import type { ParamSpec } from '../call';
import type { BuiltinTable } from '../builtins';
import { MAX_NESTING, tooDeep } from '../depth';
import { pythonHint } from './python';
import { programResolver } from './resolve';

/**
 * `nabla check`: every mistake that can be found without running the program, with its place. Syntax
 * errors (with the Nabla form when a line is written the Python way), then names, calls, keywords and
 * control flow (resolve.ts). Nothing is evaluated.
 */
export interface CheckOptions {
  /** Names a notebook's earlier cells bound, so a later cell may use them. */
  knownGlobals?: Iterable<string>;
}

/** Builtin groups whose results are tensors (or numbers, given numbers). */
const TENSOR_GROUPS = new Set(['math', 'reductions', 'reduction', 'nn', 'shape', 'linalg', 'complex', 'random']);

export function builtinSignatures(table: BuiltinTable): Map<string, readonly ParamSpec[] | null> {
  return new Map([...table.defs.values()].map((d) => [d.name, d.group === 'constants' ? null : d.params]));
}

/**
 * The source is read twice, a batch of top-level statements at a time, and no batch is kept: first to
 * find syntax errors, too-deep expressions and every global binding, then to resolve names and calls. So
 * the memory a check needs does not grow with the size of the source (beyond the source itself and the
 * names it binds); a program's AST is never whole.
 */
export function checkSource(source: string, file: string, table: BuiltinTable, opts: CheckOptions = {}): Diagnostic[] {
  const tensorResults = new Set([...table.defs.values()].filter((d) => TENSOR_GROUPS.has(d.group)).map((d) => d.name));
  const resolver = programResolver({
    builtins: builtinSignatures(table),
    knownGlobals: opts.knownGlobals,
    tensorResults,
  });
  let deep: A.Node | null = null;
  const { diagnostics, nested } = parseStatements(source, file, (stmts) => {
    for (const s of stmts) deep ??= tooDeep(s, MAX_NESTING - 1);
    if (!deep) resolver.declare(stmts);
  });
  const out: Diagnostic[] = diagnostics.map((d) => {
    const hint = pythonHint(lineText(source, d.span.start.offset));
    return hint ? { ...d, message: `${d.message}; ${hint}` } : d;
  });
  if (deep) {
    // the resolver walks the tree recursively: refuse what the compiler refuses, at the same place
    out.push({
      message: `this expression nests more than ${MAX_NESTING} levels deep (a long chain like 1+1+…+1, or many brackets): split it into smaller pieces with intermediate variables`,
      span: (deep as A.Node).span,
      severity: 'error',
    });
  } else if (!nested && !diagnostics.some((d) => d.severity === 'error')) {
    parseStatements(source, file, (stmts) => {
      for (const p of resolver.resolve(stmts)) out.push({ message: p.message, span: p.node.span, severity: 'error' });
    });
  }
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

/** The line holding an offset, without its line break. */
function lineText(source: string, offset: number): string {
  const start = source.lastIndexOf('\n', offset - 1) + 1;
  const end = source.indexOf('\n', offset);
  return source.slice(start, end < 0 ? source.length : end).replace(/\r$/, '');
}
