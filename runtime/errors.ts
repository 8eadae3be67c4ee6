import { placeOf, type Carrier, type Diagnostic } from '../diagnostic';
import type { Site } from './site';

/**
 * An error a user can cause. The message is a sentence saying what went wrong and what to do; `op` names the
 * operation; `site` is filled by the compiler (or by the runtime when it knows a recorded place).
 */
export class NablaError extends Error implements Carrier {
  site: Site | null = null;
  constructor(
    message: string,
    public readonly op: string | null = null,
    public readonly kind:
      'ShapeError' | 'TypeError' | 'GradError' | 'ValueError' | 'InPlaceError' | 'AnomalyError' = 'ValueError',
  ) {
    super(message);
    this.name = kind;
  }

  /** What the user is told (../diagnostic): the compiler adds the callers' places. */
  diagnostic(): Diagnostic {
    return { kind: this.kind, message: this.message, places: this.site ? [placeOf(this.site)] : [], notes: [] };
  }
}

export const shapeError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'ShapeError');
export const typeError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'TypeError');
export const gradError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'GradError');
export const valueError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'ValueError');
