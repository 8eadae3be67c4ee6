import { parse, type Diagnostic } from '../../grammar';
import type { ParamSpec } from '../call';
import type { BuiltinTable } from '../builtins';
import { MAX_NESTING, tooDeep } from '../depth';
import { pythonHint } from './python';
import { resolveProgram } from './resolve';

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

export function checkSource(source: string, file: string, table: BuiltinTable, opts: CheckOptions = {}): Diagnostic[] {
  const { program, diagnostics } = parse(source, file);
  const lines = source.split('\n');
  const out: Diagnostic[] = diagnostics.map((d) => {
    const hint = pythonHint(lines[d.span.start.line - 1] ?? '');
    return hint ? { ...d, message: `${d.message}; ${hint}` } : d;
  });
  const deep = program && tooDeep(program);
  if (deep) {
    // the resolver walks the tree recursively: refuse what the compiler refuses, at the same place
    out.push({ message: `this expression nests more than ${MAX_NESTING} levels deep (a long chain like 1+1+…+1, or many brackets): split it into smaller pieces with intermediate variables`, span: deep.span, severity: 'error' });
  } else if (program && !diagnostics.some((d) => d.severity === 'error')) {
    const tensorResults = new Set([...table.defs.values()].filter((d) => TENSOR_GROUPS.has(d.group)).map((d) => d.name));
    const problems = resolveProgram(program, { builtins: builtinSignatures(table), knownGlobals: opts.knownGlobals, tensorResults });
    out.push(...problems.map((p) => ({ message: p.message, span: p.node.span, severity: 'error' as const })));
  }
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset);
}
