import { Cell, type Frame } from '../scope';
import type { Value } from '../values';
import type { Guard } from './guard';
import type { BuiltinInfo } from './policy';

/**
 * What a segment (./segment.ts) and the recorder that traces it (./recorder.ts) both name: where a variable
 * lives, what was read and written, and what the segment asks of the loop that holds it. Its own file so the
 * two import it rather than each other.
 */

/** Where a variable lives, resolved at compile time: a slot `depth` frames up, or a global cell. */
export interface Place {
  name: string;
  holder(f: Frame): Value[] | Cell;
  key: number;
}

export const readPlace = (h: Value[] | Cell, key: number): Value => (h instanceof Cell ? h.value : h[key]);

export interface Read {
  get: () => Value;
  name: string;
  guard: Guard;
  /** A plan argument: the variable must still hold the tensor this segment itself assigned it last. */
  carried?: boolean;
  /** The value when read (a number the segment then changes is a counter). */
  value: Value;
}

export interface Write {
  holder: Value[] | Cell;
  key: number;
  name: string;
  stmt: number;
}

export interface SegmentHost {
  /** Statement `index` (of the loop body) cannot be traced: run it eagerly from now on. */
  split(index: number, reason: string): void;
  /** `name` changes every iteration (a counter): statements that mention it run eagerly from now on. */
  taint(name: string, reason: string): void;
  builtin: BuiltinInfo;
  builtinByName: (name: string) => { name: string; group: string } | null;
  getAttr: (v: Value, name: string) => Value;
  /** Where the loop is, for the sentence a replayed value's graph gives. */
  where: string;
  /** A statement outside these body indices that uses `name`'s autograd graph: its line and why, or null. */
  usesHistory(name: string, own: readonly number[]): string | null;
}
