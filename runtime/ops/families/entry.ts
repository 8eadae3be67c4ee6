import type { Tensor } from '../../tensor';
import { NablaError } from '../../errors';
import type { OpDef } from '../../graph';
import type { ForwardEntry, ParamDecl, ParamKind } from '../registry';

/**
 * A row of the indexing and linalg tables (indexing.ts, linalg.ts): the op's parameters in call order, each
 * with its kind (ParamKind in the registry's types.ts), and `forward` taking them in that order.
 * `registryEntry` makes the registry's entry of it (registered by each table's module): the leading tensor
 * parameters become the entry's `inputs`, the rest its `params` (kinds kept, so index lists and axis lists
 * convert precisely), `grad` its formula. Builtin, methods, completion and the docs' op reference then come
 * from the registry, as for every family (runtime/ops/registry/README.md).
 *
 * The gradient is either a recorded rule (an OpDef in the same file whose backward is written in
 * differentiable runtime ops), or composite: forward is built from differentiable ops (gather, index_add,
 * matmul, ...) whose own rules give every order of derivative. `grad` is the recorded rule's OpDef (its
 * formulas, one per input, are the entry's: declared once), or for a composite the formula as text.
 */
export interface FamilyRow {
  name: string;
  params: ParamDecl[];
  /** One line for completion, inspect and the docs. */
  doc: string;
  /** The OpDef whose rule forward records (its formulas become the entry's), or a composite's formula as text. */
  grad: OpDef | string;
  /** Whether PyTorch has the method form (t.flip(0)); the language reaches every builtin as a method anyway. */
  method: boolean;
  /** Returns a tensor, or several (sort's values and indices) as an array. */
  forward: (...args: any[]) => Tensor | Tensor[];
}

/** A parameter with its kind; no default: required. */
export const p = (name: string, kind: ParamKind, dflt?: ParamDecl['default']): ParamDecl =>
  dflt === undefined ? { name, kind } : { name, kind, default: dflt };

/** The registry's entry of a row: positional forward behind the registry's `forward(...inputs, kw)`. */
export function registryEntry(family: string, row: FamilyRow): ForwardEntry {
  let n = 0;
  while (n < row.params.length && row.params[n].kind === 'tensor' && !('default' in row.params[n])) n++;
  const params = row.params.slice(n);
  return {
    name: row.name,
    family,
    doc: row.doc,
    inputs: row.params.slice(0, n).map((q) => q.name),
    params,
    formulas: typeof row.grad === 'string' ? [row.grad] : row.grad.formulas,
    surface: 'builtin',
    method: row.method,
    forward: (...args: unknown[]) => {
      const kw = (args[n] ?? {}) as Record<string, unknown>;
      return row.forward(...args.slice(0, n), ...params.map((q) => kw[q.name]));
    },
  };
}

/** The most elements a family op makes at once: a few small arguments (tile's reps, pad's widths, an einsum
 * outer product) must not ask for more memory than the machine has. */
export const MAX_RESULT_ELEMENTS = 2 ** 28;

export function checkResultSize(op: string, shape: readonly number[], what = 'the result'): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_RESULT_ELEMENTS) {
    throw new NablaError(
      `${op}: ${what} would have shape [${shape.join(', ')}] (${n.toExponential(2)} elements), more than the ${MAX_RESULT_ELEMENTS} Nabla makes at once; use smaller sizes`,
      op,
      'ShapeError',
    );
  }
}
