// Diagnostics as text, the one way every front end prints them (CLI, Jupyter traceback, playground):
//
//   cell[3]:2:5: ShapeError: matmul: shapes [2, 3] and [2, 3] do not line up   ← found while running
//     y = a @ b
//         ^
//   cell[3]:7:1: note: called from here
//     …
//   cell[4]:1:9: error: expected an expression after '+'                         ← found before running
//
// Python's `Kind: message` heads errors found while running; errors found before running (syntax, compile)
// read as a compiler's `error: message`. The text is what tests and users compare, so it changes only here.
import { CALLED_FROM, type Diagnostic, type Place } from './shape';

/** The source text of a file the user ran, if the renderer knows it. */
export type SourceOf = (file: string) => string | undefined;

/** What Jupyter calls ename and evalue. */
export function headline(d: Diagnostic): { ename: string; evalue: string } {
  return { ename: d.kind, evalue: d.remedy ? `${d.message} (${d.remedy})` : d.message };
}

/** The traceback entries of one diagnostic: its place with a caret, each caller's, then its notes. */
export function renderTraceback(d: Diagnostic, sourceOf: SourceOf): string[] {
  const { ename, evalue } = headline(d);
  const head = d.severity ? `${d.severity}: ${evalue}` : `${ename}: ${evalue}`;
  // the error's own place has no label; without one (an error outside any site) the head has no place
  const own = d.places[0]?.label === '' ? d.places[0] : undefined;
  const callers = own ? d.places.slice(1) : d.places;
  const out = [own ? renderPlace(own, head, sourceOf) : head];
  callers.forEach((p, i) => {
    if (d.omitted && i === d.omitted.after) out.push(`  … (${d.omitted.count} more frames)`);
    out.push(renderPlace(p, p.label || CALLED_FROM, sourceOf, true));
  });
  for (const n of d.notes) out.push(`note: ${n}`);
  return out;
}

/** Several diagnostics (all the syntax errors of a cell) as one traceback. */
export function renderAll(ds: readonly Diagnostic[], sourceOf: SourceOf): string[] {
  return ds.flatMap((d) => renderTraceback(d, sourceOf));
}

function renderPlace(p: Place, text: string, sourceOf: SourceOf, note = false): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  const src = sourceOf(p.file);
  // without its source a place is one line; a caller's is then not marked as a note (as before the shape)
  if (src === undefined) return `${where}: ${text}`;
  return `${where}: ${note ? 'note: ' : ''}${text}${excerpt(src, p.line, p.col)}`;
}

/** The source line and a caret under the column, each indented by two spaces. */
export function excerpt(source: string, line: number, col: number): string {
  const lineText = source.split(/\r\n|\r|\n/)[line - 1] ?? '';
  // copy tabs from the source line so the caret lines up however wide a tab is shown
  const pad = Array.from(lineText)
    .slice(0, col - 1)
    .map((ch) => (ch === '\t' ? '\t' : ' '))
    .join('');
  return `\n  ${lineText}\n  ${pad}^`;
}

/** A failed run's result fields: ename and evalue of the first diagnostic, the traceback of all, and the data. */
export function failed(ds: readonly Diagnostic[], sourceOf: SourceOf = () => undefined) {
  return { ok: false as const, ...headline(ds[0]), traceback: renderAll(ds, sourceOf), diagnostics: [...ds] };
}
