/**
 * TensorFlow.js's side of `npm run bench` (bench/run.ts): the same workloads as bench/nabla.ts on the wasm
 * backend (XNNPACK, SIMD; its .wasm files ship inside the npm package, nothing is downloaded), from the same
 * data, timed by the same rule. Run alone: `npx tsx bench/peers/tfjs.ts DATA.json [--budget ms]`.
 *
 * The PINN step differentiates twice through the activation. tfjs cannot take a second derivative through
 * its own tanh (tfjs#3252: Tanh's gradient saves its output, and the tape loses it), so here tanh is
 * sinh(x) / cosh(x), whose gradients save their inputs and work to any order. That costs tfjs two extra
 * elementwise ops per activation.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BenchData } from '../data';
import { peerArgs, runPeer } from './peer';

const { data } = peerArgs();

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
setWasmPaths(`${pkgDir}/dist/`);

type Params = { W: tf.Variable; b: tf.Variable }[];
const paramsOf = (layers: BenchData['mlp']['layers']): Params =>
  layers.map((l) => ({ W: tf.variable(tf.tensor2d(l.W)), b: tf.variable(tf.tensor1d(l.b)) }));
const flat = (ps: Params) => ps.flatMap((p) => [p.W, p.b]);

function forward(ps: Params, x: tf.Tensor, act: (h: tf.Tensor) => tf.Tensor): tf.Tensor {
  let h = x;
  ps.forEach((p, i) => {
    h = tf.add(tf.matMul(h as tf.Tensor2D, p.W as tf.Tensor2D), p.b);
    if (i < ps.length - 1) h = act(h);
  });
  return h;
}
// tanh with gradients to any order (see the file comment)
const tanh2 = (h: tf.Tensor) => tf.div(tf.sinh(h), tf.cosh(h));

function mlpStep() {
  const ps = paramsOf(data.mlp.layers);
  const X = tf.tensor2d(data.mlp.X);
  const Y = tf.tensor2d(data.mlp.Y);
  const o = tf.train.adam(data.mlp.lr);
  return () => {
    const L = o.minimize(() => tf.mean(tf.square(tf.sub(forward(ps, X, tf.tanh), Y))) as tf.Scalar, true, flat(ps))!;
    const v = L.dataSync()[0];
    L.dispose();
    return v;
  };
}

function pinnStep() {
  const ps = paramsOf(data.pinn.layers);
  const x = tf.tensor2d(data.pinn.x);
  const f = tf.tensor2d(data.pinn.f);
  const o = tf.train.adam(data.pinn.lr);
  const last = data.pinn.x.length - 1;
  const u = (xx: tf.Tensor) => forward(ps, xx, tanh2);
  const ux = tf.grad((xx: tf.Tensor) => tf.sum(u(xx)));
  const uxx = tf.grad((xx: tf.Tensor) => tf.sum(ux(xx)));
  return () => {
    const L = o.minimize(
      () =>
        tf.tidy(() => {
          const uv = u(x);
          const bc = tf.add(tf.square(tf.slice(uv, [0, 0], [1, 1])), tf.square(tf.slice(uv, [last, 0], [1, 1])));
          return tf.add(tf.mean(tf.square(tf.add(uxx(x), f))), tf.sum(bc)) as tf.Scalar;
        }),
      true,
      flat(ps),
    )!;
    const v = L.dataSync()[0];
    L.dispose();
    return v;
  };
}

function chain() {
  const x = tf.variable(tf.linspace(0, 1, data.chain.n));
  const g = tf.grad((v: tf.Tensor) => {
    let y = v;
    for (let i = 0; i < data.chain.length / 4; i++) y = tf.mul(tf.tanh(tf.add(tf.mul(y, 0.9), 0.1)), 1.01);
    return tf.sum(y);
  });
  return () => tf.tidy(() => void g(x).dataSync());
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  runPeer(
    {
      mlpStep,
      pinnStep,
      chain,
      matmul: (n, a, b) => {
        const A = tf.tensor2d(a, [n, n]);
        const B = tf.tensor2d(b, [n, n]);
        // dataSync: the wasm backend computes synchronously, and reading the result makes sure it did
        return () => tf.tidy(() => void tf.matMul(A, B).dataSync());
      },
    },
    () => ({
      system: 'tfjs',
      backend: tf.getBackend(),
      version: (require('@tensorflow/tfjs/package.json') as { version: string }).version,
      tensors: tf.memory().numTensors,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
