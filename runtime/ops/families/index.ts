import type { FamilyEntry } from './entry';
import { INDEXING } from './indexing';
import { LINALG } from './linalg';

/** The op families declared as tables (entry.ts); builtins, completion and the docs' op reference come from here. */
export const FAMILIES: { family: string; title: string; entries: FamilyEntry[] }[] = [
  { family: 'indexing', title: 'Indexing and shape', entries: INDEXING },
  { family: 'linalg', title: 'Linear algebra', entries: LINALG },
];

export type { FamilyEntry, FamilyParam, ParamKind } from './entry';
export { diag, flip, gatherAlong, indexSelect, pad, repeatInterleave, roll, scatterAdd, sort, takeAlongAxis, tile, topk, trace, tril, triu } from './indexing';
export { cholesky, det, inv, slogdet, solve } from './linalg';
export { einsum } from './einsum';
