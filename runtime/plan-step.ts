import type { HostArray } from './dtype';
import type { Storage, View } from './storage';
import type { Instr, Resolver, Slot, ViewRef } from './trace';

/**
 * The contract between compile() (runtime/compile/plan.ts, backend-neutral) and a backend that compiles a
 * trace its own way (`Backend.compilePlan`): the plan hands over a finished trace with the storages it holds
 * for each slot, and gets back the step that replays one call. A backend without a plan compiler gets
 * compile/op-by-op.ts: every kernel a call of its own, in the trace's order.
 */
export interface PlanInput {
  readonly slots: readonly Slot[];
  readonly instrs: readonly Instr[];
  /** Slots whose values outlive the step (the result's tensors, what effects keep): a buffer for one of them is never reused. */
  readonly escapes: ReadonlySet<number>;
  /**
   * The plan's storage for each slot, indexed by slot: `ext` the storage itself; `arg` and `grad` rebound
   * before each step; `const` a copy of its snapshot; `tmp` an empty storage whose `host` the compiler sets
   * to a buffer of `slot.length` values (several tmps may share one once the first is dead).
   */
  readonly storages: Storage[];
  /** Const slots the trace writes in place: each step first sets them back to `values`. */
  readonly restore: readonly { slot: number; values: HostArray }[];
  /** A View of `v` over the plan's storage for its slot, kept pointing at the argument's storage when rebound. */
  view(v: ViewRef): View;
}

export interface PlanStats {
  kernels: number;
  fusedGroups: number;
  /** Fused groups that run as WebAssembly SIMD (backends/js/plan/wasm.ts); the others are JS loops. */
  wasmGroups: number;
  fusedOps: number;
  effects: number;
  buffers: number;
  bufferBytes: number;
}

/** One call of a compiled trace, as a backend made it. */
export interface PlanStep {
  /** Runs the trace once over `PlanInput.storages` as rebound for this call; effects resolve tensors with `resolver`. */
  run(resolver: Resolver): void;
  /** The generated code, or a listing of the calls (NABLA_DEBUG=compile, CompileInfo.source). */
  readonly source: string;
  readonly stats: PlanStats;
}

export type PlanCompiler = (plan: PlanInput) => PlanStep;
