import { lastKernel, runKernelStorage } from '../backend';
import { bytesPerElement, lanes, type DType } from '../dtype';
import { typeError } from '../errors';
import { traceState } from '../hooks';
import type { KernelAttrs } from '../kernels';
import { checkAllocation } from '../limits';
import { contiguousStrides, sameShape, sizeOf } from '../shape';
import { Tensor } from '../tensor';

/** A tensor, or a plain number that takes the dtype of the tensor it meets (PyTorch's scalar rule). */
export type TensorLike = Tensor | number;

export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  const t = Tensor.fromHost(
    dtype === 'float64' ? new Float64Array(lanes(dtype)) : new Float32Array(lanes(dtype)),
    [],
    dtype,
    'scalar',
  );
  t.storage.host[0] = v;
  return t;
}

export function asTensor(x: TensorLike, dtype: DType = 'float32'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return scalar(x, dtype === 'bool' ? 'float32' : dtype);
  if (typeof x === 'boolean') return scalar(x ? 1 : 0, 'bool');
  throw typeError('tensor', `expected a tensor or a number, got ${describeValue(x)}`);
}

export function describeValue(x: unknown): string {
  if (x === null || x === undefined) return 'none';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'string') return 'a string';
  if (typeof x === 'function') return 'a function';
  return typeof x;
}

/** Runs a kernel and wraps its result as a fresh contiguous tensor (not yet recorded). */
export function compute(
  kernel: string,
  inputs: readonly Tensor[],
  attrs: KernelAttrs,
  shape: readonly number[],
  dtype: DType,
  op = kernel,
): Tensor {
  // every op's result passes here: its size is checked before a kernel allocates it
  checkAllocation(op, shape, bytesPerElement(dtype));
  const out = new Tensor(
    runKernelStorage(kernel, inputs, attrs, { shape, dtype }),
    [...shape],
    contiguousStrides(shape),
    0,
    dtype,
    op,
  );
  traceState.current?.kernel(kernel, inputs, attrs, out, lastKernel.backend);
  return out;
}

/** A view sharing t's storage (no copy, not recorded). */
export function rawView(
  t: Tensor,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  op: string,
): Tensor {
  return new Tensor(t.storage, [...shape], [...strides], offset, t.dtype, op);
}

/** Broadcasts a view to `shape` with stride-0 dimensions (not recorded: the consumer's rule sums back). */
export function rawExpand(t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const lead = shape.length - t.rank;
  const strides = shape.map((d, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    return t.shape[j] === 1 && d !== 1 ? 0 : t.strides[j];
  });
  return rawView(t, shape, strides, t.offset, 'expand');
}

export function rawContiguous(t: Tensor): Tensor {
  if (t.isContiguous && t.offset === 0 && t.storage.length === sizeOf(t.shape) * lanes(t.dtype)) return t;
  return compute('copy', [t], {}, t.shape, t.dtype, 'contiguous');
}

export { contiguousStrides };
