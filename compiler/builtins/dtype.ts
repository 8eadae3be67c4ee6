import type * as nb from '../../runtime';
import { LangError } from '../operators';
import type { Value } from '../values';

export const DTYPES = ['float32', 'float64', 'complex64'];

/** The dtype= option of creation builtins: none means float32. */
export function dtypeOf(v: Value, fn: string): nb.DType {
  if (v === null || v === undefined) return 'float32';
  if (typeof v !== 'string' || !DTYPES.includes(v))
    throw new LangError(`${fn}: dtype must be one of ${DTYPES.map((d) => `"${d}"`).join(', ')}`);
  return v as nb.DType;
}
