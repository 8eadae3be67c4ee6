import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { runNabla } from './run';

/** Issue 13 items 3 and 5: complex list literals, the tolist() diagnostic, and matrix @ vector read like the 2-D case. */
function out(code: string): string {
  const r = runNabla(code);
  if (!r.ok) throw new Error(`${r.ename}: ${r.evalue}`);
  return r.stdout;
}

describe('complex scalars in list literals', () => {
  it('[1+2i, 3-1i] is a complex64 tensor of shape [2], and W @ I works', () => {
    expect(out('z = [1+2i, 3-1i]\nprint(z, z.shape, z.dtype)')).toBe('tensor([1.+2.j, 3.-1.j]) [2] complex64\n');
    expect(out('W = [[1+1i, 2], [0, 1i]]\nI = [1+0i, 1i]\nprint(W @ I)')).toBe('tensor([ 1.+3.j, -1.+0.j])\n');
    expect(out('print(tensor([1+2i, 3-1i]).shape, tensor([1+2i, 3-1i], dtype="complex64").shape)')).toBe('[2] [2]\n');
  });

  it('a list holding a tensor that requires grad stays a list (two inputs to grad)', () => {
    expect(out('a = param(1.0)\nb = param(2.0)\nprint(grad(a * b, [a, b]))')).toBe('(tensor(2.), tensor(1.))\n');
  });
});

describe('a value that left the tape through tolist()', () => {
  it('names the tolist() line instead of advising param or watch', () => {
    const r = runNabla(`x = tensor([1.0, 2.0])
with tape() as t {
  watch(x)
  h = x * 2
  v = tensor(h.tolist())
  y = sum(v^2)
}
t.gradient(y, x)`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.evalue).toBe(
      "gradient: the output 'y' does not require grad and has no grad_fn: nothing it was computed from at test.nabla:6:7 (sum(v^2)) requires grad. The value of 'h', computed from the input, left the graph through tolist() at test.nabla:5:14 (h.tolist()): a tensor made from those plain numbers has no history, so nothing after it was recorded; keep the computation in tensors (use h itself instead of rebuilding it from its values).",
    );
    expect(r.evalue).not.toMatch(/param\(|watch\(/);
  });
});

describe('matrix @ vector reads like the 2-D case', () => {
  const SETUP = 'W = param([[1.0, 2.0], [3.0, 4.0]])\nx = param([1.0, -1.0])\n';

  it('explain shows one matmul step with outer(...) and no reshape steps', () => {
    const text = out(SETUP + 'explain grad(sum(W @ x), [W, x])');
    expect(text).toContain('dL/dW = outer(dL/d(W @ x), x)  →  [2, 2] [[1, -1], [1, -1]]');
    expect(text).toContain("dL/dx = W' @ dL/d(W @ x)  →  [2] [4, 6]");
    expect(text).not.toContain('reshape');
    expect(text).not.toContain("(W @ x)'");
  });

  it('formula gives expressions that evaluate to the gradients, for matrix @ vector, vector @ matrix and vector @ vector', () => {
    expect(
      out(
        SETUP +
          'print(formula(sum(W @ x), W))\nprint(formula(sum(W @ x), x))\nprint(formula(sum(x @ W), x))\nprint(formula(sum(x @ W), W))',
      ),
    ).toBe("outer(ones(2), x)\nW' @ ones(2)\nones(2) @ W'\nouter(x, ones(2))\n");
    const checks = out(
      SETUP +
        `v = param([3.0, 4.0])
print(allclose(outer(ones(2), x), grad(sum(W @ x), W)), allclose(W' @ ones(2), grad(sum(W @ x), x)))
print(allclose(ones(2) @ W', grad(sum(x @ W), x)), allclose(outer(x, ones(2)), grad(sum(x @ W), W)))
print(formula(x @ v, x), formula(x @ v, v))`,
    );
    expect(checks).toBe('true true\ntrue true\nv x\n');
  });

  it('the gradients of W @ x, x @ W and x @ v agree with float64 finite differences, also to second order', () => {
    const W = nb.param(
      [
        [0.3, -1.2, 0.5],
        [2.0, 0.7, -0.4],
      ],
      { dtype: 'float64' },
    );
    const x = nb.param([0.9, -0.6, 1.1], { dtype: 'float64' });
    const u = nb.param([1.5, -0.8], { dtype: 'float64' });
    const f = () =>
      nb.add(nb.sum(nb.pow(nb.matmul(W, x), 2)), nb.add(nb.sum(nb.tanh(nb.matmul(u, W))), nb.matmul(x, x)));
    const [gW, gx, gu] = nb.grad(f(), [W, x, u]) as nb.Tensor[];
    const h = 1e-6;
    for (const [p, g] of [
      [W, gW],
      [x, gx],
      [u, gu],
    ] as const) {
      const host = p.storage.host;
      const analytic = Array.from(g.toHost());
      for (let i = 0; i < p.size; i++) {
        const old = host[i];
        host[i] = old + h;
        const up = f().item() as number;
        host[i] = old - h;
        const down = f().item() as number;
        host[i] = old;
        expect(analytic[i]).toBeCloseTo((up - down) / (2 * h), 5);
      }
    }
    // second order through the vector rule: d/dx of the gradient of (x @ x) is 2·I
    const g1 = nb.grad(nb.matmul(x, x), x, { createGraph: true }) as nb.Tensor;
    expect(Array.from((nb.grad(nb.sum(g1), x) as nb.Tensor).toHost())).toEqual([2, 2, 2]);
  });
});
