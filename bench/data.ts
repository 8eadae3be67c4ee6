/**
 * The benchmark's one set of initial weights and data, generated from a seed and written as JSON that every
 * system's script reads (bench/nabla.ts, bench/peers/torch_bench.py, bench/peers/tfjs.ts), so all of them
 * train the same networks from the same starting point and report comparable losses.
 *
 * Weights are stored as Nabla's linear layers hold them: W [in, out] for x @ W + b (PyTorch's nn.Linear
 * holds the transpose). Glorot-uniform W, small uniform b, drawn with mulberry32.
 */
export interface Layer {
  W: number[][];
  b: number[];
}

export interface BenchData {
  seed: number;
  mlp: { sizes: number[]; layers: Layer[]; X: number[][]; Y: number[][]; lr: number };
  pinn: { sizes: number[]; layers: Layer[]; x: number[][]; f: number[][]; lr: number };
  chain: { n: number; length: number };
  matmul: { sizes: number[] };
}

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// float32 values, printed so that every reader parses exactly them
const f32 = (x: number) => Math.fround(x);

function layers(sizes: number[], u: () => number): Layer[] {
  return sizes.slice(1).map((nOut, i) => {
    const nIn = sizes[i];
    const a = Math.sqrt(6 / (nIn + nOut));
    return {
      W: Array.from({ length: nIn }, () => Array.from({ length: nOut }, () => f32((2 * u() - 1) * a))),
      b: Array.from({ length: nOut }, () => f32((2 * u() - 1) * 0.1)),
    };
  });
}

export function benchData(seed = 7): BenchData {
  const u = mulberry32(seed);
  const mlpSizes = [2, 64, 64, 1];
  const X = Array.from({ length: 4096 }, () => [f32(2 * u() - 1), f32(2 * u() - 1)]);
  const Y = X.map(([a, b]) => [f32(Math.sin(Math.PI * a) * Math.cos(Math.PI * b))]);
  const pinnSizes = [1, 32, 32, 1];
  const x = Array.from({ length: 1024 }, (_, i) => [f32(i / 1023)]);
  // u'' = -f with f = pi^2 sin(pi x) and u(0) = u(1) = 0 has the solution sin(pi x)
  const f = x.map(([v]) => [f32(Math.PI * Math.PI * Math.sin(Math.PI * v))]);
  return {
    seed,
    mlp: { sizes: mlpSizes, layers: layers(mlpSizes, u), X, Y, lr: 1e-3 },
    pinn: { sizes: pinnSizes, layers: layers(pinnSizes, u), x, f, lr: 1e-3 },
    chain: { n: 64, length: 1000 },
    matmul: { sizes: [256, 512, 1024] },
  };
}

/** Matmul operands every system builds the same way: a[i] = sin(0.001 i), b[i] = cos(0.002 i). */
export const matmulA = (i: number) => Math.sin(0.001 * i);
export const matmulB = (i: number) => Math.cos(0.002 * i);
