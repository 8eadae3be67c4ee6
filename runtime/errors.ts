import type { Site } from './site';

/**
 * An error a user can cause. The message is a sentence saying what went wrong and what to do; `op` names the
 * operation; `site` is filled by the compiler (or by the runtime when it knows a recorded place).
 */
export class NablaError extends Error {
  site: Site | null = null;
  constructor(
    message: string,
    public readonly op: string | null = null,
    public readonly kind: 'ShapeError' | 'TypeError' | 'GradError' | 'ValueError' | 'InPlaceError' | 'AnomalyError' = 'ValueError',
  ) {
    super(message);
    this.name = kind;
  }
}

export const shapeError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'ShapeError');
export const typeError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'TypeError');
export const gradError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'GradError');
export const valueError = (op: string, msg: string) => new NablaError(`${op}: ${msg}`, op, 'ValueError');
