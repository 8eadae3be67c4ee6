import { checkAllocation, MAX_ELEMENTS } from './limits';

/** Element types. complex64 stores interleaved (re, im) float32 pairs; bool stores 0/1 in float32. */
export type DType = 'float32' | 'float64' | 'complex64' | 'bool';

export type HostArray = Float32Array | Float64Array;

export const isComplex = (d: DType) => d === 'complex64';

/** Numbers per element in storage. */
export const lanes = (d: DType) => (d === 'complex64' ? 2 : 1);
/** Bytes per element in storage. */
export const bytesPerElement = (d: DType) => (d === 'float64' || d === 'complex64' ? 8 : 4);

export function allocHost(dtype: DType, size: number): HostArray {
  // the last line of defence: ops check their result's size with its name first (limits.ts)
  if (!(size <= MAX_ELEMENTS)) checkAllocation('allocate', [size]);
  return dtype === 'float64' ? new Float64Array(size * lanes(dtype)) : new Float32Array(size * lanes(dtype));
}

/** PyTorch's promotion restricted to our dtypes: bool < float32 < float64, and anything with complex is complex. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'complex64' || b === 'complex64') return 'complex64';
  if (a === 'float64' || b === 'float64') return 'float64';
  return 'float32';
}

/** The real dtype that holds the parts of a complex one (and the dtype of abs/angle). */
export const realOf = (d: DType): DType => (d === 'complex64' ? 'float32' : d === 'bool' ? 'float32' : d);
