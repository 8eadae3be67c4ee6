import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { runNabla } from './run';

/**
 * The research-workflow builtins of issue 14 from the language: float64 training, optimizer printing and
 * opt.lr, L-BFGS stop reasons, clock(), samplers and the Burgers reference.
 */
function ok(src: string): string {
  const r = runNabla(src);
  expect(r.ok, r.ok ? '' : `${r.evalue}\n${r.stdout}`).toBe(true);
  return r.stdout.trim();
}
function fails(src: string): string {
  const r = runNabla(src);
  if (r.ok) throw new Error(`expected an error, the program printed: ${r.stdout}`);
  return `${r.ename}: ${r.evalue}`;
}

describe('float64 training', () => {
  it('dtype= on every creation builtin and on models; double/float/to convert', () => {
    const out =
      ok(`print(zeros(2, dtype="float64").dtype, ones(2, dtype="float64").dtype, full([2], 1, dtype="float64").dtype, eye(2, dtype="float64").dtype)
print(arange(3, dtype="float64").dtype, linspace(0, 1, 3, dtype="float64").dtype, rand(2, seed=0, dtype="float64").dtype, randn(2, seed=0, dtype="float64").dtype)
print(zeros_like(ones(2), dtype="float64").dtype, tensor([1.5], dtype="float64").dtype, param([1.0], dtype="float64").dtype)
net = mlp([2, 4, 1], seed=0, dtype="float64")
print(net.params[0].dtype, linear(2, 3, seed=0, dtype="float64").params[0].dtype)
x = ones(2)
print(x.double().dtype, x.double().float().dtype, x.to("float64").dtype, x.to(dtype="float64").dtype)`);
    expect(out).toBe(
      'float64 float64 float64 float64\nfloat64 float64 float64 float64\nfloat64 float64 float64\nfloat64 float64\nfloat64 float32 float64 float64',
    );
    expect(fails('ones(2).double(1)')).toMatch(/double\(\) takes no arguments/);
    expect(fails('ones(2).to("int8")')).toMatch(/dtype must be one of/);
    expect(fails('ones(2).to(type="float64")')).toMatch(/to\(\) has no parameter named 'type'/);
    expect(fails('mlp([1, 2], dtype="complex64")')).toMatch(/dtype must be "float32" or "float64"/);
  });

  it('a float64 PINN loss: gradients (through second derivatives) match central finite differences', () => {
    const net = nb.mlp([2, 6, 6, 1], { seed: 1, dtype: 'float64' });
    const X = nb.rand([12, 2], { seed: 2, dtype: 'float64' });
    X.requiresGrad = true;
    const loss = () => {
      const u = net(X);
      const du = nb.grad(u, X, { gradOutputs: nb.onesLike(u), createGraph: true }) as nb.Tensor;
      const ux = nb.index(du, [null, { start: 0, stop: 1, step: null }]);
      const uxx = nb.index(nb.grad(ux, X, { gradOutputs: nb.onesLike(ux), createGraph: true }) as nb.Tensor, [
        null,
        { start: 0, stop: 1, step: null },
      ]);
      return nb.mean(nb.square(nb.add(nb.mul(u, ux), nb.mul(uxx, -0.01))));
    };
    const grads = nb.grad(loss(), net.params) as nb.Tensor[];
    const h = 1e-6;
    let checked = 0;
    net.params.forEach((p, k) => {
      const g = grads[k].toHost();
      for (const i of [0, Math.floor(p.size / 2), p.size - 1]) {
        const at = (delta: number) => {
          p.storage.host[i] += delta;
          const v = loss().item() as number;
          p.storage.host[i] -= delta;
          return v;
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        expect(Math.abs(fd - g[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        checked++;
      }
    });
    expect(checked).toBe(18);
  });

  it('compile works on float64 steps and gives the eager numbers bit for bit', () => {
    const prog = (dec: string) => `net = mlp([2, 8, 1], seed=0, dtype="float64")
X = rand(10, 2, seed=1, dtype="float64")
opt = adam(net.params, lr=0.01)
${dec}
fn step() { opt.zero_grad(); l = mean(net(X)^2); l.backward(); opt.step(); l }
for i in range(20) { step() }
print(net.params[0].tolist())`;
    expect(ok(prog('@compile'))).toBe(ok(prog('')));
  });
});

describe("optimizers print like PyTorch's and take opt.lr", () => {
  it('true defaults, readable param_groups, lr readable and settable (and used)', () => {
    const out = ok(`w = param([1.0, 2.0])
opt = adam([w])
print(opt)
print(opt.param_groups[0])
print(opt.lr)
opt.lr = 0.5
print(opt.lr, opt.param_groups[0].lr)
s = sgd([w], lr=1)
s.lr = 0.25
w.grad = tensor([1.0, 1.0])
s.step()
print(w)`);
    expect(out.split('\n')).toEqual([
      'Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=false, maximize=false): 2 params',
      '{lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=false, maximize=false, params: [1 tensors]}',
      '0.001',
      '0.5 0.5',
      'tensor([0.7500, 1.7500], requires_grad=true)',
    ]);
  });

  it('an unknown attribute write is an error, not silently stored', () => {
    expect(fails('opt = adam([param([1.0])])\nopt.learning_rate = 0.1')).toMatch(
      /AttributeError: cannot set attribute 'learning_rate' of an optimizer; did you mean 'lr'\?/,
    );
    expect(fails('opt = adam([param([1.0])])\nopt.step = 3')).toMatch(
      /AttributeError: cannot set attribute 'step' of an optimizer \(it can set: lr\)/,
    );
    expect(fails('opt = adam([param([1.0])])\nopt.lr = -1')).toMatch(/invalid lr -1/);
    expect(
      fails('opt = adam([{params: [param([1.0])], lr: 0.1}, {params: [param([2.0])], lr: 0.2}])\nprint(opt.lr)'),
    ).toMatch(/different learning rates \(0.1, 0.2\); read param_groups\[i\].lr/);
  });
});

describe('L-BFGS says why it stopped and how many evaluations it made', () => {
  const run = (opts: string, loss = 'sum((w - tensor([3.0, -1.0], dtype="float64"))^2) + 0.1 * sum(w^4)') =>
    ok(`w = param([0.0, 0.0], dtype="float64")
lb = lbfgs([w], ${opts})
fn closure() { lb.zero_grad(); l = ${loss}; l.backward(); l }
lb.step(closure)
print(lb.stop_kind, "|", lb.stop_reason, "|", lb.last_evaluations, lb.evaluations, lb.last_iterations)`).split(' | ');
  it('gradient tolerance, max iterations, max evaluations, change tolerance, line search failure', () => {
    const grad = run('max_iter=100, tolerance_grad=1e-4');
    expect(grad[0]).toBe('tolerance_grad');
    expect(grad[1]).toMatch(/^gradient tolerance: max \|grad\| = .* <= tolerance_grad = 1\.00e-4$/);
    expect(Number(grad[2].split(' ')[0])).toBeGreaterThan(2);
    expect(run('max_iter=2, max_eval=100')[0]).toBe('max_iter');
    const evals = run('max_iter=100, max_eval=3, line_search=none');
    expect(evals[0]).toBe('max_eval');
    expect(evals[2].split(' ').slice(0, 2)).toEqual(['3', '3']);
    const change = run('max_iter=100, tolerance_grad=0, tolerance_change=0.001');
    expect(change[0]).toBe('tolerance_change');
    expect(change[1]).toMatch(/^change tolerance: /);
    // a loss that does not depend on w has a zero gradient: with tolerance_grad < 0 nothing is left to descend
    const flat = run('max_iter=10, tolerance_grad=-1', 'sum(w * 0) + 1');
    expect(flat[0]).toBe('tolerance_change');
    expect(flat[1]).toMatch(/cannot decrease along the search direction/);
    // |w| has a kink at 0, where no step meets the strong-Wolfe curvature condition
    const kink = run(
      'max_iter=100, tolerance_grad=0',
      'sum(abs(w - tensor([0.3, -0.2], dtype="float64"))) + 0.5 * sum((w - tensor([0.3, -0.2], dtype="float64"))^2)',
    );
    expect(kink[0]).toBe('line_search');
    expect(kink[1]).toMatch(/^line search failure: the strong-Wolfe search found no step meeting its conditions/);
  });

  it('prints its last stop in its text', () => {
    const out = ok(`w = param([1.0])
lb = lbfgs([w], max_iter=3)
fn closure() { lb.zero_grad(); l = sum((w - 2)^2); l.backward(); l }
lb.step(closure)
print(lb)`);
    expect(out).toMatch(
      /^LBFGS\(lr=1, max_iter=3, max_eval=3, .*\): 1 params\n {2}last step: \d+ iterations, \d+ evaluations; stopped by /,
    );
  });
});

describe('clock, samplers, the Burgers reference from the language', () => {
  it('clock is monotonic seconds', () => {
    const [a, b] = ok('a = clock()\ns = 0\nfor i in range(20000) { s = s + i }\nb = clock()\nprint(a, b)')
      .split(' ')
      .map(Number);
    expect(b).toBeGreaterThan(a);
    expect(b - a).toBeLessThan(600);
  });

  it('samplers and refinement take their keywords and reject unknown ones', () => {
    const out = ok(`P = sample_lhs(10, [-1, 0], [1, 1], seed=0)
B = sample_boundary(6, [-1, 0], [1, 1], axes=[0], seed=0)
S = sample_sobol(8, [0, 0], [2, 2], dtype="float64")
H = sample_halton(4, [0], [1], seed=1)
r = rar(P, P[:, 0], 3)
d = rad(P, P[:, 0], 4, k=2, c=0, seed=1)
print(P.shape, B.shape, S.dtype, S[1].tolist(), H.shape, r.shape, d.shape)`);
    expect(out).toBe('[10, 2] [6, 2] float64 [1, 1] [4, 1] [3, 2] [4, 2]');
    expect(fails('sample_lhs(10, [0], [1], sed=1)')).toMatch(/has no parameter named 'sed'/);
    expect(fails('sample_lhs(10, [0, 0], [1])')).toMatch(/lo and hi must be lists of the same positive length/);
  });

  it('burgers_exact: float64 in the shape of x, the initial condition at t = 0', () => {
    const out = ok(`x = linspace(-1, 1, 5, dtype="float64")
u = burgers_exact(x, zeros_like(x))
print(u.dtype, u.shape, sum(abs(u + sin(pi * x))).item() < 1e-15)
print(burgers_exact(tensor([[0.5]]), tensor([[0.25]])).shape)`);
    expect(out).toBe('float64 [5] true\n[1, 1]');
    expect(fails('burgers_exact(ones(3), ones(2))')).toMatch(/x has 3 values but t has 2/);
  });
});
