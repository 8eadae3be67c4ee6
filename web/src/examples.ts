/// <reference path="./ipynb.d.ts" />
// Built-in example notebooks: a welcome, a small training loop, and the notebooks of notebooks/ that answer
// the seed questions (imported as cells by web/ipynb.ts, so the playground and Jupyter show the same text).
// test/web checks that every cell runs, except those tagged raises-exception, which must fail.
import autogradFormula from '../../notebooks/autograd-formula.ipynb';
import explain from '../../notebooks/explain.ipynb';
import gradVsBackward from '../../notebooks/grad-vs-backward.ipynb';
import knownGrads from '../../notebooks/known-grads.ipynb';
import lostGradient from '../../notebooks/lost-gradient.ipynb';
import minMax from '../../notebooks/min-max.ipynb';
import twoLosses from '../../notebooks/two-losses.ipynb';

export interface Example {
  id: string;
  title: string;
  cells: { type: 'code' | 'markdown'; source: string; tags?: string[] }[];
}

const md = (source: string) => ({ type: 'markdown' as const, source });
const code = (source: string) => ({ type: 'code' as const, source });

export const EXAMPLES: Example[] = [
  {
    id: 'welcome',
    title: 'Welcome: tensors and a first gradient',
    cells: [
      md(
        '# Nabla playground\nEach cell is Nabla. **Shift+Enter** runs a cell and moves on; **Run all** runs the notebook top to bottom. The last expression of a cell is shown under it.',
      ),
      code('x = param(linspace(-2, 2, 5))   # a trainable leaf\ny = sum(x^2 * exp(-x))\ny'),
      code('g = grad(y, x)                   # dy/dx, without touching x.grad\ng'),
      code("M = [[1, 2], [3, 4]]\nprint(M @ M, M')\nrandn(3, 4, seed=0)"),
    ],
  },
  {
    id: 'known-grads-brief',
    title: 'known_grads in three cells',
    cells: [
      md(
        '## known_grads\n`known_grads={h: g}` (from Theano) sets the gradient at an intermediate `h` and backpropagates from there; it equals `grad(h, W, grad_outputs=g)`.',
      ),
      code(
        'x = randn(4, 3, seed=1)\nW = param(randn(3, 2, seed=2))\nh = tanh(x @ W)\ng = ones(4, 2)\na = grad(none, W, known_grads={h: g}, retain_graph=true)\na',
      ),
      code('b = grad(h, W, grad_outputs=g)\nprint("difference:", norm(a - b))'),
    ],
  },
  {
    id: 'training',
    title: 'Training a small network',
    cells: [
      code(
        'net = mlp([1, 16, 1], act=tanh, seed=0)\nopt = adam(net.params, lr=0.01)\nx = linspace(-1, 1, 32).reshape(32, 1)\ntarget = sin(3 * x)\nfor step in range(200) {\n  opt.zero_grad()\n  loss = mean((net(x) - target)^2)\n  loss.backward()\n  opt.step()\n  if step % 50 == 0 { print("step", step, "loss", loss.item()) }\n}\nloss',
      ),
    ],
  },
  ...Object.entries({
    'grad-vs-backward': gradVsBackward,
    'autograd-formula': autogradFormula,
    'lost-gradient': lostGradient,
    'two-losses': twoLosses,
    'min-max': minMax,
    'known-grads': knownGrads,
    explain,
  }).map(([id, nb]) => ({ id, title: nb.title, cells: nb.cells })),
];

export const DEFAULT_EXAMPLE = 'welcome';
