import type { Tensor } from '../../tensor';
import { NablaError } from '../../errors';

/**
 * One op declared once, for a family table (indexing.ts, linalg.ts). From an entry come: the builtin (its
 * parameters, defaults and doc line; compiler/builtins/families.ts converts arguments by `kind`), the method
 * form in the language (every builtin whose first parameter is a tensor is a method), completion, and the
 * generated op reference in docs/language.md.
 *
 * `forward` takes the converted arguments in declaration order. Its gradient is either
 *  - a recorded rule (an OpDef in the same file whose backward is written in differentiable runtime ops), or
 *  - composite: forward is built from differentiable ops (gather, index_add, matmul, ...) whose own rules
 *    give every order of derivative.
 * `grad` is the backward formula as text, printed in the docs' op reference.
 */
export type ParamKind =
  | 'tensor' // a tensor (a number or nested list is made into one)
  | 'tensors' // a list of tensors (einsum's operands, given as the rest of the arguments)
  | 'int'
  | 'int?' // an int or none
  | 'ints' // an int or a list of ints
  | 'ints?' // an int, a list of ints, or none
  | 'index' // integer indices: a tensor or a (nested) list of ints
  | 'number'
  | 'bool'
  | 'string';

export interface FamilyParam {
  name: string;
  kind: ParamKind;
  /** Absent: required. */
  default?: number | boolean | string | null;
  /** Collects the remaining positional arguments (einsum's operands). */
  rest?: boolean;
}

export interface FamilyEntry {
  name: string;
  params: FamilyParam[];
  /** One line for completion, inspect and the docs. */
  doc: string;
  /** The backward formula as text (dA for each differentiable input, or how the composite differentiates). */
  grad: string;
  /** Whether PyTorch has the method form (t.flip(0)); the language reaches every builtin as a method anyway. */
  method: boolean;
  /** Returns a tensor, or several (sort's values and indices) as an array. */
  forward: (...args: any[]) => Tensor | Tensor[];
}

export const p = (name: string, kind: ParamKind, dflt?: FamilyParam['default']): FamilyParam =>
  dflt === undefined ? { name, kind } : { name, kind, default: dflt };

/** The most elements a family op makes at once: a few small arguments (tile's reps, pad's widths, an einsum
 * outer product) must not ask for more memory than the machine has. */
export const MAX_RESULT_ELEMENTS = 2 ** 28;

export function checkResultSize(op: string, shape: readonly number[], what = 'the result'): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_RESULT_ELEMENTS) {
    throw new NablaError(`${op}: ${what} would have shape [${shape.join(', ')}] (${n.toExponential(2)} elements), more than the ${MAX_RESULT_ELEMENTS} Nabla makes at once; use smaller sizes`, op, 'ShapeError');
  }
}
