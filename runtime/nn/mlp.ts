import type { DType } from '../dtype';
import { shapeError, typeError } from '../errors';
import { rand } from '../ops/creation';
import { tanh } from '../ops/unary';
import type { Tensor } from '../tensor';
import { checkSizes, layerFrom, linear, linearEntries, type Linear } from './linear';
import { attachState } from './state';
import { callable, paramCount, type Model } from './model';

export type Activation = (x: Tensor) => Tensor;

export interface MLP extends Model {
  readonly layers: Linear[];
  readonly sizes: number[];
  readonly act: Activation;
}

export interface MLPOptions {
  /** Applied between layers, not after the last (the output stays linear). Default tanh. */
  act?: Activation;
  seed?: number | null;
  dtype?: DType;
}

function build(layers: Linear[], act: Activation): MLP {
  if (typeof act !== 'function') throw typeError('mlp', 'act must be a function such as tanh or relu');
  const sizes = [layers[0].nIn, ...layers.map((l) => l.nOut)];
  layers.forEach((l, i) => {
    if (l.nIn !== sizes[i])
      throw shapeError('mlp', `layer ${i + 1} takes ${l.nIn} inputs but the layer before it gives ${sizes[i]}`);
  });
  const forward = (x: Tensor) => layers.reduce((h, layer, i) => (i === 0 ? layer(h) : layer(act(h))), x);
  const params = layers.flatMap((l) => l.params);
  const text = () => `mlp([${sizes.join(', ')}], act=${act.name || 'fn'}): ${paramCount(params)} params`;
  const model = callable(forward, { layers, sizes, act, params }, text);
  return attachState(model, 'mlp', () => layers.flatMap((l, i) => linearEntries(l, `layers.${i}.`)));
}

/**
 * mlp([1, 32, 32, 1], act=tanh, seed=0): linear layers (x @ W + b, Glorot-uniform W, zero b) with act between
 * them. All weights come from one stream of the generator, layer by layer, so a one-layer mlp equals
 * `linear(nIn, nOut, seed=)` with the same seed.
 */
function mlpModel(sizes: readonly number[], opts: MLPOptions = {}): MLP {
  if (!Array.isArray(sizes) || sizes.length < 2)
    throw typeError('mlp', 'give at least two layer sizes, e.g. mlp([1, 32, 1])');
  checkSizes('mlp', sizes);
  const counts = sizes.slice(1).map((n, i) => sizes[i] * n);
  const u = rand([counts.reduce((a, b) => a + b, 0)], { seed: opts.seed, dtype: 'float64' }).storage.host;
  let off = 0;
  const layers = counts.map((c, i) =>
    layerFrom(u.subarray(off, (off += c)), sizes[i], sizes[i + 1], true, opts.dtype ?? 'float32'),
  );
  return build(layers, opts.act ?? tanh);
}

/** An mlp with PyTorch's weights: [[W1, b1], [W2, b2], ...], each W in torch layout [out, in]. */
function fromTorch(
  layers: readonly (readonly [Tensor | number[][], (Tensor | number[] | null)?])[],
  opts: { act?: Activation; dtype?: DType } = {},
): MLP {
  if (!layers.length) throw typeError('mlp.fromTorch', 'give at least one [weight, bias] pair');
  return build(
    layers.map(([W, b]) => linear.fromTorch(W, b ?? null, { dtype: opts.dtype })),
    opts.act ?? tanh,
  );
}

export const mlp = Object.assign(mlpModel, { fromTorch });
