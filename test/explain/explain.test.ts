import { describe, expect, it } from 'vitest';
import { runNabla } from '../lang/run';

/**
 * `explain`: each rule backward applies, in backward order, with the forward line, the formula from the op's
 * declaration in the source's own names, and the values. The expected texts are exact.
 */
function explained(code: string): string {
  const r = runNabla(code);
  if (!r.ok) throw new Error(r.traceback.join('\n'));
  return r.stdout;
}

const SEED = `x1 = param(0.3939)
x2 = param(0.7965)
y = x1^2 + 5*x2
`;

describe('explain on y = x1^2 + 5*x2 (the seed question)', () => {
  it('explain grad(y, [x1, x2]) shows every formula with the numbers it produced', () => {
    expect(explained(SEED + 'explain grad(y, [x1, x2])')).toBe(`explain grad(y, [x1, x2])
grad from y = 4.138, seeded with dy/dy = 1
  y = x1^2 + 5*x2   (test.nabla:3:5, add)
    dy/d(x1^2) = dy/dy  →  1
    dy/d(5*x2) = dy/dy  →  1
  5*x2   (test.nabla:3:12, mul)
    dy/dx2 = dy/d(5*x2) * 5  →  5
  x1^2   (test.nabla:3:5, pow)
    dy/dx1 = dy/d(x1^2) * 2 * x1  →  0.7878
result: dy/dx2 = 5, dy/dx1 = 0.7878
`);
  });

  it('explain backward(y) does the backward once: .grad holds one accumulation, and the trace says +=', () => {
    const out = explained(SEED + 'explain backward(y)\nprint(x1.grad, x2.grad)');
    expect(out).toContain('backward from y = 4.138, seeded with dy/dy = 1\n');
    expect(out).toContain('result: x2.grad += 5, x1.grad += 0.7878\n');
    expect(out.endsWith('tensor(0.7878) tensor(5.)\n')).toBe(true);
  });

  it('explain of a plain tensor is a dry run: it shows what backward would do and leaves .grad alone', () => {
    const out = explained(SEED + 'explain y\nprint(x1.grad)\ny.backward()\nprint(x1.grad)');
    expect(out).toContain(
      'explain y: what backward(y) would compute (a dry run: .grad is untouched and the graph kept)',
    );
    expect(out).toContain('    dy/dx1 = dy/d(x1^2) * 2 * x1  →  0.7878\n');
    // the graph was kept, so the real backward still works afterwards
    expect(out.endsWith('none\ntensor(0.7878)\n')).toBe(true);
  });
});

describe('explain on the complex affine layer Y = W @ I', () => {
  it("shows dL/dI = W' @ dL/dY, the conjugate transpose, with exact values", () => {
    const code = `W = complex([[1, 2], [0, -1], [3, 1]], [[1, 0], [2, 1], [-1, 1]])
I = complex([[1, -1], [2, 0]], [[0, 1], [1, -2]])
watch(I)
Y = W @ I
L = sum(abs(Y)^2)
explain backward(L)
print(sum(abs(I.grad - 2 * detach(W' @ Y))))
`;
    expect(explained(code)).toBe(`explain backward(L)
backward from L = 96, seeded with dL/dL = 1
  L = sum(abs(Y)^2)   (test.nabla:5:5, sum)
    dL/d(abs(Y)^2) = expand(dL/dL)  →  [3, 2] [[1, 1], [1, 1], [1, 1]]
  abs(Y)^2   (test.nabla:5:9, pow)
    dL/d(abs(Y)) = dL/d(abs(Y)^2) * 2 * abs(Y)  →  [3, 2] [[11.66, 8.944], [8.485, 0], [8.944, 4]]
  abs(Y)   (test.nabla:5:9, abs)
    dL/dY = dL/d(abs(Y)) * sign(Y)  →  [3, 2] complex64 [[10+6i, -4-8i], [-6+6i, 0], [8+4i, 4i]]
  Y = W @ I   (test.nabla:4:5, matmul)
    dL/dI = W' @ dL/dY  →  [2, 2] complex64 [[48+28i, -16+8i], [44+8i, -4-12i]]
result: I.grad += [2, 2] complex64 [[48+28i, -16+8i], [44+8i, -4-12i]]
tensor(0.)
`);
  });
});

describe('explain across the ways gradients are made', () => {
  it('names values inside user functions by their local names (dL/dz = dL/dh * (1 - h^2))', () => {
    const out = explained(`z = param([0.5, -1.0])
fn layer(v) {
  h = tanh(v)
  h * 2
}
L = sum(layer(z))
explain backward(L)`);
    expect(out).toContain(
      '  h = tanh(v)   (test.nabla:3:7, tanh)\n    dL/dz = dL/dh * (1 - h^2)  →  [2] [1.573, 0.8399]\n',
    );
    expect(out).toContain('result: z.grad += [2] [1.573, 0.8399]');
  });

  it('shows hooks, retain_grad, custom gradients, known_grads and create_graph as such', () => {
    const out = explained(`u = param([1.0, 2.0])
h = u * 2
handle = h.register_hook(fn(g) = -g)
retain_grad(h)
explain sum(h).backward()
@custom_grad(fn(x, y, g) = g)
fn binarize(x) = round(x)
p = param([0.3, 0.7])
explain grad(sum(binarize(p) * 3), p)
x = randn(4, 3, seed=1)
W = param(randn(3, 2, seed=2))
a = tanh(x @ W)
explain grad(none, W, known_grads={a: ones(4, 2)})
q = param([0.5])
explain grad(tanh(q), q, create_graph=true)`);
    expect(out).toContain(
      '    a hook on h replaced dL/dh  →  [2] [-1, -1]\n    h.grad = [2] [-1, -1] (retain_grad)\n    dL/du = dL/dh * 2  →  [2] [-2, -2]\n',
    );
    expect(out).toContain(
      '  binarize(p)   (test.nabla:9:18, binarize, custom gradient)\n    dL/dp = custom backward of binarize  →  [2] [3, 3]\n',
    );
    expect(out).toContain(
      'grad from known_grads at a\n  a = tanh(x @ W)   (test.nabla:12:5, tanh)\n    dL/da given by known_grads  →  [4, 2]',
    );
    expect(out).toContain("    dL/dW = x' @ dL/d(x @ W)  →  [3, 2]");
    expect(out).toContain('(create_graph=true: the gradients are recorded, so they can be differentiated again)');
  });

  it('explains a tape answer and a gradient that sums several uses', () => {
    const out = explained(`with tape() as t {
  r = tensor(2.0)
  watch(r)
  s = r * r + r
}
explain t.gradient(s, r)`);
    expect(out).toContain('  s = r * r + r   (test.nabla:4:7, add)');
    expect(out).toContain('    ds/dr = ds/d(r * r) * r  →  2\n');
    expect(out).toContain('result: ds/dr = 5');
  });

  it('on an error in backward it prints the steps that ran, then raises', () => {
    const r = runNabla(`x = param([0.0, 1.0])
y = sum(sqrt(x) * [0.0, 1.0])
detect_anomaly { explain backward(y) }`);
    expect(r.ok).toBe(false);
    expect(r.stdout).toContain('explain backward(y) (stopped by an error)\nbackward from y = 1');
    if (!r.ok) expect(r.ename).toBe('AnomalyError');
  });

  it('says so when nothing was differentiated', () => {
    expect(explained('explain 1 + 2')).toBe(
      'explain 1 + 2\nno backward pass ran (explain shows the passes that grad, backward or t.gradient run)\n',
    );
    expect(explained('a = tensor([1.0])\nexplain a * 2')).toMatch(
      /^explain a \* 2: nothing to explain: a \* 2 does not require grad/,
    );
  });
});

describe('notebooks/explain.nabla', () => {
  it('walks through the seed questions and runs top to bottom', async () => {
    const { readFileSync } = await import('node:fs');
    const { createSession } = await import('../../compiler');
    const src = readFileSync(new URL('../../notebooks/explain.nabla', import.meta.url), 'utf8');
    const r = runNabla(src, createSession({ scriptArgs: new Map([['graph', '']]) }), 'explain.nabla');
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    expect(r.stdout).toContain('2*x1 and 5');
    expect(r.stdout).toContain("dL/dI = W' @ dL/dY");
    expect(r.stdout).toContain("Warning: t.gradient: no gradient for the source 'img'");
    expect(r.stdout.trimEnd().endsWith('tensor([0.0000, 0.2500])')).toBe(true);
  });
});
