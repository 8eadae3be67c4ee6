import type { DType, HostArray } from './dtype';
import type { KernelAttrs } from './kernels';
import type { Storage } from './storage';
import type { Tensor } from './tensor';

/**
 * What a trace records (runtime/compile/tracer.ts writes it down; a backend's plan compiler reads it,
 * ./plan-step.ts): the core owns these types so that backends can compile a trace without knowing the tracer.
 *
 * Buffers are named by slot:
 * - `ext`: a storage that existed before the call (params, data, optimizer state): read live at replay;
 * - `arg`: the storage of a tensor argument, rebound each call;
 * - `grad`: the storage of a .grad that a backward accumulates into, as the call found it: rebound each call
 *   to what that .grad is then (a loop that never zeroes x.grad keeps adding to it, as eagerly);
 * - `const`: made during the call by host code (a literal, scalar(), ones_like's seed): its values, snapshot
 *   when first seen, are the same each call;
 * - `tmp`: a kernel's output: the plan gives it a buffer of its own.
 */
export type SlotKind = 'ext' | 'arg' | 'grad' | 'const' | 'tmp';

export interface Slot {
  id: number;
  kind: SlotKind;
  dtype: DType;
  /** Number of host values (lanes included). */
  length: number;
  /** ext: the storage itself. */
  storage?: Storage;
  /** arg: which argument. */
  arg?: number;
  /** grad: whose .grad. */
  holder?: Tensor;
  /** const: the values when first seen. */
  snapshot?: HostArray;
}

export interface ViewRef {
  slot: number;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
  dtype: DType;
}

/** Maps the tensors a trace saw to the ones that stand for them in a replayed call. */
export interface Resolver {
  /** The tensor that stands, in this call, for `t` as the trace saw it. */
  tensor(t: Tensor): Tensor;
}

export type Instr =
  | {
      k: 'kernel';
      name: string;
      backend: string;
      inputs: ViewRef[];
      attrs: KernelAttrs;
      out: number;
      shape: readonly number[];
      dtype: DType;
    }
  | { k: 'write'; dst: ViewRef; src: ViewRef }
  | { k: 'effect'; label: string; replay: (r: Resolver) => void; uses: number[] };

export type KernelInstr = Extract<Instr, { k: 'kernel' }>;

/**
 * A finished trace as a backend that compiles whole traces sees it (`Backend.compileTrace`); compile/tracer.ts's
 * Tracer is one.
 */
export interface TraceRecord {
  readonly slots: readonly Slot[];
  readonly instrs: readonly Instr[];
  /** The traced call's arguments, by position (a replay passes its own in their place). */
  readonly args: readonly (Tensor | null)[];
  /** The .grad tensors the call read, and what each was when it began (a replay needs the same layout). */
  readonly gradGuards: readonly { holder: Tensor; was: Tensor | null }[];
  /** The slot of a storage the trace saw (assigning one if it is new). */
  slotOf(st: Storage): number;
  /** The slot of a storage the trace saw, or undefined. */
  knownSlot(st: Storage): number | undefined;
}

/** The slots an instruction reads (a write reads its destination too: it may be a view of it). */
export const slotsRead = (ins: Instr): readonly number[] =>
  ins.k === 'kernel' ? ins.inputs.map((v) => v.slot) : ins.k === 'write' ? [ins.dst.slot, ins.src.slot] : ins.uses;

/** Every slot an instruction touches: what it reads, and a kernel's output. */
export const slotsTouched = (ins: Instr): readonly number[] =>
  ins.k === 'kernel' ? [...ins.inputs.map((v) => v.slot), ins.out] : slotsRead(ins);
