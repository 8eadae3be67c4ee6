import type { DType } from '../dtype';
import { shapeError, typeError } from '../errors';
import { add } from '../ops/binary';
import { rand } from '../ops/creation';
import { matmul } from '../ops/matmul';
import { Tensor } from '../tensor';
import { callable, leaf, paramCount, type Model } from './model';
import { attachState, type StateEntry } from './state';

/** A layer's state_dict entries, torch names under `prefix` (weight transposed to torch's [out, in]). */
export const linearEntries = (l: Linear, prefix: string): StateEntry[] => [
  { key: `${prefix}weight`, param: l.weight, transposed: true },
  ...(l.bias ? [{ key: `${prefix}bias`, param: l.bias, transposed: false }] : []),
];

export interface Linear extends Model {
  /** Shape [nIn, nOut]: the layer computes x @ weight + bias. (PyTorch stores the transpose, [out, in].) */
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly nIn: number;
  readonly nOut: number;
}

export interface LinearOptions {
  /** Seeds the draw of the weights; without it they come from the global generator (`seed(n)`). */
  seed?: number | null;
  bias?: boolean;
  dtype?: DType;
}

/** Glorot (Xavier) uniform, U(−a, a) with a = √(6 / (nIn + nOut)), from uniforms u in [0, 1). */
export function glorot(u: ArrayLike<number>, nIn: number, nOut: number): Float64Array {
  const a = Math.sqrt(6 / (nIn + nOut));
  return Float64Array.from(u, (v) => (2 * v - 1) * a);
}

/** Builds the layer around given tensors (weight [nIn, nOut]). */
export function makeLinear(weight: Tensor, bias: Tensor | null): Linear {
  const [nIn, nOut] = weight.shape;
  const forward = (x: Tensor) => {
    if (!(x instanceof Tensor)) throw typeError('linear', 'the input must be a tensor');
    if (x.rank === 0 || x.shape[x.rank - 1] !== nIn) {
      throw shapeError(
        'linear',
        `this layer takes inputs whose last dimension is ${nIn}, got shape [${x.shape.join(', ')}] (for a batch of numbers use shape [n, 1])`,
      );
    }
    const y = matmul(x, weight);
    return bias ? add(y, bias) : y;
  };
  const params = bias ? [weight, bias] : [weight];
  const text = () => `linear(${nIn}, ${nOut}${bias ? '' : ', bias=false'}): ${paramCount(params)} params`;
  const model = callable(forward, { weight, bias, nIn, nOut, params, layers: [] as Model[] }, text);
  return attachState(model, 'linear', () => linearEntries(model, ''));
}

/** linear(nIn, nOut, seed=, bias=true, dtype='float32'): x @ W + b with W [nIn, nOut] Glorot-uniform, b zeros. */
function linearLayer(nIn: number, nOut: number, opts: LinearOptions = {}): Linear {
  checkSizes('linear', [nIn, nOut]);
  const u = rand([nIn * nOut], { seed: opts.seed, dtype: 'float64' }).storage.host;
  return layerFrom(u, nIn, nOut, opts.bias ?? true, opts.dtype ?? 'float32');
}

/** A layer from uniform draws (mlp draws all its layers from one stream). */
export function layerFrom(u: ArrayLike<number>, nIn: number, nOut: number, bias: boolean, dtype: DType): Linear {
  const W = leaf(glorot(u, nIn, nOut), [nIn, nOut], dtype);
  return makeLinear(W, bias ? leaf(new Float64Array(nOut), [nOut], dtype) : null);
}

/**
 * A layer with PyTorch's weights: `weight` in torch layout [out, in] (transposed here to [in, out]) and an
 * optional bias [out]. Values are copied, so the new params are fresh leaves.
 */
function fromTorch(
  weight: Tensor | number[][],
  bias: Tensor | number[] | null = null,
  opts: { dtype?: DType } = {},
): Linear {
  const W = weight instanceof Tensor ? weight : null;
  const dtype = opts.dtype ?? W?.dtype ?? 'float32';
  const rows = W ? W.shape[0] : (weight as number[][]).length;
  const flat = W ? Array.from(W.toHost()) : (weight as number[][]).flat();
  if ((W && W.rank !== 2) || rows === 0 || flat.length % rows !== 0)
    throw shapeError('linear.fromTorch', 'the weight must be a matrix [out, in]');
  const [nOut, nIn] = [rows, flat.length / rows];
  const t = new Float64Array(nIn * nOut);
  for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) t[i * nOut + o] = flat[o * nIn + i];
  let b: Tensor | null = null;
  if (bias !== null) {
    const bv = bias instanceof Tensor ? Array.from(bias.toHost()) : bias;
    if (bv.length !== nOut)
      throw shapeError('linear.fromTorch', `the bias has ${bv.length} entries but the weight has ${nOut} outputs`);
    b = leaf(bv, [nOut], dtype);
  }
  return makeLinear(leaf(t, [nIn, nOut], dtype), b);
}

export function checkSizes(fn: string, sizes: readonly number[]): void {
  if (!sizes.every((n) => Number.isInteger(n) && n > 0))
    throw typeError(fn, `layer sizes must be positive integers, got [${sizes.join(', ')}]`);
}

export const linear = Object.assign(linearLayer, { fromTorch });
