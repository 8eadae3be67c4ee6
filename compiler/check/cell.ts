import { parse, renderDiagnostic, shaped, type Diagnostic } from '../../grammar';
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

/** Cells above the one being edited are parsed at every check: their names, by source text (bounded). */
const namesBySource = new Map<string, string[]>();
const NAMES_CACHED = 256;
const CACHED_SOURCE_CHARS = 1 << 16;

/** The names a cell's source binds at top level; nothing when it does not parse. */
export function namesDefinedBy(source: string): string[] {
  const cached = namesBySource.get(source);
  if (cached) return cached;
  const { program, diagnostics } = parse(source, 'cell');
  const names = program && !diagnostics.some((d) => d.severity === 'error') ? topLevelNames(program) : [];
  if (source.length > CACHED_SOURCE_CHARS) return names;
  if (namesBySource.size >= NAMES_CACHED) namesBySource.delete(namesBySource.keys().next().value!);
  namesBySource.set(source, names);
  return names;
}

/** A cell refused because the checker found errors: one error listing every problem with its place. */
export function checkFailure(found: readonly Diagnostic[], source: string, file: string, syntax: boolean) {
  const count = `${found.length} problem${found.length === 1 ? '' : 's'}`;
  return {
    ok: false as const,
    ename: syntax ? 'SyntaxError' : 'CheckError',
    evalue: found.length === 1 ? found[0].message : `${count} found before running (the first: ${found[0].message})`,
    traceback: [
      ...found.map((d) => renderDiagnostic(d, source, file)),
      `${file}: ${count} found before running it; nothing ran, and every variable is as it was`,
    ],
    // the one error shape (diagnostic/): each problem with its place, which the playground marks
    diagnostics: found.map((d) => ({ ...shaped(d, file), kind: syntax ? 'SyntaxError' : 'CheckError' })),
  };
}
