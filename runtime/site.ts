/**
 * Where in the user's source an operation happens. The compiler sets `currentSite` before it evaluates an
 * expression (a reference assignment, so provenance is cheap), and every tensor and graph node keeps the site
 * that produced it, so errors and explanations can name the line.
 */
export interface Site {
  file: string;
  line: number;
  col: number;
  /** The source text of the expression, when the compiler knows it. */
  text?: string;
}

/** The current session's place (context.ts moves it when another session's context becomes current). */
export const siteState: { current: Site | null } = { current: null };

export function fmtSite(s: Site | null | undefined): string {
  if (!s) return 'an unknown place';
  return `${s.file}:${s.line}:${s.col}`;
}
