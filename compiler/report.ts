import { Interrupted, NablaError, type Site } from '../runtime';
import { renderDiagnostic } from '../grammar';
import { TRACE, type TraceFrame } from './compiler';
import { LangError } from './operators';

/**
 * Turns anything thrown while running a cell into what the user sees: a name, a sentence, and the place in
 * their source with a caret, never a JavaScript stack trace. Errors that are not the user's say so.
 */
export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

export function reportError(e: unknown, site: Site | null, sources: ReadonlyMap<string, string>): ErrorReport {
  let ename: string;
  let evalue: string;
  if (e instanceof Interrupted) {
    ename = 'KeyboardInterrupt';
    evalue = 'interrupted by the user';
  } else if (e instanceof NablaError) {
    ename = e.kind;
    evalue = e.message;
    site = e.site ?? site;
  } else if (e instanceof LangError) {
    ename = e.ename;
    evalue = e.message;
  } else if (e instanceof RangeError && /call stack/i.test(e.message)) {
    ename = 'RecursionError';
    evalue = 'maximum recursion depth exceeded (a function calls itself without end?)';
  } else {
    ename = 'InternalError';
    evalue = `internal error: ${e instanceof Error ? e.message : String(e)} (this is a bug in Nabla, not in your code; please report it with the cell that caused it)`;
  }
  const traceback = [site ? renderAt(site, `${ename}: ${evalue}`, sources) : `${ename}: ${evalue}`];
  const frames = (e && typeof e === 'object' ? (e as Record<symbol, TraceFrame[]>)[TRACE] : undefined) ?? [];
  // a deep recursion leaves one frame per call: the innermost few say where, the outermost few how it
  // started, and the rest is counted (Python shortens repeated frames the same way)
  const shown = frames.length > SHOWN_FRAMES * 2 ? [...frames.slice(0, SHOWN_FRAMES), null, ...frames.slice(-SHOWN_FRAMES)] : frames;
  for (const fr of shown) {
    traceback.push(fr ? renderAt(fr.site, `called from here`, sources, 'note') : `  … (${frames.length - SHOWN_FRAMES * 2} more frames)`);
  }
  return { ename, evalue, traceback };
}

/** Frames shown at each end of a long traceback. */
const SHOWN_FRAMES = 3;

function renderAt(site: Site, message: string, sources: ReadonlyMap<string, string>, severity: 'error' | 'note' = 'error'): string {
  const src = sources.get(site.file);
  const span = { start: { offset: 0, line: site.line, col: site.col }, end: { offset: 0, line: site.line, col: site.col } };
  if (src === undefined) return `${site.file}:${site.line}:${site.col}: ${message}`;
  return renderDiagnostic({ message, span, severity: severity as 'error' }, src, site.file).replace(': error: ', severity === 'note' ? ': note: ' : ': ');
}
