import { describe, expect, it } from 'vitest';
import type * as nb from '../../runtime';
import { createSession } from '../../compiler';
import { autoVsEager } from './auto-compile-run';
import { runNabla } from './run';

/**
 * A function called repeatedly compiles itself (issue 19): the same printed numbers, to the last bit, as with
 * NABLA_AUTO_COMPILE=0, from calls loop auto-compilation does not cover (an L-BFGS closure, a step function
 * called from a statement that runs eagerly, calls from separate cells), and every assumption guarded.
 */
const T = 240_000;

/** The numbers `explain compile` gives for a function: replayed calls, all calls, traces. */
function fnLine(report: string, name: string): { replays: number; calls: number; traces: number } | null {
  const m = report.match(
    new RegExp(
      `fn ${name}: compiled: (\\d+) of (\\d+) calls replayed a plan \\(\\d+ kernels and fused groups, traced (\\d+)×\\)`,
    ),
  );
  return m ? { replays: Number(m[1]), calls: Number(m[2]), traces: Number(m[3]) } : null;
}

const pinnSetup = `
net = mlp([1, 12, 12, 1], act=tanh, seed=0)
x = linspace(0, 1, 48).reshape(48, 1)
f = -pi^2 * sin(pi * x)
watch(x)
ends = tensor([[0.0], [1.0]])
fn residual() {
  u = net(x)
  du = grad(u, x, grad_outputs=ones_like(u), create_graph=true)
  d2u = grad(du, x, grad_outputs=ones_like(du), create_graph=true)
  mean((d2u - f)^2) + mean(net(ends)^2)
}
`;

/** One optimizer step of `opt` on the PINN residual, returning the loss. */
const trainStep = `fn train_step() {
  opt.zero_grad()
  loss = residual()
  loss.backward()
  opt.step()
  loss
}`;

/** L-BFGS steps (of `lb`, on `closure`) until `n` iterations, printing the progress after each. */
const lbfgsSteps = (n: number) => `done = 0
while done < ${n} {
  lb.step(closure)
  done = done + lb.last_iterations
  print(done, lb.evaluations, lb.stop_kind)
  if lb.stop_kind != "max_iter" and lb.stop_kind != "max_eval" { break }
}`;

const printParams = `for p in net.params { print(p.tolist()) }\n`;

describe('auto-compiled functions', () => {
  it(
    'an L-BFGS closure without @compile (30 iterations, strong Wolfe) replays a plan and matches eager bit for bit',
    () => {
      const src = `${pinnSetup}
lb = lbfgs(net.params, lr=1, max_iter=10, history=10, line_search="strong_wolfe")
fn closure() {
  lb.zero_grad()
  loss = residual()
  loss.backward()
  loss
}
${lbfgsSteps(30)}
print(closure().tolist())
${printParams}`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(eager.ok, eager.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      const progress = [...auto.stdout.matchAll(/^(\d+) (\d+) max_(?:iter|eval)$/gm)].map((m) => Number(m[1]));
      expect(progress[progress.length - 1]).toBeGreaterThanOrEqual(30); // 30 L-BFGS iterations or more ran
      const line = src.split('\n').findIndex((l) => l.startsWith('fn closure')) + 1;
      expect(report).toContain(`test.nabla:${line} fn closure: compiled`);
      const n = fnLine(report, 'closure')!;
      expect(n.traces).toBe(1);
      // every evaluation replays but two warm-up calls, the trace, and the one the while loop's own trace ran
      // inline (once that trace gave up at lb.step's item(), the closure compiles itself again)
      expect(n.replays).toBeGreaterThanOrEqual(n.calls - 4);
    },
    T,
  );

  it(
    'an @compile closure called by lb.step inside a loop statement whose trace gave up replays its calls, not only later steps',
    () => {
      // the loop's trace of `lb.step(closure)` fails at the line search's first item(); the rest of that step
      // used to run under the dead trace, each closure call as written: that iteration cost ~4× the others
      const src = `${pinnSetup}
lb = lbfgs(net.params, lr=1, max_iter=10, history=10, line_search="strong_wolfe")
@compile
fn closure() {
  lb.zero_grad()
  loss = residual()
  loss.backward()
  loss
}
closure()
${lbfgsSteps(40)}
${printParams}`;
      const { auto, eager } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      const evaluations = Number([...auto.stdout.matchAll(/^\d+ (\d+) \w+$/gm)].pop()![1]);
      expect(evaluations).toBeGreaterThan(40);
      const info = (auto.session.lookup('closure') as unknown as { compileInfo: nb.Compiled<() => void>['info'] })
        .compileInfo;
      // of the evaluations + 1 calls, the first traces, the second again (.grad was none at the first: a guard),
      // and one is part of the loop's trace while it is still live (the step's first evaluation, before its
      // item()); every other call replays (before the fix: the rest of that step's calls, 11 here, did not)
      expect(info.traces, JSON.stringify(info)).toBeLessThanOrEqual(2);
      expect(info.eagerCalls).toBe(0);
      expect(info.replays).toBe(evaluations + 1 - info.traces - 1);
    },
    T,
  );

  it(
    'the first closure call of `loss = opt.step(closure)` runs as written (its loss keeps its graph), the others replay',
    () => {
      const src = `${pinnSetup}
lb = lbfgs(net.params, lr=1, max_iter=6, history=5)
fn closure() {
  lb.zero_grad()
  loss = residual()
  loss.backward()
  loss
}
for i in range(4) {
  loss = lb.step(closure)
  print(loss.tolist(), loss.grad_fn)
}
${printParams}`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(auto.stdout).toContain('<AddBackward0>');
      expect(fnLine(report, 'closure')!.replays).toBeGreaterThan(10);
      expect(report).toMatch(/\d+ calls ran as written: their caller may use the result's autograd graph/);
    },
    T,
  );

  it(
    'a step function called from a loop statement that cannot be traced (it appends) compiles itself; the prints stay',
    () => {
      const src = `${pinnSetup}
opt = adam(net.params, lr=5e-3)
${trainStep}
losses = []
step = 0
while step < 40 {
  losses.append(train_step().item())
  if step % 10 == 0 { print(step, losses[-1]) }
  step += 1
}
print(losses)
${printParams}`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(auto.stdout).toMatch(/^30 \d/m);
      expect(report).toMatch(/line \d+ runs eagerly each iteration: it calls \.append\(\) on a list/);
      const n = fnLine(report, 'train_step')!;
      expect(n.replays).toBeGreaterThan(30);
    },
    T,
  );

  it(
    'a shape change between calls traces again; a rebound outside variable fails its guard and traces again',
    () => {
      const call = (x: string, n: number) => Array.from({ length: n }, () => `print(energy(${x}).tolist())`).join('\n');
      const src = [
        'w = tensor([1.0, -2.0, 0.5, 3.0])',
        'fn energy(x) { sum(sin(x) * w[0] + x^2 * w) }',
        'x4 = linspace(0, 1, 4)',
        'x8 = linspace(0, 1, 8).reshape(4, 2)',
        call('x4', 4),
        call('x8[:, 1]', 4),
        call('x4', 1),
        'w = tensor([2.0, 2.0, 2.0, 2.0])',
        call('x4', 3),
      ].join('\n');
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      // shape [4]: two eager calls, a trace, a replay; a strided [4]: the same; [4] again: a replay; after `w`
      // is rebound, a trace and two replays
      expect(fnLine(report, 'energy')).toEqual({ replays: 5, calls: 12, traces: 3 });
    },
    T,
  );

  it(
    'a function that prints stays eager, says why with its line, and prints at every call',
    () => {
      const src = `
w = tensor([1.0, 2.0], requires_grad=true)
fn noisy(x) {
  y = sum(w * x)
  print("called")
  y
}
for i in range(10) { noisy(tensor([1.0, 1.0])) }
`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(auto.stdout.match(/^called$/gm)).toHaveLength(10);
      expect(report).toMatch(
        /test\.nabla:3 fn noisy: not compiled: it calls print\(\), which a compiled replay would not repeat, at test\.nabla:5:\d+ \(10 calls\)/,
      );
    },
    T,
  );

  it(
    'a caller that differentiates the result gets the graph: those calls run as written',
    () => {
      const src = `
w = tensor([0.5, -1.0, 2.0], requires_grad=true)
fn loss_of(x) { sum((w * x - 1)^2) }
xs = tensor([1.0, 2.0, 3.0])
for i in range(12) {
  w.grad = none
  l = loss_of(xs)
  print(i, l.tolist())
  l.backward()
  no_grad { w -= 0.01 * w.grad }
}
print(w.tolist())
`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).not.toMatch(/fn loss_of: compiled/);
    },
    T,
  );

  it(
    '`with eager { }` and NABLA_AUTO_COMPILE=0 keep a function eager, and the report says so',
    () => {
      const src = `
w = tensor([1.0, 2.0])
fn f(x) { sum(w * x) }
with eager { for i in range(10) { f(tensor([1.0, 1.0])) } }
explain compile
`;
      const r = runNabla(src);
      expect(r.ok, r.stdout).toBe(true);
      expect(r.stdout).toMatch(
        /test\.nabla:3 fn f: not compiled: it was called inside `with eager \{ \}` \(10 calls\)/,
      );
      const prev = process.env.NABLA_AUTO_COMPILE;
      process.env.NABLA_AUTO_COMPILE = '0';
      try {
        const off = runNabla(src.replace('with eager { for i in range(10) { f(tensor([1.0, 1.0])) } }', 'f(w)\nf(w)'));
        expect(off.stdout).toMatch(/fn f: not compiled: auto-compile is off \(NABLA_AUTO_COMPILE=0\) \(2 calls\)/);
      } finally {
        if (prev === undefined) delete process.env.NABLA_AUTO_COMPILE;
        else process.env.NABLA_AUTO_COMPILE = prev;
      }
    },
    T,
  );

  it(
    'a loop that calls an @compile step leaves the call to it: the step replays its own plan, traced no more than it would be alone',
    () => {
      // the loop's trace used to take in the call: a second plan of the same step (a Burgers step: 1.7 s and
      // 109 MB), and the loop's last iteration, which runs eagerly, went back to the step's own plan cold
      const src = `${pinnSetup}
opt = adam(net.params, lr=1e-3)
@compile
${trainStep}
for i in range(12) {
  loss = train_step()
}
print(loss.item())
${printParams}`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      const info = (auto.session.lookup('train_step') as unknown as { compileInfo: nb.Compiled<() => void>['info'] })
        .compileInfo;
      // the first call traces, the second again (.grad was none at the first), the other ten replay
      expect(info.traces, JSON.stringify(info)).toBe(2);
      expect(info.replays).toBe(10);
      expect(report).toMatch(
        /runs eagerly each iteration: it calls train_step\(\), compiled already: each call replays its own plan/,
      );
    },
    T,
  );

  it(
    'calls from separate cells of one session (the kernel and the playground share it) compile the function',
    () => {
      const cells = [
        `${pinnSetup}\nopt = sgd(net.params, lr=1e-3)\n${trainStep}`,
        ...Array.from({ length: 8 }, () => 'train_step()\nprint(net.params[0].tolist())'),
      ];
      const run = () => {
        const session = createSession();
        const out = cells.map((c) => runNabla(c, session));
        return { text: out.map((r) => r.stdout).join(''), ok: out.every((r) => r.ok), session };
      };
      const auto = run();
      const prev = process.env.NABLA_AUTO_COMPILE;
      process.env.NABLA_AUTO_COMPILE = '0';
      let eager: ReturnType<typeof run>;
      try {
        eager = run();
      } finally {
        if (prev === undefined) delete process.env.NABLA_AUTO_COMPILE;
        else process.env.NABLA_AUTO_COMPILE = prev;
      }
      expect(auto.ok, auto.text).toBe(true);
      expect(auto.text).toBe(eager.text);
      const report = runNabla('explain compile', auto.session).stdout;
      expect(fnLine(report, 'train_step')).toEqual({ replays: 5, calls: 8, traces: 1 });
    },
    T,
  );
});
