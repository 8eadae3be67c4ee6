import type { Site } from '../runtime';
import { CALLED_FROM, carried, failed, placeless, placeOf, type Diagnostic } from '../diagnostic';
import { TRACE, type TraceFrame } from './compiler';

/**
 * Turns anything thrown while running a cell into the one error shape (../diagnostic), and that into what the
 * user sees: a name, a sentence, and the place in their source with a caret, never a JavaScript stack trace.
 * Errors that are not the user's say so.
 */
export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
  /** What the text says, as data: front ends mark places from it (the playground's editors). */
  diagnostics: Diagnostic[];
}

/** The diagnostic of anything thrown while a cell ran at `site` (the compiler's current place). */
export function diagnose(e: unknown, site: Site | null): Diagnostic {
  const d = carried(e) ?? notCarried(e);
  // an error that knows no place of its own happened where the compiler was
  const places = d.places.length || !site ? [...d.places] : [placeOf(site)];
  const frames = (e && typeof e === 'object' ? (e as Record<symbol, TraceFrame[]>)[TRACE] : undefined) ?? [];
  // a deep recursion leaves one frame per call: the innermost few say where, the outermost few how it
  // started, and the rest is counted (Python shortens repeated frames the same way)
  const long = frames.length > SHOWN_FRAMES * 2;
  const shown = long ? [...frames.slice(0, SHOWN_FRAMES), ...frames.slice(-SHOWN_FRAMES)] : frames;
  const withCallers = { ...d, places: [...places, ...shown.map((f) => placeOf(f.site, CALLED_FROM))] };
  return long
    ? { ...withCallers, omitted: { after: SHOWN_FRAMES, count: frames.length - SHOWN_FRAMES * 2 } }
    : withCallers;
}

function notCarried(e: unknown): Diagnostic {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return placeless('RecursionError', 'maximum recursion depth exceeded', 'a function calls itself without end?');
  }
  const why = e instanceof Error ? e.message : String(e);
  return placeless(
    'InternalError',
    `internal error: ${why}`,
    'this is a bug in Nabla, not in your code; please report it with the cell that caused it',
  );
}

export function reportError(e: unknown, site: Site | null, sources: ReadonlyMap<string, string>): ErrorReport {
  return reportDiagnostics([diagnose(e, site)], sources);
}

/** The one rendering of diagnostics (the first names the error) for a Session's result. */
export function reportDiagnostics(ds: Diagnostic[], sources: ReadonlyMap<string, string>): ErrorReport {
  const { ok: _, ...report } = failed(ds, (f) => sources.get(f));
  return report;
}

/** Frames shown at each end of a long traceback. */
const SHOWN_FRAMES = 3;
