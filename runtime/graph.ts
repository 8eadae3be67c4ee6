import type { DType } from './dtype';
import { gradError } from './errors';
import { saveStorage, unsaveStorage } from './graph-owned';
import { fmtSite, type Site } from './site';
import type { Tensor } from './tensor';

/** Shape and dtype of a value a node consumed or produced: what a gradient for it must look like. */
export interface Meta {
  shape: readonly number[];
  dtype: DType;
}

/** What a backward rule sees: the saved inputs and output, the op's attributes, the input metas. */
export interface BackwardCtx {
  inputs: readonly Tensor[];
  out: Tensor;
  attrs: Readonly<Record<string, any>>;
  inputMeta: readonly Meta[];
  outMeta: Meta;
  /**
   * Which inputs' gradients this pass uses (PyTorch's needs_input_grad); absent means all. A rule may return
   * null for an input not needed, skipping its work (the gradient for a plain number in `x * 0.9`, and the
   * reduction that would sum it); returning it anyway is also correct.
   */
  needs?: readonly boolean[];
}

/**
 * An op declared once (PyTorch's derivatives.yaml entry, tfjs's *_grad.ts): its name, its backward rule
 * written in differentiable runtime ops (so create_graph and every order come free), and the formulas that
 * explain prints, one per input, with {g} for the incoming gradient and {x0}, {x1}, {out} for values.
 */
export interface OpDef {
  name: string;
  /** PyTorch-style grad_fn name shown when printing, e.g. TanhBackward0. */
  gradName: string;
  formulas: readonly string[];
  /** True when the output must be saved for backward (e.g. tanh reuses its answer). */
  saveOut?: boolean;
  /** Set for ops whose derivative is zero almost everywhere (round, sign): gradients pass as zeros. */
  zeroGrad?: boolean;
  backward(g: Tensor, ctx: BackwardCtx): (Tensor | null)[];
  /** The rule runs the user's code (a custom backward), which may keep the gradients it sees or returns. */
  userCode?: boolean;
}

export type GradHook = (g: Tensor) => Tensor | null | undefined | void;

let nextNodeId = 1;

/** A recorded operation: edges to the nodes that produced its inputs, and what backward needs. */
export class Node {
  readonly id = nextNodeId++;
  hooks: GradHook[] = [];
  /** A non-leaf tensor that asked for its .grad (retain_grad). */
  retained: Tensor | null = null;
  private saved: Tensor[] | null;
  private savedOut: Tensor | null;
  private savedVersions: number[];
  freedAt: Site | null = null;
  freed = false;
  /** The user's name for the output, when known (explain/graph). */
  name: string | null = null;

  constructor(
    readonly op: OpDef,
    readonly next: readonly (Node | null)[],
    inputs: readonly Tensor[],
    readonly attrs: Readonly<Record<string, any>>,
    readonly inputMeta: readonly Meta[],
    readonly outMeta: Meta,
    readonly site: Site | null,
    out: Tensor | null,
  ) {
    this.saved = [...inputs];
    this.savedOut = op.saveOut ? out : null;
    this.savedVersions = inputs.map((t) => t.version);
    if (out && op.saveOut) this.savedVersions.push(out.version);
    for (const t of this.saved) saveStorage(t);
    if (this.savedOut) saveStorage(this.savedOut);
  }

  get gradName(): string {
    return this.op.gradName;
  }

  /** The saved values, checked against in-place changes since they were saved; `api` names the call in errors. */
  context(api = 'backward'): BackwardCtx {
    if (this.freed || !this.saved) {
      throw gradError(
        api,
        `trying to backward through the graph a second time (through ${this.op.name}${this.site ? ' at ' + fmtSite(this.site) : ''}): its saved values were freed by the first backward. Pass retain_graph=true to the first backward or grad call if you need to go through the graph again`,
      );
    }
    const all = this.savedOut ? [...this.saved, this.savedOut] : this.saved;
    all.forEach((t, i) => {
      if (t.version !== this.savedVersions[i]) {
        const role = i < this.saved!.length ? `input ${i + 1}` : 'output';
        throw gradError(
          api,
          `a value needed to differentiate ${this.op.name}${this.site ? ' at ' + fmtSite(this.site) : ''} (its ${role}) was modified in place afterwards${t.storage.lastWrite ? ' by ' + t.storage.lastWrite : ''}; compute into a new variable instead of updating it in place, or clone it before the update`,
        );
      }
    });
    return {
      inputs: this.saved,
      out: this.savedOut as Tensor,
      attrs: this.attrs,
      inputMeta: this.inputMeta,
      outMeta: this.outMeta,
    };
  }

  /** Drops what only backward needed (PyTorch frees saved variables unless retain_graph). */
  free(): void {
    if (this.freed) return;
    const [saved, out] = [this.saved, this.savedOut];
    this.freed = true;
    this.saved = null;
    this.savedOut = null;
    for (const t of saved ?? []) unsaveStorage(t);
    if (out) unsaveStorage(out);
  }

  /** The saved inputs without checks, for explain and diagnostics (pinned: never recycled); null once freed. */
  peekInputs(): readonly Tensor[] | null {
    for (const t of this.saved ?? []) t.storage.pinned = true;
    return this.saved;
  }
}

/** The end of the graph at a leaf: gradients arriving here go to `.grad` (PyTorch's AccumulateGrad). */
export class LeafNode extends Node {
  constructor(readonly leaf: Tensor) {
    super(ACCUMULATE, [], [], {}, [], { shape: leaf.shape, dtype: leaf.dtype }, leaf.origin.site, null);
  }
}

const ACCUMULATE: OpDef = {
  name: 'leaf',
  gradName: 'AccumulateGrad',
  formulas: [],
  backward: () => [],
};
