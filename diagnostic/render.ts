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
  const whole = lineText(source, line);
  let from = 0;
  let to = whole.length;
  let before: string;
  if (whole.length > LONG_LINE) {
    // a very long line is shown around the caret: a large source with many errors on one line would
    // otherwise print (and scan) the whole line for each; here the column is taken as UTF-16 units
    const at = Math.min(whole.length, Math.max(0, col - 1));
    from = Math.max(0, at - SHOWN_AROUND);
    to = Math.min(whole.length, at + SHOWN_AROUND);
    if (isLowSurrogate(whole.charCodeAt(from))) from--;
    if (isLowSurrogate(whole.charCodeAt(to))) to++;
    before = (from > 0 ? '…' : '') + whole.slice(from, at);
  } else {
    before = Array.from(whole)
      .slice(0, col - 1)
      .join('');
  }
  const shown = (from > 0 ? '…' : '') + whole.slice(from, to) + (to < whole.length ? '…' : '');
  // copy tabs from the source line so the caret lines up however wide a tab is shown
  const pad = Array.from(before)
    .map((ch) => (ch === '\t' ? '\t' : ' '))
    .join('');
  return `\n  ${shown}\n  ${pad}^`;
}

/** Lines longer than this (UTF-16 units) are shown SHOWN_AROUND units either side of the caret. */
const LONG_LINE = 1000;
const SHOWN_AROUND = 120;

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

// Where each line of the source rendered last starts: rendering each of many diagnostics of a large source
// must not split the whole source again (\r\n, \r and \n end a line, as the lexer reads them).
let indexed: { source: string; starts: Int32Array } | undefined;

function lineText(source: string, line: number): string {
  if (indexed?.source !== source) {
    const starts = [0];
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 13 && source.charCodeAt(i + 1) === 10) i++;
      if (c === 10 || c === 13) starts.push(i + 1);
    }
    indexed = { source, starts: Int32Array.from(starts) };
  }
  const { starts } = indexed;
  if (line < 1 || line > starts.length) return '';
  const end = line < starts.length ? starts[line] : source.length;
  return source.slice(starts[line - 1], end).replace(/(\r\n|\r|\n)$/, '');
}

/** A failed run's result fields: ename and evalue of the first diagnostic, the traceback of all, and the data. */
export function failed(ds: readonly Diagnostic[], sourceOf: SourceOf = () => undefined) {
  return { ok: false as const, ...headline(ds[0]), traceback: renderAll(ds, sourceOf), diagnostics: [...ds] };
}
