/**
 * jax-js's side of `npm run bench` (bench/run.ts): the same workloads as bench/nabla.ts on jax-js's wasm device
 * (its kernels are generated WebAssembly; webgpu needs a browser's `navigator.gpu`, so Node gets wasm), from the
 * same data, timed by the same rule. Run alone: `npx tsx bench/peers/jaxjs.ts DATA.json [--budget ms]`.
 *
 * Each training step is one `jit`: the loss, its gradient (`valueAndGrad`) and an Adam update written with
 * jax-js's own ops (PyTorch's Adam: bias-corrected, eps 1e-8), as a JAX user would with optax. jax-js counts
 * references: every function takes ownership of the arrays passed to it, so an array used twice is passed as
 * `.ref` the first time (the library's rule). The PINN's boundary term u(0)² + u(1)² is a masked sum, since
 * a gradient through `slice` is not what is measured here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defaultDevice, grad, init, jit, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import type { BenchData } from '../data';
import { peerArgs, runPeer } from './peer';

const { data } = peerArgs();

type Layer = { W: np.Array; b: np.Array };
type Params = Layer[];
type State = { ps: Params; m: Params; v: Params };

const f32 = (rows: number[][]) => np.array(Float32Array.from(rows.flat())).reshape([rows.length, rows[0].length]);
const paramsOf = (layers: BenchData['mlp']['layers']): Params =>
  layers.map((l) => ({ W: f32(l.W), b: np.array(Float32Array.from(l.b)) }));
const zerosLike = (ps: Params): Params => ps.map((p) => ({ W: np.zeros(p.W.shape), b: np.zeros(p.b.shape) }));

/** x @ W + b through the layers, tanh between them; takes ownership of ps and x. */
function forward(ps: Params, x: np.Array): np.Array {
  let h = x;
  ps.forEach((p, i) => {
    h = np.matmul(h, p.W).add(p.b);
    if (i < ps.length - 1) h = np.tanh(h);
  });
  return h;
}

const B1 = 0.9;
const B2 = 0.999;
const EPS = 1e-8;

/** One Adam update of every array (PyTorch's formulas); c1, c2 are the bias corrections 1 - beta^t. */
function adam(ps: Params, g: Params, m: Params, v: Params, lr: number, c1: np.Array, c2: np.Array): State {
  const leaves = (t: Params) => t.flatMap((l) => [l.W, l.b]);
  const P = leaves(ps);
  const G = leaves(g);
  const M = leaves(m);
  const V = leaves(v);
  const outP: np.Array[] = [];
  const outM: np.Array[] = [];
  const outV: np.Array[] = [];
  P.forEach((p, i) => {
    const m1 = M[i].mul(B1).add(G[i].ref.mul(1 - B1));
    const v1 = V[i].mul(B2).add(np.square(G[i]).mul(1 - B2));
    const mhat = m1.ref.div(c1.ref);
    const vhat = v1.ref.div(c2.ref);
    outP.push(p.sub(mhat.mul(lr).div(np.sqrt(vhat).add(EPS))));
    outM.push(m1);
    outV.push(v1);
  });
  c1.dispose();
  c2.dispose();
  const rebuild = (xs: np.Array[]): Params => ps.map((_, k) => ({ W: xs[2 * k], b: xs[2 * k + 1] }));
  return { ps: rebuild(outP), m: rebuild(outM), v: rebuild(outV) };
}

/** A training step as jax would write it: state in, state and loss out; `loss(ps, ...data)` owns its arguments. */
function trainer(
  layers: BenchData['mlp']['layers'],
  lr: number,
  inputs: np.Array[],
  loss: (ps: Params, ...xs: np.Array[]) => np.Array,
) {
  const step = jit((s: State, c1: np.Array, c2: np.Array, xs: np.Array[]) => {
    const [L, g] = valueAndGrad((ps: Params) => loss(ps, ...xs))(s.ps.map((l) => ({ W: l.W.ref, b: l.b.ref })));
    const next = adam(s.ps, g as Params, s.m, s.v, lr, c1, c2);
    return [L, next] as [np.Array, State];
  });
  const ps = paramsOf(layers);
  let state: State = { ps, m: zerosLike(ps), v: zerosLike(ps) };
  let t = 0;
  return () => {
    t++;
    const [L, next] = step(
      state,
      np.array([1 - B1 ** t]),
      np.array([1 - B2 ** t]),
      inputs.map((x) => x.ref),
    );
    state = next as State;
    const v = (L as np.Array).dataSync()[0];
    return v;
  };
}

function mlpStep() {
  const X = f32(data.mlp.X);
  const Y = f32(data.mlp.Y);
  return trainer(data.mlp.layers, data.mlp.lr, [X, Y], (ps, x, y) => np.mean(np.square(forward(ps, x).sub(y))));
}

function pinnStep() {
  const n = data.pinn.x.length;
  const x = f32(data.pinn.x);
  const f = f32(data.pinn.f);
  const ends = np.array(Float32Array.from({ length: n }, (_, i) => (i === 0 || i === n - 1 ? 1 : 0))).reshape([n, 1]);
  return trainer(data.pinn.layers, data.pinn.lr, [x, f, ends], (ps, xx, ff, mask) => {
    const u = (z: np.Array) => forward(tree.ref(ps), z);
    const ux = grad((z: np.Array) => u(z).sum());
    const uxx = grad((z: np.Array) => ux(z).sum());
    const uv = u(xx.ref);
    const bc = np.square(uv).mul(mask).sum();
    const pde = np.mean(np.square(uxx(xx).add(ff)));
    tree.dispose(ps);
    return pde.add(bc);
  });
}

/**
 * The 1,000-op chain is not measured on jax-js, for reasons found here (jax-js 0.1.25, wasm): eagerly, each
 * grad call traces and compiles every op (about 14 s a call); under `jit`, its expression simplifier recurses
 * through the fused chain and overflows the stack (RangeError). bench/run.ts prints this reason.
 */
const SKIPPED = {
  chain_1000:
    'eager grad takes ~14 s a call (every op traced and compiled); jit(grad) overflows the stack in its expression simplifier (RangeError)',
};

async function main() {
  await init('wasm');
  defaultDevice('wasm');
  const require = createRequire(import.meta.url);
  // the package exports no ./package.json: read it next to its entry point (dist/)
  const pkg = join(dirname(require.resolve('@jax-js/jax')), '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  runPeer(
    {
      mlpStep,
      pinnStep,
      matmul: (n, a, b) => {
        const A = np.array(a).reshape([n, n]);
        const B = np.array(b).reshape([n, n]);
        // dataSync: reading the result makes sure the product was computed
        return () => void np.matmul(A.ref, B.ref).dataSync();
      },
    },
    () => ({ system: 'jax-js', backend: 'wasm', version, skipped: SKIPPED }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
