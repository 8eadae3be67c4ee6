import { afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { bufferPool, clearPool, poolStats } from '../../runtime/pool';
import { rng } from '../fuzz/harness';

/**
 * Recycling against no recycling on random programs of the PINN shape: derivatives of random order taken with
 * create_graph, hooks, retained grads, tensors the program keeps, retain_graph and second backwards chosen by a
 * seeded generator. With the pool (backward's consumed gradients and the values recorded passes saved,
 * runtime/grad-recycle.ts and runtime/graph-owned.ts) every value the program can still reach must have the bits
 * it has without, and nothing may throw that does not throw without.
 */
const enabled = bufferPool.enabled;
afterEach(() => {
  bufferPool.enabled = enabled;
  clearPool();
});

const bits = (t: Tensor | null | undefined) =>
  t ? Array.from(new Uint32Array(Float32Array.from(t.toHost() as ArrayLike<number>).buffer)) : null;

/** Buffers in the pool right after each program's last backward (recycling did happen). */
let pooled = 0;

/** One random program; returns the bits of everything it can still reach, or the error it threw. */
function program(seed: number): unknown[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const H = pick([32, 64]);
  const N = 128;
  const vals = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + s) * 0.8);
  const W1 = nb.param(nb.reshape(nb.tensor(vals(H, 1)), [1, H]));
  const b1 = nb.param(nb.tensor(vals(H, 2)));
  const W2 = nb.param(nb.reshape(nb.tensor(vals(H * H, 3)), [H, H]));
  const W3 = nb.param(nb.reshape(nb.tensor(vals(H, 4)), [H, 1]));
  const x = nb.param(nb.reshape(nb.linspace(0, 1, N), [N, 1]));
  const held: Tensor[] = [];
  const seen: Tensor[] = [];
  const maybeKeep = (t: Tensor) => {
    if (r() < 0.3) held.push(t);
    if (r() < 0.15) nb.registerHook(t, (g) => void seen.push(g));
    if (r() < 0.1) nb.retainGrad(t);
    return t;
  };
  try {
    let h = maybeKeep(nb.tanh(maybeKeep(nb.add(nb.matmul(x, W1), b1))));
    if (r() < 0.5) h = maybeKeep(nb.tanh(maybeKeep(nb.matmul(h, W2))));
    const u = maybeKeep(nb.matmul(h, W3));
    let d = u;
    const orders = 1 + Math.floor(r() * 3);
    for (let k = 0; k < orders; k++)
      d = maybeKeep(nb.grad(nb.sum(d), x, { createGraph: true, retainGraph: r() < 0.8 }) as Tensor);
    const L = nb.add(nb.mean(nb.pow(d, 2)), nb.mean(nb.pow(u, 2)));
    const retain = r() < 0.3;
    L.backward(null, { retainGraph: retain });
    if (retain && r() < 0.5) L.backward();
    pooled += poolStats().buffers;
    // later ops take buffers from the pool: a wrongly recycled value would now hold theirs
    for (let i = 0; i < 20; i++) nb.tanh(nb.add(nb.mul(held[0] ?? u, 1.5), 1));
    return [
      ...[W1, b1, W2, W3, x].map((p) => bits(p.grad)),
      ...held.map(bits),
      ...held.map((t) => bits(t.grad)),
      ...seen.map(bits),
    ];
  } catch (e) {
    return [`threw: ${(e as Error).message}`];
  }
}

describe('buffer recycling on random double-backward programs', () => {
  it('every reachable value has the bits it has without the pool, and nothing new throws (60 programs)', () => {
    let ran = 0;
    pooled = 0;
    for (let seed = 1; seed <= 60; seed++) {
      bufferPool.enabled = false;
      const want = program(seed);
      bufferPool.enabled = true;
      clearPool();
      expect(program(seed), `seed ${seed}`).toEqual(want);
      if (typeof want[0] !== 'string') ran++;
    }
    // most programs run to the end (a second backward without retain_graph throws, with or without the pool),
    // and buffers did come back
    expect(ran).toBeGreaterThan(30);
    expect(pooled).toBeGreaterThan(60);
  }, 120_000);
});
