import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { DType, Tensor } from '../../runtime';
import {
  F32,
  F64,
  expectClose,
  pinBackend,
  runnableBackends,
  expectNear,
  fixture,
  load,
  values,
  type Fx,
  type Tol,
} from './helpers';

/**
 * PyTorch's autograd semantics, scenario by scenario, against test/fixtures/torch (see its README). Error
 * texts are Nabla's own, so the tests check what each must say (e.g. that retain_graph is the fix), not
 * PyTorch's wording.
 *
 * The scenarios run in float64 on the js reference path, then in float32 on every backend that runs here
 * (gpu.js cpu and webasm on a CPU machine), each pinned with no small-tensor shortcut so its own kernels run.
 */

// complex64 has float32 parts, while the fixtures are complex128: relative 1e-5 is ~100 float32 roundings
const C64: Tol = { rtol: 1e-5, atol: 1e-6 };

interface Precision {
  backend: string;
  dtype: Extract<DType, 'float32' | 'float64'>;
  tol: Tol;
  /** Relative tolerance for scalars (losses). */
  near: number;
  opts: { dtype: 'float32' | 'float64' };
}

const precisions: Precision[] = [
  { backend: 'js', dtype: 'float64', tol: F64, near: 1e-12, opts: { dtype: 'float64' } },
  ...runnableBackends().map((backend) => ({
    backend,
    dtype: 'float32' as const,
    tol: F32,
    near: 1e-5,
    opts: { dtype: 'float32' as const },
  })),
];

describe.each(precisions)('$dtype on the $backend backend', (T) => {
  const callsSincePinned = pinBackend(T.backend);
  if (T.backend !== 'js') {
    afterAll(() => {
      // the scenarios ran on this backend's own kernels, not only on the js fallback
      expect(callsSincePinned()).toBeGreaterThan(50);
    });
  }

  afterEach(() => {
    nb.siteState.current = null;
  });

  const sumAll = (t: Tensor) => nb.sum(t);
  const scalarOf = (t: Tensor) => t.item() as number;

  describe('grad_vs_backward: y = x1^2 + 5 x2', () => {
    const fx = fixture('grad_vs_backward');
    const leaves = () => [
      load(fx.inputs.x1, { ...T.opts, requiresGrad: true }),
      load(fx.inputs.x2, { ...T.opts, requiresGrad: true }),
    ];
    const f = (x1: Tensor, x2: Tensor) => nb.add(nb.pow(x1, 2), nb.mul(5, x2));

    it('grad returns the gradients and never touches .grad', () => {
      const [x1, x2] = leaves();
      const y = f(x1, x2);
      expectClose(y, fx.y, T.tol, 'y');
      expectNear(scalarOf(sumAll(y)), fx.y_sum, T.near, 'sum(y)');
      const [g1, g2] = nb.grad(sumAll(y), [x1, x2]) as Tensor[];
      expectClose(g1, fx.autograd_grad.x1, T.tol, 'dx1');
      expectClose(g2, fx.autograd_grad.x2, T.tol, 'dx2');
      expect(fx.grad_attr_after_autograd_grad).toEqual({ x1: null, x2: null });
      expect(x1.grad).toBeNull();
      expect(x2.grad).toBeNull();
    });

    it('grad with grad_outputs gives the VJP; without them a non-scalar output is an error', () => {
      const [x1, x2] = leaves();
      const y = f(x1, x2);
      const [g1, g2] = nb.grad(y, [x1, x2], {
        gradOutputs: load(fx.grad_outputs, T.opts),
        retainGraph: true,
      }) as Tensor[];
      expectClose(g1, fx.autograd_grad_with_grad_outputs.x1, T.tol, 'dx1');
      expectClose(g2, fx.autograd_grad_with_grad_outputs.x2, T.tol, 'dx2');
      // PyTorch: "grad can be implicitly created only for scalar outputs"
      expect(fx.error_grad_nonscalar_without_grad_outputs.message).toMatch(/only for scalar outputs/);
      expect(() => nb.grad(y, [x1, x2])).toThrow(/shape \[2\].*only for a single number.*grad_outputs/);
    });

    it('backward accumulates into .grad, across separate forward passes', () => {
      const [x1, x2] = leaves();
      sumAll(f(x1, x2)).backward();
      expectClose(x1.grad, fx.after_backward.x1, T.tol, 'x1.grad');
      expectClose(x2.grad, fx.after_backward.x2, T.tol, 'x2.grad');
      sumAll(f(x1, x2)).backward();
      expectClose(x1.grad, fx.after_second_forward_backward.x1, T.tol, 'x1.grad after two');
      expectClose(x2.grad, fx.after_second_forward_backward.x2, T.tol, 'x2.grad after two');
    });

    it('a second backward through the same graph fails, names retain_graph, and leaves .grad as it was', () => {
      const [x1, x2] = leaves();
      const s = sumAll(f(x1, x2));
      s.backward();
      expect(fx.error_second_backward_same_graph.message).toMatch(/retain_graph=True/);
      expect(() => s.backward()).toThrow(/second time[\s\S]*retain_graph/);
      expectClose(x1.grad, fx.grad_attr_after_failed_second_backward.x1, T.tol, 'x1.grad');
      expectClose(x2.grad, fx.grad_attr_after_failed_second_backward.x2, T.tol, 'x2.grad');
    });

    it('retain_graph lets the same graph be used twice, doubling .grad', () => {
      const [x1, x2] = leaves();
      const s = sumAll(f(x1, x2));
      s.backward(null, { retainGraph: true });
      s.backward();
      expectClose(x1.grad, fx.after_two_backward_same_graph_retain_graph.x1, T.tol, 'x1.grad');
      expectClose(x2.grad, fx.after_two_backward_same_graph_retain_graph.x2, T.tol, 'x2.grad');
    });

    it('backward with inputs= fills only those', () => {
      const [x1, x2] = leaves();
      sumAll(f(x1, x2)).backward(null, { inputs: [x1] });
      expectClose(x1.grad, fx.after_backward_inputs_x1_only.x1, T.tol, 'x1.grad');
      expect(fx.after_backward_inputs_x1_only.x2).toBeNull();
      expect(x2.grad).toBeNull();
    });
  });

  describe('two_losses: two losses of one network', () => {
    const fx = fixture('two_losses');
    const names = ['W1', 'b1', 'W2', 'b2'] as const;
    const x = load(fx.inputs.x, T.opts);
    const t = load(fx.inputs.t, T.opts);
    const params = () =>
      Object.fromEntries(names.map((n) => [n, load(fx.params[n], { ...T.opts, requiresGrad: true })])) as Record<
        (typeof names)[number],
        Tensor
      >;
    /** torch Linear layout: Linear(x) = x @ W^T + b. */
    const linear = (h: Tensor, W: Tensor, b: Tensor) => nb.add(nb.matmul(h, nb.transpose(W)), b);
    const losses = (p: ReturnType<typeof params>) => {
      const out = linear(nb.tanh(linear(x, p.W1, p.b1)), p.W2, p.b2);
      return { out, loss1: nb.mean(nb.pow(out, 2)), loss2: nb.mean(nb.abs(nb.sub(out, t))) };
    };
    const expectGrads = (p: ReturnType<typeof params>, want: Record<string, Fx>, label: string) => {
      for (const n of names) expectClose(p[n].grad, want[n], T.tol, `${label}: ${n}.grad`);
    };

    it('computes the forward pass and each loss', () => {
      const { out, loss1, loss2 } = losses(params());
      expectClose(out, fx.out, T.tol, 'out');
      expectNear(scalarOf(loss1), fx.loss1, T.near, 'loss1');
      expectNear(scalarOf(loss2), fx.loss2, T.near, 'loss2');
    });

    it('gives each loss its own gradients', () => {
      const p1 = params();
      losses(p1).loss1.backward();
      expectGrads(p1, fx.grads_loss1, 'loss1');
      const p2 = params();
      losses(p2).loss2.backward();
      expectGrads(p2, fx.grads_loss2, 'loss2');
    });

    it('accumulates two backwards over one forward (retain_graph) to the gradient of the sum', () => {
      const p = params();
      const { loss1, loss2 } = losses(p);
      loss1.backward(null, { retainGraph: true });
      loss2.backward();
      expectGrads(p, fx.grads_sequential_accumulated, 'sequential');
      const q = params();
      const l = losses(q);
      nb.add(l.loss1, l.loss2).backward();
      expectGrads(q, fx.grads_sum, 'loss1 + loss2');
      expectGrads(p, fx.grads_sum, 'sequential vs sum');
    });

    it('accumulates over two separate forward passes without retain_graph', () => {
      const p = params();
      losses(p).loss1.backward();
      losses(p).loss2.backward();
      expectGrads(p, fx.grads_sequential_separate_forwards, 'separate forwards');
    });

    it('refuses the second loss of a shared graph without retain_graph, adding nothing', () => {
      const p = params();
      const { loss1, loss2 } = losses(p);
      loss1.backward();
      expect(fx.error_second_loss_shared_graph_without_retain_graph.message).toMatch(/second time/);
      expect(() => loss2.backward()).toThrow(/second time[\s\S]*retain_graph/);
      expectGrads(p, fx.grads_after_that_error, 'after the error');
    });
  });

  describe('known_grads: h = tanh(x @ W), Theano semantics', () => {
    const fx = fixture('known_grads');
    const x = load(fx.inputs.x, T.opts);
    const gh = load(fx.inputs.g_h, T.opts);
    const setup = () => {
      const W = load(fx.inputs.W, { ...T.opts, requiresGrad: true });
      const h = nb.tanh(nb.matmul(x, W));
      return { W, h, cost: nb.add(nb.sum(nb.pow(h, 2)), nb.sum(nb.pow(W, 2))) };
    };

    it('without a cost, the known gradient is backpropagated from h (the VJP of h)', () => {
      const { W, h } = setup();
      expectClose(h, fx.h, T.tol, 'h');
      expectClose(
        nb.grad(null, W, { knownGrads: [[h, gh]], retainGraph: true }) as Tensor,
        fx.no_cost.grad_W,
        T.tol,
        'known_grads only',
      );
      expectClose(nb.grad(h, W, { gradOutputs: gh }) as Tensor, fx.no_cost.grad_W, T.tol, 'VJP of h');
      const xr = load(fx.inputs.x, { ...T.opts, requiresGrad: true });
      const [gx, gW] = nb.grad(nb.tanh(nb.matmul(xr, W)), [xr, W], { gradOutputs: gh }) as Tensor[];
      expectClose(gx, fx.no_cost.grad_x, T.tol, 'dx');
      expectClose(gW, fx.no_cost.grad_W, T.tol, 'dW');
    });

    it('with a cost, the known gradient replaces what flows into h; the direct term of W still counts', () => {
      const { W, h, cost } = setup();
      expectNear(scalarOf(cost), fx.cost, T.near, 'cost');
      const wc = fx.with_cost;
      expectClose(
        nb.grad(cost, W, { knownGrads: new Map([[h, gh]]), retainGraph: true }) as Tensor,
        wc.grad_W_known_grads,
        T.tol,
        'known_grads (a Map)',
      );
      expectClose(
        nb.grad(cost, W, { knownGrads: [[h, nb.zerosLike(h)]], retainGraph: true }) as Tensor,
        wc.grad_W_direct_term,
        T.tol,
        'known zero gradient at h',
      );
      expectClose(nb.grad(cost, W, { retainGraph: true }) as Tensor, wc.grad_W_ordinary, T.tol, 'ordinary gradient');
      expectClose(nb.grad(cost, h) as Tensor, wc.dcost_dh_ordinary, T.tol, 'dcost/dh');
      expectClose(
        nb.add(load(wc.grad_W_through_h_only, T.opts), load(wc.grad_W_direct_term, T.opts)),
        wc.grad_W_known_grads,
        T.tol,
        'fixture consistency',
      );
    });
  });

  describe('tape_watch: GradientTape analogues', () => {
    const fx = fixture('tape_watch');

    it('a watched scalar gets a gradient; unwatched, nothing is recorded', () => {
      const x = load(fx.scalar.x, T.opts);
      const unwatched = nb.mul(x, x);
      expectClose(unwatched, fx.scalar.y, T.tol, 'y');
      expect(unwatched.requiresGrad).toBe(fx.scalar.y_requires_grad_unwatched);
      const tp = nb.tape();
      const y = tp.run(() => {
        nb.watch(x);
        return nb.mul(x, x);
      });
      expect(y.requiresGrad).toBe(true);
      expect(x.requiresGrad).toBe(false);
      expectClose(tp.gradient(y, x) as Tensor, fx.scalar.dy_dx, T.tol, 'dy/dx');
    });

    it('a watched vector: d/dx sum(sin(x) x) = sin(x) + x cos(x)', () => {
      const x = load(fx.vector.x, T.opts);
      const tp = nb.tape();
      const y = tp.run((t) => {
        t.watch(x);
        return nb.sum(nb.mul(nb.sin(x), x));
      });
      expectNear(scalarOf(y), fx.vector.y, T.near, 'y');
      expectClose(tp.gradient(y, x) as Tensor, fx.vector.dy_dx, T.tol, 'dy/dx');
    });

    it('a value that escaped through item() carries no gradient, and the error names the escape', () => {
      nb.siteState.current = { file: 't.nabla', line: 3, col: 1 };
      const x = load(fx.numpy_escape.x, { ...T.opts, requiresGrad: true });
      const copy = nb.tensor(x.item() as number, { dtype: T.dtype });
      nb.siteState.current = { file: 't.nabla', line: 4, col: 1 };
      const y = nb.pow(copy, 2);
      expectClose(y, fx.numpy_escape.y, T.tol, 'y');
      expect(y.requiresGrad).toBe(fx.numpy_escape.y_requires_grad);
      expect(fx.numpy_escape.error_autograd_grad.message).toMatch(/does not require grad/);
      expect(() => nb.grad(y, x)).toThrow(/does not require grad[\s\S]*item\(\) at t\.nabla:3:1/);
      // the same in a tape, and through tolist()
      const xt = load(fx.numpy_escape.x, T.opts);
      const tp = nb.tape();
      const yt = tp.run((t) => {
        t.watch(xt);
        return nb.add(nb.pow(nb.tensor(xt.tolist() as number, { dtype: T.dtype }), 2), nb.mul(xt, 0));
      });
      expect(fx.numpy_escape.grad).toBeNull();
      // d/dx (c^2 + 0 x) = 0 here: the escaped term contributes nothing
      expect((tp.gradient(yt, xt) as Tensor).item()).toBe(0);
    });

    it('a partial escape: only the recorded term contributes', () => {
      const x = load(fx.partial_escape.x, { ...T.opts, requiresGrad: true });
      const copy = nb.tensor(x.tolist() as number[], { dtype: T.dtype });
      const loss = nb.add(nb.sum(nb.mul(x, x)), nb.sum(nb.pow(copy, 2)));
      expectNear(scalarOf(loss), fx.partial_escape.loss, T.near, 'loss');
      expectClose(nb.grad(loss, x) as Tensor, fx.partial_escape.grad, T.tol, 'grad');
    });

    it('an escaped input that is otherwise unused: None with allow_unused, else an error naming tolist()', () => {
      nb.siteState.current = { file: 't.nabla', line: 7, col: 5 };
      const x = load(fx.partial_escape.x, { ...T.opts, requiresGrad: true });
      const w = nb.tensor(2, { dtype: T.dtype, requiresGrad: true });
      const loss = nb.mul(w, nb.sum(nb.tensor(x.tolist() as number[], { dtype: T.dtype })));
      // as in PyTorch, the failing call has already run (and freed) the graph, hence retainGraph
      expect(() => nb.grad(loss, [w, x], { retainGraph: true })).toThrow(
        /input 2 was not used[\s\S]*tolist\(\) at t\.nabla:7:5[\s\S]*allow_unused/,
      );
      const [gw, gx] = nb.grad(loss, [w, x], { allowUnused: true }) as (Tensor | null)[];
      expectNear(
        gw!.item() as number,
        (fx.partial_escape.x.data as number[]).reduce((p, q) => p + q, 0),
        T.near,
        'd loss / dw = sum(x)',
      );
      expect(gx).toBeNull();
    });

    it('an unused input needs allow_unused, and then gets None', () => {
      const u = fx.unused_input;
      const x = load(u.x, { ...T.opts, requiresGrad: true });
      const z = load(u.z, { ...T.opts, requiresGrad: true });
      const [gx, gz] = nb.grad(nb.sum(nb.mul(x, x)), [x, z], { allowUnused: true }) as (Tensor | null)[];
      expectClose(gx, u.grad_x, T.tol, 'dx');
      expect(u.grad_z).toBeNull();
      expect(gz).toBeNull();
      expect(u.error_without_allow_unused.message).toMatch(/allow_unused=True/);
      expect(() => nb.grad(nb.sum(nb.mul(x, x)), [x, z])).toThrow(/input 2 was not used[\s\S]*allow_unused=true/);
      const tp = nb.tape();
      const loss = tp.run(() => nb.sum(nb.mul(x, x)));
      expect((tp.gradient(loss, [x, z]) as (Tensor | null)[])[1]).toBeNull();
    });
  });

  describe("complex_affine: Y = W @ I, PyTorch's complex gradient convention", () => {
    const fx = fixture('complex_affine');
    const setup = () => {
      const W = load(fx.inputs.W, { ...T.opts, requiresGrad: true });
      const I = load(fx.inputs.I, { ...T.opts, requiresGrad: true });
      const Y = nb.matmul(W, I);
      Y.retainGrad();
      return { W, I, Y };
    };

    it('L = sum(|Y|^2): dL/dY = 2Y, dL/dI = W^H dL/dY, dL/dW = dL/dY I^H', () => {
      const { W, I, Y } = setup();
      expect(Y.dtype).toBe('complex64');
      expectClose(Y, fx.Y, C64, 'Y');
      const L = nb.sum(nb.pow(nb.abs(Y), 2));
      expectNear(scalarOf(L), fx.L, 1e-5, 'L');
      L.backward();
      expectClose(Y.grad, fx.dL_dY, C64, 'dL/dY');
      expectClose(I.grad, fx.dL_dI, C64, 'dL/dI');
      expectClose(W.grad, fx.dL_dW, C64, 'dL/dW');
      expectClose(nb.matmul(nb.adjoint(W), Y.grad!), fx.WH_at_dL_dY, C64, 'W^H dL/dY');
      expectClose(nb.matmul(Y.grad!, I.H), fx.dL_dY_at_IH, C64, 'dL/dY I^H');
    });

    it('L2 = real(sum(Y * conj(c))): dL2/dY = c', () => {
      const { W, I, Y } = setup();
      const L2 = nb.real(nb.sum(nb.mul(Y, nb.conj(load(fx.inputs.c, T.opts)))));
      expectNear(scalarOf(L2), fx.L2.value, 1e-5, 'L2');
      L2.backward();
      expectClose(Y.grad, fx.L2.dL2_dY, C64, 'dL2/dY');
      expectClose(I.grad, fx.L2.dL2_dI, C64, 'dL2/dI');
      expectClose(W.grad, fx.L2.dL2_dW, C64, 'dL2/dW');
    });

    const k = fixture('complex_affine').single_op_constants;
    const F: Record<string, (z: Tensor, w: Tensor) => Tensor> = {
      conj: (z) => nb.conj(z),
      exp: (z) => nb.exp(z),
      mul_const: (z) => nb.mul(z, load(k.k, T.opts)),
      div_const: (z) => nb.div(z, load(k.k, T.opts)),
      const_div: (z) => nb.div(load(k.k, T.opts), z),
      square: (z) => nb.mul(z, z),
      real: (z) => nb.real(z),
      imag: (z) => nb.imag(z),
      abs: (z) => nb.abs(z),
      angle: (z) => nb.angle(z),
      mul_zw: (z, w) => nb.mul(z, w),
      div_zw: (z, w) => nb.div(z, w),
    };
    const LOSS: Record<string, (f: Tensor) => Tensor> = {
      abs2: (f) => nb.sum(nb.pow(nb.abs(f), 2)),
      inner: (f) => nb.real(nb.sum(nb.mul(f, nb.conj(load(k.v, T.opts))))),
      weighted: (f) => nb.sum(nb.mul(f, load(k.r, T.opts))),
    };
    const singles = fixture('complex_affine').single_ops as {
      name: string;
      f: string;
      f_of_z: Fx;
      loss_value: number;
      grads: Record<string, Fx>;
    }[];

    it('has a mapping for every single-op case', () => {
      expect(singles.length).toBe(20);
      for (const s of singles) {
        const [fn, loss] = s.name.split('__');
        expect(F[fn], s.name).toBeDefined();
        expect(LOSS[loss], s.name).toBeDefined();
      }
    });

    it.each(singles.map((s) => [s.name, s] as const))('single op %s', (_name, s) => {
      const [fn, loss] = s.name.split('__');
      const z = load(k.z, { ...T.opts, requiresGrad: true });
      const w = load(k.w, { ...T.opts, requiresGrad: true });
      const fz = F[fn](z, w);
      expectClose(fz, s.f_of_z, C64, `f = ${s.f}`);
      const L = LOSS[loss](fz);
      expectNear(scalarOf(L), s.loss_value, 1e-5, 'loss');
      const wanted = Object.keys(s.grads);
      const gs = nb.grad(
        L,
        wanted.map((n) => (n === 'z' ? z : w)),
      ) as Tensor[];
      wanted.forEach((n, i) => {
        expect(gs[i].dtype).toBe('complex64');
        expectClose(gs[i], s.grads[n], C64, `d loss / d${n}`);
      });
    });
  });

  describe('tanh_net_derivs: derivatives of a tanh network with respect to its input', () => {
    const fx = fixture('tanh_net_derivs');
    const names = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] as const;
    const params = () =>
      Object.fromEntries(names.map((n) => [n, load(fx.params[n], { ...T.opts, requiresGrad: true })])) as Record<
        (typeof names)[number],
        Tensor
      >;
    const linear = (h: Tensor, W: Tensor, b: Tensor) => nb.add(nb.matmul(h, nb.transpose(W)), b);
    const net = (p: ReturnType<typeof params>) => (x: Tensor) =>
      linear(nb.tanh(linear(nb.tanh(linear(x, p.W1, p.b1)), p.W2, p.b2)), p.W3, p.b3);
    const d = (y: Tensor, x: Tensor) => nb.grad(y, x, { gradOutputs: nb.onesLike(y), createGraph: true }) as Tensor;

    it('u, du/dx, d2u/dx2 and d3u/dx3 by repeated grad with createGraph', () => {
      const x = load(fx.x, { ...T.opts, requiresGrad: true });
      const u = net(params())(x);
      expectClose(u, fx.u, T.tol, 'u');
      const du = d(u, x);
      expectClose(du, fx.du_dx, T.tol, 'du/dx');
      const d2u = d(du, x);
      expectClose(d2u, fx.d2u_dx2, T.tol, 'd2u/dx2');
      expectClose(d(d2u, x), fx.d3u_dx3, T.tol, 'd3u/dx3');
    });

    it('the PINN loss mean((d2u + u)^2) and its parameter gradients, through d2u', () => {
      const p = params();
      const x = load(fx.x, { ...T.opts, requiresGrad: true });
      const u = net(p)(x);
      const d2u = d(d(u, x), x);
      const loss = nb.mean(nb.pow(nb.add(d2u, u), 2));
      expectNear(scalarOf(loss), fx.pinn_loss.value, T.near, 'pinn loss');
      const gs = nb.grad(
        loss,
        names.map((n) => p[n]),
      ) as Tensor[];
      names.forEach((n, i) => expectClose(gs[i], fx.pinn_loss.grads[n], T.tol, `d loss / d${n}`));
    });

    it('jacobian, hessian, vjp and jvp agree (u_i depends on x_i only, so J and H are diagonal)', () => {
      const f = net(params());
      const x = load(fx.x, T.opts);
      const n = x.size;
      const J = nb.jacobian(f, x);
      expect(J.shape).toEqual([7, 1, 7, 1]);
      const Jm = nb.reshape(J, [n, n]);
      const eye = nb.eye(n, n, { dtype: T.dtype });
      expectClose(
        nb.mul(Jm, eye),
        values(nb.mul(nb.reshape(load(fx.du_dx, T.opts), [n, 1]), eye)),
        T.tol,
        'jacobian (diagonal)',
        [n, n],
      );
      expectClose(nb.mul(Jm, nb.sub(1, eye)), new Array(n * n).fill(0), T.tol, 'jacobian (off-diagonal)', [n, n]);
      const H = nb.hessian((xi) => nb.sum(f(xi)), x);
      expect(H.shape).toEqual([7, 1, 7, 1]);
      expectClose(
        nb.mul(nb.reshape(H, [n, n]), eye),
        values(nb.mul(nb.reshape(load(fx.d2u_dx2, T.opts), [n, 1]), eye)),
        T.tol,
        'hessian',
        [n, n],
      );
      const ones = nb.ones([7, 1], { dtype: T.dtype });
      const [y1, vj] = nb.vjp(f, x, ones);
      expectClose(y1, fx.u, T.tol, 'vjp value');
      expectClose(vj, fx.du_dx, T.tol, 'vjp');
      const [y2, jv] = nb.jvp(f, x, ones);
      expectClose(y2, fx.u, T.tol, 'jvp value');
      expectClose(jv, fx.du_dx, T.tol, 'jvp');
      expect(x.requiresGrad).toBe(false);
    });
  });
});
