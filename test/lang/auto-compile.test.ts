import { describe, expect, it } from 'vitest';
import { autoVsEager, replayed } from './auto-compile-run';
import { runNabla } from './run';

/**
 * Loops compile themselves (issue 19): the same printed numbers, to the last bit, as running them eagerly,
 * and every assumption a trace makes is guarded. Each program prints full-precision values (tolist) so a
 * replay that differed anywhere would show.
 */
const T = 120_000;

const pinn = (body: string, steps = 40) => `
net = mlp([1, 16, 16, 1], act=tanh, seed=0)
x = linspace(0, 1, 64).reshape(64, 1)
f = -pi^2 * sin(pi * x)
watch(x)
ends = tensor([[0.0], [1.0]])
opt = adam(net.params, lr=5e-3)
losses = []
for step in range(${steps}) {
${body}
}
print(losses)
for p in net.params { print(p.tolist()) }
print(loss)
`;

const natural = `
  opt.zero_grad()
  u = net(x)
  du = grad(u, x, grad_outputs=ones_like(u), create_graph=true)
  d2u = grad(du, x, grad_outputs=ones_like(du), create_graph=true)
  loss = mean((d2u - f)^2) + mean(net(ends)^2)
  loss.backward()
  opt.step()`;

describe('auto-compiled loops', () => {
  it(
    'the natural PINN loop (grad twice with create_graph, backward, adam) replays a plan and matches eager bit for bit',
    () => {
      const { auto, eager, report } = autoVsEager(
        pinn(`${natural}\n  losses.append(loss.item())\n  if step % 10 == 0 { print(step, loss.item()) }`),
      );
      expect(auto.ok, auto.stdout).toBe(true);
      expect(eager.ok, eager.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(auto.stdout).toMatch(/^30 \d/m);
      expect(auto.stdout).toContain('grad_fn=<AddBackward0>'); // the last iteration ran eagerly: the loss has its graph
      expect(replayed(report, 9)).toBeGreaterThan(30);
      expect(report).toMatch(/line 18 runs eagerly each iteration: it calls \.append\(\) on a list/);
      expect(report).toMatch(/line 19 runs eagerly each iteration: it reads `step`, which changes every iteration/);
    },
    T,
  );

  it(
    'an lr changed every iteration (a schedule) and once midway is honoured: the replayed step reads it when it runs',
    () => {
      const { auto, eager, report } = autoVsEager(
        pinn(
          `  opt.param_groups[0].lr = 0.01 * 0.9^step\n${natural}\n  if step == 20 { opt.param_groups[0].weight_decay = 0.01 }\n  losses.append(loss.item())`,
        ),
      );
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(replayed(report, 9)).toBeGreaterThan(30);
    },
    T,
  );

  it(
    'a value-dependent branch on a tensor runs that statement eagerly, and the branch decides as eagerly',
    () => {
      const src = pinn(
        `${natural}\n  if loss.item() < 5 { opt.param_groups[0].lr = 1e-3 }\n  if loss > 1000 { print("big") }\n  losses.append(loss.item())`,
      );
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).toMatch(/line 18 runs eagerly each iteration: it reads the values of a tensor on the host/);
      expect(replayed(report, 9)).toBeGreaterThan(30);
    },
    T,
  );

  it(
    'a branch inside a called function that reads a value keeps that call eager (no plan could hold both sides)',
    () => {
      const src = `
w = tensor([3.0, -1.0], requires_grad=true)
fn loss_of(w) {
  l = sum(w * w)
  if l.item() > 4 { l = l * 2 }
  l
}
out = []
for i in range(30) {
  w.grad = none
  loss = loss_of(w)
  loss.backward()
  no_grad { w -= 0.1 * w.grad }
  out.append(w.tolist())
}
print(out)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).toMatch(/line 11 runs eagerly each iteration: it reads the values of a tensor on the host/);
    },
    T,
  );

  it(
    'print and item() every k steps keep their order and values; a print with no tensor is not lost',
    () => {
      const src = pinn(
        `${natural}\n  print("step done")\n  if step % 7 == 0 { print(step, loss.item(), loss) }\n  losses.append(loss.item())`,
        30,
      );
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(auto.stdout.match(/step done/g)?.length).toBe(30);
      expect(auto.stdout).toMatch(/^28 [\d.e-]+ tensor\([\d.e-]+, grad_fn=<AddBackward0>\)$/m); // a replayed loss prints as eagerly
      expect(report).toMatch(/line 18 runs eagerly each iteration: it calls print\(\)/);
      expect(replayed(report, 9)).toBeGreaterThan(20);
    },
    T,
  );

  it(
    'a closed-over tensor rebound to another shape and dtype re-traces (the guard on what the trace read)',
    () => {
      const src = `
out = []
for dt in ["float32", "float64"] {
  for n in [4, 7] {
    x = tensor(linspace(0, 1, n).tolist(), dtype=dt)
    w = tensor(ones(n).tolist(), requires_grad=true, dtype=dt)
    for i in range(12) {
      w.grad = none
      loss = sum((w * x - 1)^2)
      loss.backward()
      no_grad { w -= 0.05 * w.grad }
    }
    out.append(w.tolist())
  }
}
print(out)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).toMatch(/:7 `for i in range\(12\)`: compiled: \d+ of 48 iterations/);
      expect(report).toMatch(/traced [2-9]×/);
    },
    T,
  );

  it(
    'a tensor the loop rebinds each iteration is the argument of the plan; a new shape re-traces',
    () => {
      const src = `
res = []
for n in [8, 8, 5] {
  u = sin(linspace(0, 3, n))
  k = 0
  while k < 25 {
    u = u + 0.1 * (concat([u[1:], u[:1]]) - 2 * u + concat([u[-1:], u[:-1]]))
    k = k + 1
  }
  res.append(u.tolist())
}
print(res)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(replayed(report, 6)).toBeGreaterThan(40);
    },
    T,
  );

  it(
    'a parameter list that grows is seen: the loss over the list re-traces and the new parameter trains',
    () => {
      const src = `
ps = [tensor([1.0, 2.0], requires_grad=true)]
w2 = tensor([0.5, -0.5], requires_grad=true)
out = []
for step in range(30) {
  if step == 12 { ps.append(w2) }
  zero_grad(ps)
  loss = 0
  for p in ps { loss = loss + sum(p * p * p) }
  loss.backward()
  no_grad { for p in ps { p -= 0.05 * p.grad } }
  out.append(loss.item())
}
print(out, w2.tolist(), ps[0].tolist())`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).toMatch(/traced [2-9]×/);
      expect(replayed(report, 5)).toBeGreaterThan(15);
    },
    T,
  );

  it(
    'optimizer param groups that grow are a guard too (which tensors are parameters)',
    () => {
      const src = `
a = tensor([1.0, 2.0], requires_grad=true)
b = tensor([3.0], requires_grad=true)
opt = sgd([a], lr=0.1)
g = opt.param_groups
out = []
for step in range(24) {
  if step == 10 { g[0].params.append(b) }
  opt.zero_grad()
  loss = sum(a * a) + sum(b * b)
  loss.backward()
  opt.step()
  out.append(loss.item())
}
print(out, a.tolist(), b.tolist())`;
      const { auto, eager } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
    },
    T,
  );

  it(
    'a value whose graph a later statement differentiates keeps its segment eager, and says why',
    () => {
      const src = `
w = tensor([1.0, 2.0], requires_grad=true)
gs = []
for i in range(12) {
  y = sum(w * w * w)
  if i % 3 == 0 { gs.append(grad(y, w).tolist()) }
}
print(gs)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).toMatch(
        /runs eagerly: it computes `y` with an autograd graph that line 6 uses \(it calls grad\(\)\)/,
      );
    },
    T,
  );

  it(
    'a graph carried from one iteration into the next keeps the loop eager',
    () => {
      const src = `
w = tensor([0.5], requires_grad=true)
h = tensor([1.0])
for i in range(10) { h = tanh(h * w) }
h.backward()
print(w.grad.tolist(), h)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(report).toMatch(/`h` carries autograd history from one iteration into the next/);
    },
    T,
  );

  it(
    "a .grad read before this iteration sets it is the one found at each replay, not the trace's",
    () => {
      const src = `
w = tensor([1.0, -2.0], requires_grad=true)
sum(w * w * w).backward()
out = []
for i in range(20) {
  no_grad { w -= 0.05 * w.grad }
  w.grad = none
  loss = sum(w * w * w)
  loss.backward()
  out.append(w.tolist())
}
print(out)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(replayed(report, 5)).toBeGreaterThan(10);
    },
    T,
  );

  it(
    'with eager { } and NABLA_AUTO_COMPILE=0 turn it off, and explain compile says so with the line',
    () => {
      const r = runNabla(`
w = tensor([1.0], requires_grad=true)
with eager {
  for i in range(10) { w.grad = none
    l = sum(w * w)
    l.backward() }
}
explain compile`);
      expect(r.ok, r.stdout).toBe(true);
      expect(r.stdout).toMatch(/^auto-compile: on$/m);
      expect(r.stdout).toMatch(
        /test\.nabla:4 `for i in range\(10\)`: not compiled: it runs inside `with eager \{ \}` \(10 iterations\)/,
      );
      const { report } = autoVsEager('for i in range(3) { y = i }');
      expect(report).toMatch(/auto-compile: on/);
    },
    T,
  );

  it(
    'a loop that breaks on a tensor test ends where the eager one does',
    () => {
      const src = `
w = tensor([2.0, -3.0], requires_grad=true)
opt = sgd([w], lr=0.1)
n = 0
while true {
  opt.zero_grad()
  loss = sum(w * w)
  loss.backward()
  opt.step()
  n = n + 1
  if loss.item() < 1e-3 { break }
}
print(n, w.tolist(), loss)`;
      const { auto, eager, report } = autoVsEager(src);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(replayed(report, 5)).toBeGreaterThan(10);
      expect(report).toMatch(/line 11 runs eagerly each iteration: it can leave the iteration \(break\)/);
    },
    T,
  );
});
