import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';
import { bufferPool, clearPool, give, poolable, poolStats, takeFloat32 } from '../../runtime/pool';
import { Storage } from '../../runtime/storage';

/**
 * The buffer pool (runtime/pool.ts) and what backward gives it (runtime/grad-recycle.ts). Every gradient
 * computed with recycling must equal, bit for bit, the one computed without; every tensor the user can still
 * reach (a hook's argument, grad()'s result, a retained .grad, what a custom backward kept, the .grad of a
 * leaf) must keep its values while later ops take buffers from the pool; and a recycled storage must refuse
 * to be read rather than show another tensor's values.
 */
const enabled = bufferPool.enabled;
beforeEach(() => {
  bufferPool.enabled = true;
  clearPool();
});
afterEach(() => {
  bufferPool.enabled = enabled;
  clearPool();
});

const bits = (t: Tensor | null) => Array.from(new Uint32Array((t!.toHost() as Float32Array).slice().buffer));

/** Deterministic float32 values of a shape (large enough for the pool: 8,192 elements). */
const data = (shape: number[], seed: number) =>
  nb.reshape(nb.mul(nb.sin(nb.mul(nb.arange(shape.reduce((a, b) => a * b)), 0.37 + seed)), 0.8), shape);

/** Churns the pool: ops whose results come from it, overwriting whatever buffer it wrongly handed out. */
function churn(shape: number[]) {
  const x = data(shape, 9);
  for (let i = 0; i < 40; i++) nb.tanh(nb.add(nb.mul(x, 1.5), x));
}

/** A tanh network's loss with u_xx by double backward (the PINN shape), on 1,024 × 8 = 8,192-element activations. */
function pinnGrads(): number[][] {
  const W1 = nb.param(nb.mul(data([1, 64], 1), 1.0));
  const b1 = nb.param(nb.mul(data([64], 2), 0.1));
  const W2 = nb.param(nb.mul(data([64, 1], 3), 0.5));
  const x = nb.param(nb.reshape(nb.linspace(0, 1, 128), [128, 1]));
  const u = nb.matmul(nb.tanh(nb.add(nb.matmul(x, W1), b1)), W2);
  const ux = nb.grad(nb.sum(u), x, { createGraph: true }) as Tensor;
  const uxx = nb.grad(nb.sum(ux), x, { createGraph: true }) as Tensor;
  const L = nb.add(nb.mean(nb.pow(uxx, 2)), nb.mean(nb.pow(u, 2)));
  L.backward();
  churn([128, 64]);
  return [W1, b1, W2, x].map((p) => bits(p.grad));
}

describe('backward recycles consumed gradients without changing any value', () => {
  it('a double-backward tanh network: the same .grad bits with and without the pool, and buffers did come back', () => {
    bufferPool.enabled = false;
    const want = pinnGrads();
    expect(poolStats().buffers).toBe(0);
    bufferPool.enabled = true;
    const got = pinnGrads();
    expect(got).toEqual(want);
    // the test means something only if backward did hand buffers back
    bufferPool.enabled = true;
    clearPool();
    const x = nb.param(data([128, 64], 4));
    nb.sum(nb.mul(nb.tanh(nb.mul(x, x)), 3)).backward();
    expect(poolStats().buffers).toBeGreaterThan(0);
  });

  it("a gradient passed on as is to two inputs (add's rule), and through views (reshape, transpose, expand)", () => {
    const run = () => {
      const a = nb.param(data([128, 64], 1));
      const b = nb.param(data([128, 64], 2));
      const s = nb.add(nb.tanh(a), nb.tanh(b)); // add sends g itself to both
      const v = nb.transpose(nb.reshape(s, [64, 128]), 0, 1);
      const e = nb.add(v, nb.expand(nb.sum(a, { axis: 0, keepdim: true }), [128, 64]));
      nb.sum(nb.mul(e, e)).backward();
      churn([128, 64]);
      return [bits(a.grad), bits(b.grad)];
    };
    bufferPool.enabled = false;
    const want = run();
    bufferPool.enabled = true;
    expect(run()).toEqual(want);
  });

  it('one gradient sent to two inputs, one of which already has a pending gradient (in every order)', () => {
    // add's rule passes g to both inputs; when the first already holds a gradient, the sum consumes g before
    // the second input holds it: g must outlive that first accumulation
    const run = (swap: boolean, first: boolean) => {
      const x = nb.param(data([128, 64], 1));
      const y = nb.param(data([128, 64], 2));
      const t = nb.tanh(x);
      const u = nb.tanh(y);
      const s = swap ? nb.add(u, t) : nb.add(t, u);
      const other = nb.sum(nb.mul(t, 2));
      const L = first ? nb.add(nb.sum(nb.mul(s, s)), other) : nb.add(other, nb.sum(nb.mul(s, s)));
      L.backward();
      churn([128, 64]);
      return [bits(x.grad), bits(y.grad)];
    };
    for (const swap of [false, true])
      for (const first of [false, true]) {
        bufferPool.enabled = false;
        const want = run(swap, first);
        bufferPool.enabled = true;
        expect(run(swap, first), `swap ${swap}, first ${first}`).toEqual(want);
      }
  });

  it("a hook's argument, a retained .grad and grad()'s result keep their values while the pool is reused", () => {
    const run = () => {
      const x = nb.param(data([128, 64], 1));
      const h = nb.tanh(nb.mul(x, 2));
      const k = nb.mul(h, h);
      nb.retainGrad(k);
      const seen: Tensor[] = [];
      nb.registerHook(h, (g) => void seen.push(g));
      nb.sum(nb.mul(k, 3)).backward();
      const y = nb.param(data([128, 64], 2));
      const gy = nb.grad(nb.sum(nb.tanh(nb.mul(y, y))), y) as Tensor;
      churn([128, 64]);
      return [bits(x.grad), bits(k.grad), bits(seen[0]), bits(gy)];
    };
    bufferPool.enabled = false;
    const want = run();
    bufferPool.enabled = true;
    expect(run()).toEqual(want);
  });

  it('what a custom backward keeps (its argument, a tensor it returns and holds) keeps its values', () => {
    const run = () => {
      const kept: Tensor[] = [];
      const f = nb.customGrad(
        (a: Tensor) => nb.mul(a, 2),
        (_a: Tensor, _out: Tensor, g: Tensor) => {
          kept.push(g);
          const r = nb.mul(g, 2);
          kept.push(r);
          return r;
        },
      );
      const x = nb.param(data([128, 64], 3));
      nb.sum(nb.tanh(nb.mul(f(nb.tanh(x)), 1.5))).backward();
      churn([128, 64]);
      return [bits(x.grad), ...kept.map(bits)];
    };
    bufferPool.enabled = false;
    const want = run();
    bufferPool.enabled = true;
    expect(run()).toEqual(want);
  });

  it('a recycled storage refuses to be read (a planted reuse is an error, never another tensor\u2019s values)', () => {
    const s = new Storage(new Float32Array(8192).fill(1), 'float32');
    const h = s.surrender();
    expect(h).toBeInstanceOf(Float32Array);
    expect(() => s.host).toThrow(/recycled/);
    expect(() => s.length).toThrow(/recycled/);
    // a second surrender, or one of a compiled plan's buffers, gives nothing
    expect(s.surrender()).toBeNull();
    const planOwned = new Storage(new Float32Array(8192), 'float32');
    planOwned.hostOnly = true;
    expect(planOwned.surrender()).toBeNull();
    expect(planOwned.host.length).toBe(8192);
  });

  it('keeps nothing while create_graph is on (the gradients are saved values of the new graph)', () => {
    const x = nb.param(data([128, 64], 5));
    const g = nb.grad(nb.sum(nb.mul(nb.tanh(x), nb.tanh(x))), x, { createGraph: true }) as Tensor;
    expect(poolStats().buffers).toBe(0);
    expect(bits(g).length).toBe(8192);
  });

  it('kernels that take their result unzeroed write every element: a poisoned buffer from the pool leaves no trace', () => {
    // a fresh array is uninitialized memory too where Node allows it (pool.ts): it must own its whole buffer
    const fresh = takeFloat32(8192);
    expect(fresh.length).toBe(8192);
    expect(poolable(fresh)).toBe(true);
    const a = data([128, 64], 1);
    const w = data([64, 64], 2);
    const want = [bits(nb.matmul(a, w)), bits(nb.add(a, 1)), bits(nb.tanh(a))];
    for (const op of [() => nb.matmul(a, w), () => nb.add(a, 1), () => nb.tanh(a)]) {
      const poisoned = takeFloat32(8192).fill(NaN);
      give(poisoned);
      expect(poolStats().buffers).toBe(1);
      const got = op();
      // it took the poisoned buffer, and overwrote all of it
      expect(got.storage.host).toBe(poisoned);
      expect(bits(got)).toEqual(want.shift());
    }
  });
});

describe('values a create_graph pass saved go back when a later backward frees them', () => {
  /** A step of the PINN shape whose first two passes record (create_graph); `keep` sees what user code can. */
  function step(keep: (what: string, t: Tensor) => void, opts: { retain?: boolean; hook?: boolean } = {}) {
    const W1 = nb.param(data([1, 64], 1));
    const b1 = nb.param(nb.mul(data([64], 2), 0.1));
    const W2 = nb.param(data([64, 1], 3));
    const x = nb.param(nb.reshape(nb.linspace(0, 1, 128), [128, 1]));
    const h = nb.tanh(nb.add(nb.matmul(x, W1), b1));
    if (opts.hook) nb.registerHook(h, (g) => void keep('hook', g));
    const u = nb.matmul(h, W2);
    const ux = nb.grad(nb.sum(u), x, { createGraph: true }) as Tensor;
    const uxx = nb.grad(nb.sum(ux), x, { createGraph: true }) as Tensor;
    keep('ux', ux);
    keep('uxx', uxx);
    nb.add(nb.mean(nb.pow(uxx, 2)), nb.mean(nb.pow(u, 2))).backward(null, { retainGraph: opts.retain });
    const returned = poolStats().buffers;
    churn([128, 64]);
    return { grads: [W1, b1, W2, x].map((p) => bits(p.grad)), returned };
  }

  it('the same .grad bits with and without the pool, more buffers back than backward alone gives, what user code saw intact', () => {
    const run = (enabled: boolean, opts: { retain?: boolean; hook?: boolean } = {}) => {
      bufferPool.enabled = enabled;
      clearPool();
      const seen: [string, Tensor][] = [];
      const { grads, returned } = step((what, t) => seen.push([what, t]), opts);
      return { values: [...grads, ...seen.map(([, t]) => bits(t))], returned, seen: seen.map(([w]) => w) };
    };
    const off = run(false);
    expect(off.returned).toBe(0);
    const on = run(true);
    expect(on.values).toEqual(off.values);
    // the recorded passes' values came back too: compare with a graph kept whole (retain_graph frees nothing)
    const kept = run(true, { retain: true });
    expect(kept.values).toEqual(off.values);
    expect(on.returned).toBeGreaterThan(kept.returned);
    // a hook under a recording pass sees a gradient that must keep its values
    const hookedOff = run(false, { hook: true });
    const hookedOn = run(true, { hook: true });
    expect(hookedOn.seen).toContain('hook');
    expect(hookedOn.values).toEqual(hookedOff.values);
  });

  it("backward(create_graph=true)'s .grad, a retained grad and inspected saved values are never recycled", () => {
    const run = (enabled: boolean) => {
      bufferPool.enabled = enabled;
      clearPool();
      const x = nb.param(data([128, 64], 5));
      const y = nb.tanh(nb.mul(x, x));
      nb.sum(y).backward(null, { createGraph: true }); // x.grad is the recorded gradient itself
      const gx = x.grad!;
      const m = nb.mul(gx, gx);
      nb.retainGrad(m);
      // the saved values explain and graph read are pinned
      const peeked = m.gradFn!.peekInputs()!.map((t) => t);
      nb.sum(nb.mul(m, 2)).backward();
      churn([128, 64]);
      return [bits(gx), bits(m.grad), ...peeked.map(bits)];
    };
    const want = run(false);
    expect(run(true)).toEqual(want);
  });
});
