/**
 * The indexing and linalg families: each module declares its table and registers it with the op registry
 * (runtime/ops/registry), from which builtins, methods, completion and the docs' op reference derive.
 */
export {
  INDEXING,
  diag,
  flip,
  gatherAlong,
  indexSelect,
  pad,
  repeatInterleave,
  roll,
  scatterAdd,
  sort,
  takeAlongAxis,
  tile,
  topk,
  trace,
  tril,
  triu,
} from './indexing';
export { LINALG, cholesky, det, inv, slogdet, solve } from './linalg';
export { einsum } from './einsum';
export type { FamilyRow } from './entry';
