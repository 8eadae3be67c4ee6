import { Tensor } from '../runtime';
import { tensorBundle } from './tensor';

/**
 * MIME bundles: what a front end shows for a value, keyed by MIME type (`text/plain` always present), as in
 * Jupyter's display_data. The same shape as `MimeBundle` in compiler/session.ts, declared here so display/
 * depends on the runtime only (compiler → display → runtime).
 */
export type MimeBundle = Record<string, unknown>;

/** Where displays go; `Output` in compiler/session.ts satisfies it. */
export interface DisplaySink {
  display(bundle: MimeBundle, opts?: { displayId?: string; update?: boolean; final?: boolean }): void;
}

/**
 * The protocol by which any runtime object supplies its own bundle: a method under this registered symbol
 * (`Symbol.for`, so runtime/ can implement it without importing display/). IPython's `_repr_mimebundle_`
 * is the model; a symbol cannot clash with a user-visible attribute.
 */
export const MIME_BUNDLE = Symbol.for('nabla.mimeBundle');

export interface HasMimeBundle {
  [MIME_BUNDLE](): MimeBundle;
}

function hasMimeBundle(v: unknown): v is HasMimeBundle {
  return typeof v === 'object' && v !== null && typeof (v as Partial<HasMimeBundle>)[MIME_BUNDLE] === 'function';
}

/**
 * The rich bundle for a value, or null when plain text is all it has (the session then uses its own text
 * form). Pass as `createSession({ mime: valueBundle })`.
 */
export function valueBundle(v: unknown): MimeBundle | null {
  if (v instanceof Tensor) return tensorBundle(v);
  if (hasMimeBundle(v)) {
    const b = v[MIME_BUNDLE]();
    return 'text/plain' in b ? b : { 'text/plain': String(v), ...b };
  }
  return null;
}
