import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { arith, cubicInterpolate, strongWolfe } from '../../runtime/optim/line_search';

/**
 * Optimizers against PyTorch 1.13 (test/fixtures/torch/: optimizers, lbfgs_rosenbrock, minmax). Everything runs in
 * float64, as the fixtures do, so trajectories agree to ~1e-15; tolerances below say why where they are looser.
 */
type Fx = { shape: number[]; data: number[] };
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/torch/${name}.json`, import.meta.url), 'utf8'));
const f64 = (o: Fx, requiresGrad = false) => {
  const t = Tensor.fromHost(Float64Array.from(o.data), o.shape, 'float64');
  t.requiresGrad = requiresGrad;
  return t;
};
const camel = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
const host = (t: Tensor) => Array.from(t.toHost());

/** |a - b| <= rel·|b| + abs, elementwise, with a message naming the first bad entry. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs = 0, what = '') {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= rel * Math.abs(want[i]) + abs;
    if (!ok) expect.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (rel ${rel}, abs ${abs})`);
  }
}

// ---- SGD / Adam / AdamW: optimizers.json --------------------------------------------------------------

describe('optimizers.json: 10 steps of each optimizer on sum((A@w - b)^2) + 0.1*sum(w^4)', () => {
  const fx = fixture('optimizers');
  type Opt = { zeroGrad(): void; step(): unknown; paramGroups: object[]; state: Map<Tensor, Record<string, any>> };
  const make = { SGD: nb.sgd, Adam: nb.adam, AdamW: nb.adamw } as unknown as Record<
    string,
    (p: Tensor[], o: object) => Opt
  >;

  function run(r: any, dtype: 'float64' | 'float32') {
    const cast = (o: Fx) => (dtype === 'float64' ? f64(o) : nb.tensor(o.data, { dtype }).reshape(...o.shape));
    const A = cast(fx.inputs.A);
    const b = cast(fx.inputs.b);
    const w = nb.param(fx.inputs.w0.data, { dtype });
    const opt = make[r.optimizer]([w], camel(r.hyperparameters));
    const out = { losses: [] as number[], grads: [] as number[], ws: [] as number[] };
    for (let k = 0; k < 10; k++) {
      opt.zeroGrad();
      const f = nb.add(nb.sum(nb.pow(nb.sub(nb.matmul(A, w), b), 2)), nb.mul(0.1, nb.sum(nb.pow(w, 4))));
      const loss = nb.mul(r.loss_sign, f);
      loss.backward();
      out.losses.push(loss.item() as number);
      out.grads.push(...host(w.grad!));
      opt.step();
      out.ws.push(...host(w));
    }
    return { ...out, opt, w };
  }

  it('has the 11 runs', () => expect(fx.runs.map((r: any) => r.name)).toHaveLength(11));

  for (const r of fixture('optimizers').runs) {
    it(`${r.name}: float64 trajectory matches PyTorch to 1e-12`, () => {
      const { losses, grads, ws, opt } = run(r, 'float64');
      close(losses, r.loss_before_step, 1e-12, 0, 'loss');
      close(grads, r.grad_before_step.data, 1e-12, 1e-15, 'grad');
      close(ws, r.w_after_step.data, 1e-12, 0, 'w');
      // the stored group has every option, PyTorch's defaults filled in (compared under Nabla's names)
      const g = opt.paramGroups[0] as Record<string, unknown>;
      for (const [k, v] of Object.entries(camel(r.param_group))) if (k in g) expect(g[k], k).toEqual(v);
    });
  }

  for (const name of ['sgd_nesterov', 'adam_amsgrad', 'adamw']) {
    it(`${name}: float32 params follow the float64 trajectory to float32 precision`, () => {
      const r = fx.runs.find((x: any) => x.name === name);
      const { ws, w } = run(r, 'float32');
      expect(w.dtype).toBe('float32');
      // float32 inputs and float32 state: a few float32 ulps (~1e-7) per step, over 10 steps
      close(ws, r.w_after_step.data, 1e-5, 1e-6, 'w');
    });
  }

  it('maximize runs on -f retrace the minimize runs exactly', () => {
    const byName = (n: string) => fx.runs.find((x: any) => x.name === n);
    expect(run(byName('sgd_maximize'), 'float64').ws).toEqual(run(byName('sgd'), 'float64').ws);
    expect(run(byName('adam_maximize'), 'float64').ws).toEqual(run(byName('adam'), 'float64').ws);
  });

  it('keeps PyTorch-shaped state: momentumBuffer, and step/expAvg/expAvgSq/maxExpAvgSq', () => {
    const sgdState = run(
      fx.runs.find((x: any) => x.name === 'sgd_momentum'),
      'float64',
    );
    expect(sgdState.opt.state.get(sgdState.w)!.momentumBuffer).toBeInstanceOf(Tensor);
    const adamState = run(
      fx.runs.find((x: any) => x.name === 'adam_amsgrad'),
      'float64',
    );
    const st = adamState.opt.state.get(adamState.w)!;
    expect(st.step).toBe(10);
    for (const k of ['expAvg', 'expAvgSq', 'maxExpAvgSq']) expect(st[k].shape).toEqual([3]);
  });
});

// ---- parameter groups, zeroGrad, in-place semantics ---------------------------------------------------

describe('parameter groups', () => {
  it('group options override the defaults; the rest come from the defaults', () => {
    const a = nb.param([1, 2], { dtype: 'float64' });
    const b = nb.param([3, 4], { dtype: 'float64' });
    const opt = nb.sgd([{ params: [a] }, { params: [b], lr: 0.5, maximize: true }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.maximize])).toEqual([
      [0.1, 0.9, false],
      [0.5, 0.9, true],
    ]);
  });

  it('two groups, different lr, one maximizing: each moves as its own optimizer would', () => {
    const loss = (a: Tensor, b: Tensor) => nb.sum(nb.mul(nb.mul(a, a), nb.tanh(b)));
    const start = () => [nb.param([0.3, -0.7], { dtype: 'float64' }), nb.param([0.2, 0.9], { dtype: 'float64' })];
    const [a1, b1] = start();
    const grouped = nb.adam([
      { params: [a1], lr: 0.1 },
      { params: [b1], lr: 0.01, maximize: true },
    ]);
    const [a2, b2] = start();
    const separate = [nb.adam([a2], { lr: 0.1 }), nb.adam([b2], { lr: 0.01, maximize: true })];
    for (let k = 0; k < 5; k++) {
      grouped.zeroGrad();
      loss(a1, b1).backward();
      grouped.step();
      separate.forEach((o) => o.zeroGrad());
      loss(a2, b2).backward();
      separate.forEach((o) => o.step());
    }
    expect(host(a1)).toEqual(host(a2));
    expect(host(b1)).toEqual(host(b2));
  });

  it('plain SGD per group: a -= lr_a·g_a, b += lr_b·g_b (maximize)', () => {
    const a = nb.param([1, 2], { dtype: 'float64' });
    const b = nb.param([3, 4], { dtype: 'float64' });
    const opt = nb.sgd([
      { params: [a], lr: 0.1 },
      { params: [b], lr: 0.01, maximize: true },
    ]);
    nb.add(nb.sum(nb.mul(a, a)), nb.sum(nb.mul(b, b))).backward(); // grads 2a, 2b
    opt.step();
    close(host(a), [1 - 0.1 * 2, 2 - 0.1 * 4], 1e-15);
    close(host(b), [3 + 0.01 * 6, 4 + 0.01 * 8], 1e-15);
  });

  it('reads lr from the group at every step (schedules edit paramGroups)', () => {
    const w = nb.param([1], { dtype: 'float64' });
    const opt = nb.sgd([w], 0.1); // lr may be given positionally, as in sgd(params, lr)
    w.grad = nb.tensor([1], { dtype: 'float64' });
    opt.step();
    opt.paramGroups[0].lr = 0.01;
    opt.step();
    close(host(w), [1 - 0.1 - 0.01], 1e-15);
  });

  it('takes a model, a single tensor or a single group as params', () => {
    const model = nb.mlp([2, 3, 1], { seed: 0 });
    expect(nb.adam(model).paramGroups[0].params).toEqual(model.params);
    const w = nb.param([1, 2]);
    expect(nb.sgd(w, 0.1).paramGroups[0].params).toEqual([w]);
    expect(nb.sgd({ params: [w], lr: 0.5 }, 0.1).paramGroups[0].lr).toBe(0.5);
  });

  it('says what is wrong with a bad construction', () => {
    expect(() => nb.sgd(3 as never, 0.1)).toThrow(/params must be a list of tensors/);
    expect(() => nb.sgd([nb.param([1]), { params: [nb.param([2])] }] as never, 0.1)).toThrow(/do not mix/);
    const w = nb.param([1, 2]);
    expect(() => nb.sgd([], { lr: 0.1 })).toThrow(/empty parameter list/);
    expect(() => nb.sgd([w])).toThrow(/invalid lr \(missing\)/);
    expect(() => nb.sgd([w], { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
    expect(() => nb.adam([w], { weight_decay: 0.1 } as never)).toThrow(
      /unknown option 'weight_decay' \(did you mean weightDecay\?\)/,
    );
    expect(() => nb.adam([w], { betas: [0.9, 1] })).toThrow(/beta2/);
    expect(() => nb.adam([{ params: [w] }, { params: [w] }])).toThrow(/more than one parameter group/);
    expect(() => nb.adam([nb.mul(w, 2)])).toThrow(/non-leaf/);
    expect(() => nb.lbfgs([{ params: [w] }, { params: [nb.param([1])] }])).toThrow(/parameter groups/);
    expect(() => nb.lbfgs([w]).step()).toThrow(/closure/);
  });
});

describe('zeroGrad and in-place updates', () => {
  const setup = () => {
    const w = nb.param([1, 2, 3], { dtype: 'float64' });
    nb.sum(nb.mul(w, w)).backward();
    return w;
  };

  it('opt.zeroGrad() sets .grad to none; steps skip params without a gradient', () => {
    const w = setup();
    const opt = nb.adam([w]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
    const before = w.version;
    opt.step();
    expect(w.version).toBe(before);
    expect(opt.state.size).toBe(0);
  });

  it('zeroGrad(x) takes an optimizer, a list, a tensor, or a model', () => {
    const w = setup();
    nb.zeroGrad(nb.sgd([w], 0.1));
    expect(w.grad).toBeNull();
    const v = setup();
    nb.zeroGrad([v]);
    expect(v.grad).toBeNull();
    const model = nb.mlp([2, 3, 1], { seed: 0 });
    nb.sum(model(nb.ones([4, 2]))).backward();
    expect(model.params.every((p) => p.grad !== null)).toBe(true);
    nb.zeroGrad(model);
    expect(model.params.every((p) => p.grad === null)).toBe(true);
  });

  it('setToNone=false zeroes the same gradient tensor in place', () => {
    const w = setup();
    const g = w.grad!;
    nb.zeroGrad(w, { setToNone: false });
    expect(w.grad).toBe(g);
    expect(host(g)).toEqual([0, 0, 0]);
  });

  it('a step writes in place without recording, and bumps the version', () => {
    const w = setup();
    const storage = w.storage;
    const v0 = w.version;
    nb.sgd([w], 0.1).step();
    expect(w.storage).toBe(storage);
    expect(w.version).toBe(v0 + 1);
    expect(w.isLeaf && w.gradFn === null).toBe(true);
    expect(host(w)).toEqual([1, 2, 3].map((x) => x - 0.1 * (2 * x)));
  });

  it('a backward through a value the step overwrote fails and names the step', () => {
    const w = nb.param([1, 2, 3], { dtype: 'float64' });
    const y = nb.sum(nb.mul(w, w)); // saves w for backward
    w.grad = nb.onesLike(w);
    nb.sgd([w], 0.1).step();
    expect(() => y.backward()).toThrow(/modified in place afterwards by sgd\.step\(\)/);
  });

  it('a non-contiguous leaf is updated through the runtime (same result as a contiguous one)', () => {
    const base = nb.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    );
    const w = nb.transpose(base); // a view of base, a leaf since base needs no grad
    w.requiresGrad = true;
    expect(w.isContiguous).toBe(false);
    const c = nb.param(
      [
        [1, 3],
        [2, 4],
      ],
      { dtype: 'float64' },
    );
    const opts = { lr: 0.1, momentum: 0.5 };
    const [o1, o2] = [nb.sgd([w], opts), nb.sgd([c], opts)];
    for (let k = 0; k < 3; k++) {
      for (const [p, o] of [
        [w, o1],
        [c, o2],
      ] as const) {
        o.zeroGrad();
        nb.sum(nb.mul(nb.mul(p, p), p)).backward();
        o.step();
      }
    }
    expect(host(w)).toEqual(host(c));
    expect(host(base)).toEqual(host(nb.transpose(c))); // the write went through to the viewed storage
  });

  it('step(closure) evaluates the closure with grad on and returns its loss', () => {
    const w = nb.param([2], { dtype: 'float64' });
    const opt = nb.sgd([w], 0.25);
    const loss = nb.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = nb.sum(nb.mul(w, w));
        l.backward();
        return l;
      }),
    ) as Tensor;
    expect(loss.item()).toBe(4);
    expect(host(w)).toEqual([2 - 0.25 * 4]);
  });

  it('prints its options', () => {
    expect(String(nb.sgd([nb.param([1, 2])], 0.1))).toBe(
      'SGD(lr=0.1, momentum=0, dampening=0, nesterov=false, weight_decay=0, maximize=false): 2 params',
    );
  });
});

// ---- minmax.json: the seed question ------------------------------------------------------------------

describe("minmax.json: Adam maximize=true on C equals negating C's gradients by hooks", () => {
  const fx = fixture('minmax');
  const P = fx.initial_params;
  const names = ['A.weight', 'A.bias', 'B.weight', 'B.bias', 'C.weight', 'C.bias'];

  function build() {
    const layer = (n: string) => nb.linear.fromTorch(f64(P[`${n}.weight`]), f64(P[`${n}.bias`]));
    const [A, B, C] = ['A', 'B', 'C'].map(layer);
    const x = f64(fx.inputs.x);
    const d = (y: Tensor) => nb.pow(nb.abs(y), nb.add(x, 1));
    const loss = () => nb.sum(nb.sub(d(B(A(x))), d(C(A(x)))));
    // torch layout for comparison: Linear stores [out, in], Nabla [in, out]
    const params = () => [A, B, C].flatMap((l) => [host(nb.transpose(l.weight)), host(l.bias!)]);
    return { A, B, C, loss, params };
  }

  type Style = 'maximize_flag' | 'negated_grads' | 'groups';
  function run(style: Style, steps: number) {
    const { A, B, C, loss, params } = build();
    const hp = { lr: fx.adam_hyperparameters.lr };
    let opts: { zeroGrad(): void; step(): unknown }[];
    if (style === 'groups')
      opts = [nb.adam([{ params: [...A.params, ...B.params] }, { params: C.params, maximize: true }], hp)];
    else
      opts = [
        nb.adam([...A.params, ...B.params], hp),
        nb.adam(C.params, { ...hp, maximize: style === 'maximize_flag' }),
      ];
    if (style === 'negated_grads') for (const p of C.params) p.registerHook((g) => nb.neg(g));
    const traj = [];
    for (let k = 0; k < steps; k++) {
      opts.forEach((o) => o.zeroGrad());
      const L = loss();
      L.backward();
      opts.forEach((o) => o.step());
      traj.push({ before: L.item() as number, params: params(), after: loss().item() as number });
    }
    return traj;
  }

  it('the loss and gradients at the start match', () => {
    const { A, B, C, loss } = build();
    const L = loss();
    L.backward();
    close([L.item() as number], [fx.loss], 1e-13);
    const grads = [A, B, C].flatMap((l) => [host(nb.transpose(l.weight.grad!)), host(l.bias!.grad!)]);
    names.forEach((n, i) => close(grads[i], fx.grads[n].data, 1e-12, 1e-14, n));
  });

  for (const style of ['maximize_flag', 'negated_grads', 'groups'] as const) {
    it(`${style}: after 1 and 5 steps the params match PyTorch`, () => {
      const traj = run(style, 5);
      const want = fx.five_steps[style === 'groups' ? 'maximize_flag' : style];
      names.forEach((n, i) =>
        close(
          traj[0].params[i],
          fx.after_one_step[style === 'groups' ? 'maximize_flag' : style][n].data,
          1e-12,
          1e-15,
          n,
        ),
      );
      traj.forEach((t, k) => {
        close([t.before, t.after], [want.loss_before_step[k], want.loss_after_step[k]], 1e-12, 0, `loss ${k}`);
        names.forEach((n, i) =>
          close(t.params[i], want.params_after_step[k][n].data, 1e-12, 1e-15, `${n} step ${k + 1}`),
        );
      });
    });
  }

  it('the flag and the hooks give identical numbers (as in PyTorch)', () => {
    expect(run('maximize_flag', 5)).toEqual(run('negated_grads', 5));
  });
});

// ---- lbfgs_rosenbrock.json ---------------------------------------------------------------------------

describe('lbfgs_rosenbrock.json: L-BFGS on Rosenbrock from (-1.5, 2)', () => {
  const fx = fixture('lbfgs_rosenbrock');
  const rosen = (p: Tensor) => {
    const [x, y] = [nb.index(p, [0]), nb.index(p, [1])];
    return nb.add(nb.pow(nb.sub(1, x), 2), nb.mul(100, nb.pow(nb.sub(y, nb.pow(x, 2)), 2)));
  };

  type Step = { ret: number; p: number[]; f: number; evals: number; funcEvals: number; nIter: number };
  function run(h: any, sign = 1): Step[] {
    const p = nb.param(fx.start, { dtype: 'float64' });
    const opt = nb.lbfgs([p], {
      lr: h.lr,
      maxIter: h.max_iter,
      historySize: h.history_size,
      lineSearchFn: h.line_search_fn,
      maximize: sign < 0,
    });
    let count = 0;
    const closure = () => {
      opt.zeroGrad();
      const f = nb.mul(sign, rosen(p));
      f.backward();
      count++;
      return f;
    };
    return fx.runs[0].steps.map(() => {
      const before = count;
      const ret = (opt.step(closure) as Tensor).item() as number;
      const st = opt.state.get(p)!;
      return {
        ret: sign * ret,
        p: host(p),
        f: rosen(p).item() as number,
        evals: count - before,
        funcEvals: st.funcEvals,
        nIter: st.nIter,
      };
    });
  }

  const label = (h: any) => `lr=${h.lr}, line search ${h.line_search_fn}`;

  for (const [i, r] of fixture('lbfgs_rosenbrock').runs.entries()) {
    it(`${label(r.hyperparameters)}: closure calls, n_iter and the trajectory match PyTorch`, () => {
      expect(r.param_group.max_eval).toBe(25); // our default maxEval = floor(maxIter·5/4), as PyTorch's
      const got = run(r.hyperparameters);
      got.forEach((g, k) => {
        const s = r.steps[k];
        expect([g.evals, g.funcEvals, g.nIter], `step ${k + 1}`).toEqual([
          s.closure_evals,
          s.state_func_evals,
          s.state_n_iter,
        ]);
        // Unit steps without a line search (run 3) amplify a last-bit difference ~1000x per step: PyTorch fuses
        // a + t·d into one FMA, JS rounds twice. The exact-fma test below shows the algorithm is bit-identical.
        const [rel, abs] = i === 2 && k >= 2 ? [1e-2, 1e-6] : [1e-8, 1e-15];
        close([g.ret, g.f], [s.step_return, s.f], rel, abs, `f, step ${k + 1}`);
        close(g.p, s.p.data, rel, abs, `p, step ${k + 1}`);
      });
    });
  }

  describe("with an exact fused multiply-add, as PyTorch's AVX2 kernels use", () => {
    const plain = arith.fma;
    afterEach(() => void (arith.fma = plain));

    it('all three runs match PyTorch bit for bit', () => {
      arith.fma = exactFma;
      for (const r of fx.runs) {
        const got = run(r.hyperparameters);
        const want = r.steps.map((s: any) => ({
          ret: s.step_return,
          p: s.p.data,
          f: s.f,
          evals: s.closure_evals,
          funcEvals: s.state_func_evals,
          nIter: s.state_n_iter,
        }));
        expect(got, label(r.hyperparameters)).toEqual(want);
      }
    });
  });

  it("maximize=true on -f retraces the minimization exactly (an extension: PyTorch's LBFGS has no maximize)", () => {
    const h = fx.runs[0].hyperparameters;
    expect(run(h, -1)).toEqual(run(h));
  });

  it("accepts the language's names history= and line_search=, and stops at once at a stationary point", () => {
    const p = nb.param([1, 1], { dtype: 'float64' });
    const opt = nb.lbfgs([p], { history: 5, lineSearch: 'strong_wolfe' });
    expect([opt.paramGroups[0].historySize, opt.paramGroups[0].lineSearchFn, opt.paramGroups[0].maxEval]).toEqual([
      5,
      'strong_wolfe',
      25,
    ]);
    let calls = 0;
    opt.step(() => {
      opt.zeroGrad();
      const f = rosen(p);
      f.backward();
      calls++;
      return f;
    });
    expect(calls).toBe(1);
    expect(host(p)).toEqual([1, 1]);
  });
});

describe('L-BFGS min_curvature: which curvature pairs join the history', () => {
  // a quadratic of condition 1e4 scaled by 1e-9: its pairs soon have y·s below PyTorch's fixed 1e-10, as a fitted
  // PINN's do (loss ~1e-6), so with the default they are left out and the search is scaled steepest descent
  const a = Float64Array.from({ length: 20 }, (_, i) => 1 + (9999 * i) / 19);
  const run = (minCurvature?: number) => {
    const w = nb.param(new Array<number>(20).fill(0), { dtype: 'float64' });
    const A = Tensor.fromHost(a, [20], 'float64');
    const opt = nb.lbfgs([w], {
      maxIter: 60,
      historySize: 10,
      lineSearchFn: 'strong_wolfe',
      toleranceGrad: 0,
      toleranceChange: 0,
      ...(minCurvature === undefined ? {} : { minCurvature }),
    });
    const loss = () => nb.mul(nb.sum(nb.mul(A, nb.pow(nb.sub(w, 1), 2))), 1e-9);
    opt.step(() => {
      opt.zeroGrad();
      const f = loss();
      f.backward();
      return f;
    });
    return { opt, loss: loss().item() as number };
  };

  it("PyTorch's 1e-10 (the default) leaves most pairs out there, and the loss stalls", () => {
    const { opt, loss } = run();
    expect(opt.paramGroups[0].minCurvature).toBe(1e-10);
    expect(opt.skippedPairs).toBeGreaterThan(opt.lastIterations / 2); // all once the steps get small
    expect(loss).toBeGreaterThan(1e-10); // from 1e-4: not even six digits
  });

  it('0 keeps every pair of positive curvature, and L-BFGS converges', () => {
    const { opt, loss } = run(0);
    expect(opt.skippedPairs).toBe(0);
    expect(loss).toBeLessThan(1e-17);
  });

  it('refuses a negative bound, naming the keyword', () => {
    expect(() => nb.lbfgs([nb.param([1])], { minCurvature: -1 })).toThrow(/invalid min_curvature -1: it must be >= 0/);
  });
});

describe('strong-Wolfe line search and cubic interpolation against PyTorch 1.13', () => {
  /**
   * The Rosenbrock runs never reach some branches of the zoom phase (moving a trial away from the bracket's end,
   * the bracket-too-small exit, running out of iterations). These 1-D cases reach all of them. Expected values
   * come from torch.optim.lbfgs._strong_wolfe (PyTorch 1.13, float64) on f(x) = Σ c_k x^k evaluated by Horner's
   * rule in plain floats, from x0 along d = −f'(x0): [coefficients, t0, x0, max_ls, tolerance_change, [f, g, t, evals]].
   */
  const cases: [number[], number, number, number, number, [number, number, number, number]][] = [
    [[5, -1, -4, 0, 1], 0.3, 0.0, 25, 1e-9, [-0.4435823189505106, -0.14751039848044079, 1.4647527430375646, 4]],
    [[0, -1, 0, 0, 1], 1.0, -1.3, 25, 1e-9, [-0.4621021774765312, 0.33572617877022815, 0.20369593410952366, 3]],
    [[1, -3, 0.5, 1, 0.25], 0.001, -1.3, 25, 1e-9, [-0.4690093251340952, -0.04319381546989565, 1.445987165791422, 9]],
    [[0, -1, 0, 0, 1], 0.001, 0.0, 3, 1e-9, [0.0, -1.0, 0.0, 4]], // max_ls reached
    [[0, -1, 0, 0, 0, 0, 1], 0.3, 0.7, 25, 0.01, [-0.582351, 0.00841999999999965, 0.0, 1]], // bracket below tolerance
    [
      [0.71, -0.87, -0.46, 1.86, 0.76],
      10.0,
      -0.35,
      25,
      1e-9,
      [-2.1522739416785406, 1.4476994047996072e-9, 300.48360450985234, 13],
    ], // moved off the high end
    [
      [-1.73, -1.66, 1.48, -1.84, -1.1, -1.84, 0.13],
      1.0,
      -0.51,
      25,
      1e-9,
      [-96248.65562412744, 2.9420432139826147e-5, 2.742110751463427, 9],
    ], // off the low end
  ];
  const horner = (c: number[], x: number): [number, number] => {
    let f = 0;
    for (let k = c.length - 1; k >= 0; k--) f = f * x + c[k];
    let g = 0;
    for (let k = c.length - 1; k >= 1; k--) g = g * x + k * c[k];
    return [f, g];
  };

  for (const [c, t0, x0, maxLs, tol, want] of cases) {
    it(`f = ${c.join(',')}, t0 = ${t0}, x0 = ${x0}: same f, g, t and evaluation count, bit for bit`, () => {
      const [f0, g0] = horner(c, x0);
      const d = Float64Array.of(-g0);
      const directional = (t: number, dd: Float64Array): [number, Float64Array] => {
        const [f, g] = horner(c, x0 + t * dd[0]);
        return [f, Float64Array.of(g)];
      };
      const r = strongWolfe(directional, t0, d, f0, Float64Array.of(g0), g0 * -g0, 1e-4, 0.9, tol, maxLs);
      expect([r.f, r.g[0], r.t, r.evals]).toEqual(want);
    });
  }

  it('cubic interpolation: the minimizer of the cubic, clamped to bounds, or the midpoint when there is none', () => {
    // expected values from torch.optim.lbfgs._cubic_interpolate (PyTorch 1.13)
    expect(cubicInterpolate(0, 1, -2, 1, 0.5, 1)).toBe(0.6666666666666667);
    expect(cubicInterpolate(1, 0.5, 1, 0, 1, -2)).toBe(0.6666666666666667);
    expect(cubicInterpolate(0, 1, -1, 2, 3, -1)).toBe(0.18350341907227397);
    expect(cubicInterpolate(0.3, 2, -1, 0.9, 1.5, 0.2, [0.35, 0.4])).toBe(0.4);
    expect(cubicInterpolate(0, 0, -1, 1, -2, -3)).toBe(1);
    expect(cubicInterpolate(0, 0, 3, 1, 2.5, 3)).toBe(0.5); // d1² < g1·g2: no real minimizer
  });
});

/** fma(a, b, c) rounded once: exact integer arithmetic on the binary expansions, then round-half-even. */
function exactFma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c) || a === 0 || b === 0) return a * b + c;
  const parts = (x: number): [bigint, bigint] => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x);
    const bits = v.getBigUint64(0);
    const e = Number((bits >> 52n) & 0x7ffn);
    const m = (bits & ((1n << 52n) - 1n)) | (e ? 1n << 52n : 0n);
    return [x < 0 ? -m : m, BigInt(e ? e - 1075 : -1074)];
  };
  const [ma, ea] = parts(a);
  const [mb, eb] = parts(b);
  const [mc, ec] = c === 0 ? [0n, ea + eb] : parts(c);
  const e = ea + eb < ec ? ea + eb : ec;
  let m = ((ma * mb) << (ea + eb - e)) + (mc << (ec - e));
  if (m === 0n) return a * b + c;
  const neg = m < 0n;
  if (neg) m = -m;
  let exp = e;
  const extra = BigInt(m.toString(2).length - 53);
  if (extra > 0n) {
    const rem = m & ((1n << extra) - 1n);
    const half = 1n << (extra - 1n);
    m >>= extra;
    exp += extra;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  // the values here are far from the subnormal range, where this rounding would be off
  const r = Number(m) * 2 ** Number(exp);
  return neg ? -r : r;
}
