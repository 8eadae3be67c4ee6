import { parse, renderDiagnostic, type Diagnostic } from '../../grammar';
import type * as A from '../../grammar/ast';
import { collectBindings } from './resolve';

/**
 * The checker as the live front ends use it, one cell at a time: the kernel and the playground check a
 * cell with the names the session (and the cells above it) already define, and refuse to run a cell with
 * errors, listing them all as `nabla check` prints them.
 */

/** The names a program binds at top level (assignments, functions, loop variables, `with … as`), run or not. */
export function topLevelNames(program: A.Program): string[] {
  const names = new Set<string>();
  collectBindings(program.body, names, new Map());
  return [...names];
}

/** The names a cell's source binds at top level; nothing when it does not parse. */
export function namesDefinedBy(source: string): string[] {
  const { program, diagnostics } = parse(source, 'cell');
  return program && !diagnostics.some((d) => d.severity === 'error') ? topLevelNames(program) : [];
}

/** A cell refused because the checker found errors: one error listing every problem with its place. */
export function checkFailure(found: readonly Diagnostic[], source: string, file: string, syntax: boolean) {
  const count = `${found.length} problem${found.length === 1 ? '' : 's'}`;
  return {
    ok: false as const,
    ename: syntax ? 'SyntaxError' : 'CheckError',
    evalue: found.length === 1 ? found[0].message : `${count} found before running (the first: ${found[0].message})`,
    traceback: [...found.map((d) => renderDiagnostic(d, source, file)), `${file}: ${count} found before running it; nothing ran, and every variable is as it was`],
  };
}
