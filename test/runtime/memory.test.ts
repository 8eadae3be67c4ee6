import { beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { mlpStep } from './helpers';

/**
 * No leaks across a long training loop: after garbage collection, the live tensor and storage counts
 * (decremented by FinalizationRegistry) must not grow between step 1,000 and step 10,000. Needs
 * `--expose-gc` (vitest.config.ts). Finalizers run as tasks, so each sample collects, then yields to the
 * event loop, a few times over.
 */

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Allowed growth of each count between the two samples. A settled loop holds a handful of tensors (params,
 * data, the last loss); one step allocates ~90 (measured below), so a leak of a single step's worth over the
 * whole run fails, and so does one tensor every 1,000 ops (tried by planting exactly that leak in record()).
 */
const BOUND = 10;

async function settled(): Promise<{ tensors: number; storages: number }> {
  for (let i = 0; i < 5; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { tensors: nb.liveTensors.count, storages: nb.liveStorages.count };
}

/** A 2 → 16 → 16 → 1 tanh MLP built by hand from params, fitted with MSE by plain SGD. */
function mlp() {
  const dtype = 'float64';
  const param = (shape: number[], seed: number, scale: number) => {
    const t = nb.mul(nb.randn(shape, { dtype, seed }), scale);
    t.requiresGrad = true;
    return t;
  };
  const [W1, b1, W2, b2, W3, b3] = [
    param([2, 16], 1, 0.7),
    param([16], 2, 0.1),
    param([16, 16], 3, 0.25),
    param([16], 4, 0.1),
    param([16, 1], 5, 0.25),
    param([1], 6, 0.1),
  ];
  const params = [W1, b1, W2, b2, W3, b3];
  const X = nb.randn([8, 2], { dtype, seed: 7 });
  const Y = nb.sin(nb.sum(X, { axis: 1, keepdim: true }));
  const forward = (x: Tensor) =>
    nb.add(nb.matmul(nb.tanh(nb.add(nb.matmul(nb.tanh(nb.add(nb.matmul(x, W1), b1)), W2), b2)), W3), b3);
  const step = (lr: number): number => {
    const loss = nb.mean(nb.pow(nb.sub(forward(X), Y), 2));
    loss.backward();
    nb.noGrad(() => {
      for (const p of params) {
        nb.inplace(p, (s) => nb.sub(s, nb.mul(p.grad!, lr)), '-=');
        p.grad = null;
      }
    });
    return loss.item() as number;
  };
  return { params, step, forward, X, Y };
}

describe('memory', () => {
  // counting is off by default (a finalizer per tensor slows every op); this file turns it on
  beforeAll(() => nb.trackLive(true));

  it('is exposed to the test (vitest.config.ts runs the forks with --expose-gc)', () => {
    expect(typeof gc).toBe('function');
  });

  it('a 10,000-step SGD loop leaves the live tensor and storage counts flat', async () => {
    const net = mlp();
    const before = nb.liveTensors.count;
    const first = net.step(0.1);
    const perStep = nb.liveTensors.count - before;
    expect(perStep).toBeGreaterThan(5 * BOUND);
    for (let i = 1; i < 1000; i++) net.step(0.1);
    const at1k = await settled();
    let last = 0;
    for (let i = 1000; i < 10000; i++) last = net.step(0.1);
    const at10k = await settled();
    // the loop trains (so the in-place updates and backward really ran every step)
    expect(last).toBeLessThan(first / 100);
    expect(net.params.every((p) => p.isLeaf && p.requiresGrad && p.version === 10000)).toBe(true);
    expect(at10k.tensors - at1k.tensors).toBeLessThanOrEqual(BOUND);
    expect(at10k.storages - at1k.storages).toBeLessThanOrEqual(BOUND);
  }, 60_000);

  it('10,000 eager Adam steps of nb.mlp (float32, the default backend) leave the counts flat', async () => {
    const training = mlpStep(5);
    const first = training.step().item() as number;
    for (let i = 1; i < 1000; i++) training.step();
    const at1k = await settled();
    let last = 0;
    for (let i = 1000; i < 10000; i++) last = training.step().item() as number;
    const at10k = await settled();
    expect(last).toBeLessThan(first / 10);
    expect(at10k.tensors - at1k.tensors).toBeLessThanOrEqual(BOUND);
    expect(at10k.storages - at1k.storages).toBeLessThanOrEqual(BOUND);
  }, 120_000);

  it('second-order steps (createGraph, which retains the graph) inside tapes do not leak either', async () => {
    const net = mlp();
    // a gradient penalty: loss + mean(|d out / d x|^2), differentiated through the input gradient
    const step = () => {
      const x = nb.tensor(net.X);
      const tp = nb.tape();
      const out = tp.run((t) => {
        t.watch(x);
        return net.forward(x);
      });
      const dx = nb.grad(out, x, { gradOutputs: nb.onesLike(out), createGraph: true }) as Tensor;
      const loss = nb.add(nb.mean(nb.pow(nb.sub(out, net.Y), 2)), nb.mul(nb.mean(nb.pow(dx, 2)), 0.01));
      const gs = nb.grad(loss, net.params) as Tensor[];
      nb.noGrad(() => net.params.forEach((p, i) => nb.inplace(p, (s) => nb.sub(s, nb.mul(gs[i], 0.05)), '-=')));
    };
    for (let i = 0; i < 200; i++) step();
    const at200 = await settled();
    for (let i = 200; i < 2000; i++) step();
    const at2k = await settled();
    expect(at2k.tensors - at200.tensors).toBeLessThanOrEqual(BOUND);
    expect(at2k.storages - at200.storages).toBeLessThanOrEqual(BOUND);
  }, 60_000);

  it('a compiled training step (nb.compile) replayed 5,000 times leaves the counts flat too', async () => {
    const net = mlp();
    const params = net.params;
    const opt = nb.adam(params, { lr: 0.01 });
    const step = nb.compile(() => {
      opt.zeroGrad();
      const loss = nb.mean(nb.pow(nb.sub(net.forward(net.X), net.Y), 2));
      loss.backward();
      opt.step();
      return loss;
    });
    const first = step().item() as number;
    for (let i = 1; i < 500; i++) step();
    const at500 = await settled();
    let last = 0;
    for (let i = 500; i < 5000; i++) last = step().item() as number;
    const at5k = await settled();
    expect(step.info.replays).toBeGreaterThan(4990); // it really replayed
    expect(last).toBeLessThan(first / 10);
    expect(at5k.tensors - at500.tensors).toBeLessThanOrEqual(BOUND);
    expect(at5k.storages - at500.storages).toBeLessThanOrEqual(BOUND);
  }, 60_000);
});
