// Built-in example notebooks: the seed questions of Nabla's differentiation (docs/language.md,
// "Differentiation"), each a few cells a reader runs top to bottom. test/web checks that every cell runs.

export interface Example {
  id: string;
  title: string;
  cells: { type: 'code' | 'markdown'; source: string }[];
}

const md = (source: string) => ({ type: 'markdown' as const, source });
const code = (source: string) => ({ type: 'code' as const, source });

export const EXAMPLES: Example[] = [
  {
    id: 'welcome',
    title: 'Welcome: tensors and a first gradient',
    cells: [
      md('# Nabla playground\nEach cell is Nabla. **Shift+Enter** runs a cell and moves on; **Run all** runs the notebook top to bottom. The last expression of a cell is shown under it.'),
      code('x = param(linspace(-2, 2, 5))   # a trainable leaf\ny = sum(x^2 * exp(-x))\ny'),
      code('g = grad(y, x)                   # dy/dx, without touching x.grad\ng'),
      code('M = [[1, 2], [3, 4]]\nprint(M @ M, M\')\nrandn(3, 4, seed=0)'),
    ],
  },
  {
    id: 'grad-vs-backward',
    title: 'grad vs backward',
    cells: [
      md('## grad() returns, backward() accumulates\n`grad(outputs, inputs)` returns the gradients and never touches `.grad`; `backward()` adds them into `.grad` of the leaves.'),
      code('x1 = param([0.3939, 2.5])\nx2 = param([0.7965, 7.0])\ny = x1^2 + 5*x2\ng1, g2 = grad(sum(y), [x1, x2], retain_graph=true)\nprint("grad:", g1, g2)\nprint("x1.grad is still", x1.grad)'),
      code('sum(y).backward()\nprint("after backward:", x1.grad, x2.grad)'),
      md('A second backward through the same graph needs `retain_graph=true` the first time; without it the buffers are freed:'),
      code('z = tanh(x1)\nsum(z).backward()\nsum(z).backward()   # fails: run it to see the error marked on this line'),
    ],
  },
  {
    id: 'accumulation',
    title: 'Gradient accumulation',
    cells: [
      md('## .grad accumulates\nEvery `backward()` *adds* into `.grad`; an optimizer step is preceded by `zero_grad`.'),
      code('w = param([1.0, -2.0])\nfor i in range(3) {\n  loss = sum(w^2)\n  loss.backward()\n  print("after backward", i + 1, ":", w.grad)   # 2w, 4w, 6w\n}'),
      code('zero_grad([w])\nsum(w^2).backward()\nprint("after zero_grad and one backward:", w.grad)'),
      code('# accumulate over micro-batches, then step once\nxs = randn(4, 2, seed=3)\nzero_grad([w])\nfor row in xs { sum(row * w).backward() }\nprint(w.grad, sum(xs, axis=0))   # equal'),
    ],
  },
  {
    id: 'known-grads',
    title: 'known_grads: start backprop in the middle',
    cells: [
      md('## known_grads\n`known_grads={h: g}` (from Theano) sets the gradient at an intermediate `h` and backpropagates from there; it equals `grad(h, W, grad_outputs=g)`.'),
      code('x = randn(4, 3, seed=1)\nW = param(randn(3, 2, seed=2))\nh = tanh(x @ W)\ng = ones(4, 2)\na = grad(none, W, known_grads={h: g}, retain_graph=true)\na'),
      code('b = grad(h, W, grad_outputs=g)\nprint("difference:", norm(a - b))'),
    ],
  },
  {
    id: 'training',
    title: 'Training a small network',
    cells: [
      code('net = mlp([1, 16, 1], act=tanh, seed=0)\nopt = adam(net.params, lr=0.01)\nx = linspace(-1, 1, 32).reshape(32, 1)\ntarget = sin(3 * x)\nfor step in range(200) {\n  opt.zero_grad()\n  loss = mean((net(x) - target)^2)\n  loss.backward()\n  opt.step()\n  if step % 50 == 0 { print("step", step, "loss", loss.item()) }\n}\nloss'),
    ],
  },
];

export const DEFAULT_EXAMPLE = 'welcome';
