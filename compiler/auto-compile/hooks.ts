import type { Tensor } from '../../runtime';
import type { Value } from '../values';

/**
 * What the compiled closures tell an automatic loop trace in progress (./segment.ts), and nothing else:
 * variable reads and writes (the trace's inputs, outputs and guards), calls (only those a replay repeats
 * exactly may be traced), and writes into host objects (which a replay would not repeat). The closures
 * check `auto.rec` once per event; it is null except while a segment of a loop body is being traced.
 */
export interface AutoRecorder {
  /** A variable was read: `holder` is a global cell or a frame's vars array, `key` the slot (-1 for a cell). */
  read(holder: object, key: number, v: Value, name: string): void;
  /** A variable was assigned. */
  write(holder: object, key: number, name: string): void;
  /** An attribute of a host object (not a tensor) was read: `opt.lr`, `net.params`. */
  readAttr(obj: Value, name: string, v: Value): void;
  /** `holder.grad` is about to be read: a replay must take the .grad it finds then, not the trace's. */
  readGrad(holder: Tensor): void;
  /** A function is about to be called; refuses it unless a replay repeats it. */
  call(fn: Value): void;
  /** A method of a value is about to be called. */
  method(target: Value, name: string): void;
  /** Something a replay would not do happened: why, as a clause ("it appends to a list"). */
  deny(reason: string): void;
}

export const auto: {
  rec: AutoRecorder | null;
  /** `with eager { }` scopes now open: loops started and functions called inside run eagerly. */
  eagerScopes: number;
} = { rec: null, eagerScopes: 0 };

/** NABLA_AUTO_COMPILE=0 turns automatic compilation of loops and functions off for the process. */
export function autoCompileEnabled(): boolean {
  const v = typeof process !== 'undefined' ? process.env?.NABLA_AUTO_COMPILE : undefined;
  return !(v === '0' || v === 'false' || v === 'off');
}
