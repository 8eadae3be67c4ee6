import * as nb from '../runtime';

/** The weights of the language's mlp(sizes, seed=seed), as PyTorch's Linear layers want them: [[W [out, in], b], ...]. */
export function torchLayers(sizes: number[], seed: number): [number[][], number[]][] {
  const net = nb.mlp(sizes, { seed });
  return net.layers.map((l) => {
    const [nIn, nOut] = l.weight.shape;
    const w = Array.from(l.weight.toHost() as Float32Array);
    const torchW = Array.from({ length: nOut }, (_, o) => Array.from({ length: nIn }, (_, i) => w[i * nOut + o]));
    return [torchW, Array.from(l.bias!.toHost() as Float32Array)];
  });
}
