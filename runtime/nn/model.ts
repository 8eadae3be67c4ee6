import { allocHost, type DType } from '../dtype';
import { Tensor } from '../tensor';

/**
 * A model is a function with properties, so the language calls it like any function (`model(x)`) and reads
 * `.params` and `.layers` like attributes; nothing in the compiler needs to know about models.
 */
export interface Model {
  (x: Tensor): Tensor;
  /** The trainable leaves, in order (weights before biases, first layer first), ready for an optimizer. */
  readonly params: Tensor[];
  /** The sub-models, for a composite model; empty for a single layer. */
  readonly layers: Model[];
  /** PyTorch's state_dict: torch names and layouts (runtime/nn/state.ts). */
  readonly stateDict?: () => Map<string, Tensor>;
  readonly loadStateDict?: (d: unknown, opts?: { strict?: boolean }) => null;
}

export function callable<P extends object>(forward: (x: Tensor) => Tensor, props: P, text: () => string): Model & P {
  const model = ((x: Tensor) => forward(x)) as Model & P;
  Object.assign(model, props);
  // the language and Node's console both show a model by its text, not by its source code
  Object.defineProperty(model, 'toString', { value: text });
  Object.defineProperty(model, Symbol.for('nodejs.util.inspect.custom'), { value: text });
  return model;
}

/** A trainable leaf built from numbers (the init and the torch loaders compute values on the host). */
export function leaf(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const host = allocHost(dtype, values.length);
  host.set(values);
  const t = Tensor.fromHost(host, shape, dtype, 'param');
  t.requiresGrad = true;
  return t;
}

export const paramCount = (params: readonly Tensor[]) => params.reduce((n, p) => n + p.size, 0).toLocaleString('en-US');
