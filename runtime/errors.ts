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

/** The sentence every internal error ends with: the user did nothing wrong and can say what happened. */
export const BUG_REMEDY = 'this is a bug in Nabla, not in your code; please report it with the cell that caused it';

/**
 * A broken invariant inside Nabla (never a user's mistake): the same error shape as the others (../diagnostic),
 * kind InternalError, with a remedy that says so. The message starts "internal error".
 */
export class InternalBug extends Error implements Carrier {
  constructor(
    message: string,
    readonly remedy = BUG_REMEDY,
  ) {
    super(message);
    this.name = 'InternalError';
  }

  diagnostic(): Diagnostic {
    return { kind: 'InternalError', message: this.message, places: [], notes: [], remedy: this.remedy };
  }
}

/** Throw this where an invariant breaks: `throw bug('what was expected')`. */
export const bug = (message: string) => new InternalBug(`internal error: ${message}`);

/** A GPU backend failed inside (a lost device, a kernel that would not build): the js backend avoids it. */
export const gpuBug = (where: string, why: string) =>
  new InternalBug(`internal error in ${where}: ${why}`, `${BUG_REMEDY}; NABLA_BACKEND=js avoids it meanwhile`);
