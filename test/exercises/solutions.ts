/**
 * Right and wrong answers to the exercises of notebooks/exercises/, as Nabla source. The right ones are
 * what a student would write (several ways where the exercise allows several); each wrong one is a
 * mistake students make, with the words its hint must contain.
 */
export interface Answers {
  /** The check's exercise name. */
  exercise: string;
  /** The notebook whose cell tagged `exercise` the answers fill. */
  notebook: string;
  /** The variable the notebook passes to check(). */
  name: string;
  right: string[];
  /** What the check says to the notebook as committed (the cell to fill left as it is). */
  blank: RegExp;
  wrong: { source: string; hint: RegExp }[];
}

export const ANSWERS: Answers[] = [
  {
    exercise: 'derive-gradient',
    notebook: 'notebooks/exercises/01-derive-gradient.ipynb',
    name: 'dL',
    right: [
      'fn dL(z) = exp(z) / sum(exp(z)) - (arange(5) == k) * 1.0',
      // the same, shifted for stability, with the verification the notebook asks for
      'fn dL(z) {\n  p = exp(z - max(z))\n  p / sum(p) - (arange(5) == k) * 1.0\n}\nzp = param(z0)\nprint(max(abs(grad(L(zp), zp) - dL(z0))))',
    ],
    blank: /dL\(z\) returned none; it must return a tensor of shape \[5\]/,
    wrong: [
      { source: 'fn dL(z) = exp(z) / sum(exp(z))', hint: /softmax\(z\).*"- z\[2\]" term has a gradient too/ },
      { source: 'fn dL(z) = (arange(5) == k) * 1.0 - exp(z) / sum(exp(z))', hint: /sign is flipped/ },
      {
        source: 'fn dL(z) = exp(z) / sum(exp(z)) - (arange(5) == 3) * 1.0',
        hint: /-1 is at entry 3, but z\[2\] is entry 2/,
      },
      { source: 'fn dL(z) = exp(z) - (arange(5) == k) * 1.0', hint: /divided by sum\(exp\(z\)\)/ },
      { source: 'fn dL(z) = exp(z) / sum(exp(z)) - 1', hint: /-1 at entry 2 and 0 elsewhere, not -1 everywhere/ },
      { source: 'fn dL(z) = sum(exp(z))', hint: /returned shape \[\], but it must be \[5\]/ },
      { source: 'fn dL(z) = z', hint: /autograd's gradient is \[.*\]\. Differentiate the two terms separately/ },
    ],
  },
  {
    exercise: 'repair-gradient-path',
    notebook: 'notebooks/exercises/02-repair-gradient-path.ipynb',
    name: 'fixed_loss',
    right: ['fn fixed_loss(x) {\n  n = norm(x)\n  sum((x / n)^3)\n}', 'fn fixed_loss(x) = sum(x^3) / norm(x)^3'],
    blank: /still the broken one/,
    wrong: [
      {
        source: 'fn fixed_loss(x) = sum((x / detach(norm(x)))^3)',
        hint: /still the broken one.*treats the norm as a constant/,
      },
      { source: 'fn fixed_loss(x) = sum((x / float(norm(x)))^3)', hint: /still the broken one/ },
      { source: 'fn fixed_loss(x) = sum((x / norm(x))^2)', hint: /the value changed/ },
      {
        source: 'fn fixed_loss(x) = tensor(sum((x / norm(x))^3).item())',
        hint: /no gradient reaches the input.*does not require grad/,
      },
      { source: 'fn fixed_loss(x) = (x / norm(x))^3', hint: /returned shape \[4\], but it must be \[\]/ },
    ],
  },
  {
    exercise: 'gradient-reversal',
    notebook: 'notebooks/exercises/03-gradient-reversal.ipynb',
    name: 'reverse_grad',
    right: [
      '@custom_grad(fn(x, lam, y, g) = (-lam * g, none))\nfn reverse_grad(x, lam) = x * 1.0',
      'fn reverse_grad(x, lam) {\n  y = x * 1.0\n  y.register_hook(fn(g) = -lam * g)\n  y\n}',
      'fn reverse_grad(x, lam) = detach(x) * (1 + lam) - lam * x',
    ],
    blank: /passes through unchanged/,
    wrong: [
      { source: 'fn reverse_grad(x, lam) = x', hint: /passes through unchanged/ },
      {
        source: 'fn reverse_grad(x, lam) {\n  y = x * 1.0\n  y.register_hook(fn(g) = -g)\n  y\n}',
        hint: /reversed but not scaled: with lam = 0.3/,
      },
      {
        source: 'fn reverse_grad(x, lam) {\n  x.register_hook(fn(g) = -lam * g)\n  x\n}',
        hint: /also flipped the gradient of another use of x/,
      },
      {
        source: 'fn reverse_grad(x, lam) {\n  y = x * 1.0\n  y.register_hook(fn(g) = lam * g)\n  y\n}',
        hint: /scaled by lam but not reversed/,
      },
      { source: 'fn reverse_grad(x, lam) = -lam * x', hint: /must return x unchanged/ },
      { source: 'fn reverse_grad(x, lam) = detach(x)', hint: /no gradient at all comes back through reverse_grad/ },
    ],
  },
  {
    exercise: 'custom-backward',
    notebook: 'notebooks/exercises/04-custom-backward.ipynb',
    name: 'normalize',
    right: [
      '@custom_grad(fn(x, y, g) = (g - y * sum(y * g)) / norm(x))\nfn normalize(x) = x / norm(x)',
      '@custom_grad(fn(x, y, g) = g / norm(x) - x * sum(x * g) / norm(x)^3)\nfn normalize(x) = x / norm(x)',
    ],
    blank: /passes g through unchanged/,
    wrong: [
      {
        source: '@custom_grad(fn(x, y, g) = g / norm(x))\nfn normalize(x) = x / norm(x)',
        hint: /that is g \/ norm\(x\).*subtract y \* sum\(y \* g\)/,
      },
      {
        source: '@custom_grad(fn(x, y, g) = g - y * sum(y * g))\nfn normalize(x) = x / norm(x)',
        hint: /must also be divided by norm\(x\)/,
      },
      {
        source: '@custom_grad(fn(x, y, g) = (g - x * sum(x * g)) / norm(x))\nfn normalize(x) = x / norm(x)',
        hint: /unit vector y = x \/ norm\(x\), not x itself/,
      },
      {
        source: '@custom_grad(fn(x, y, g) = (y * sum(y * g) - g) / norm(x))\nfn normalize(x) = x / norm(x)',
        hint: /sign is flipped/,
      },
      { source: 'fn normalize(x) = x / norm(x)', hint: /autograd's own rules \(grad_fn DivBackward0\)/ },
      {
        source: '@custom_grad(fn(x, y, g) = (g, g))\nfn normalize(x) = x / norm(x)',
        hint: /returned 2 gradient\(s\) for 1 input/,
      },
      {
        source: '@custom_grad(fn(x, y, g) = (g - y * sum(y * g)) / norm(x))\nfn normalize(x) = x / sum(x)',
        hint: /must be x \/ norm\(x\)/,
      },
    ],
  },
  {
    exercise: 'fit-ode',
    notebook: 'notebooks/exercises/05-fit-ode.ipynb',
    name: 'net',
    right: [
      [
        'for step in range(600) {',
        '  opt.zero_grad()',
        '  u = net(t)',
        '  du = grad(u, t, grad_outputs=ones_like(u), create_graph=true)',
        '  loss = mean((du + 2 * u)^2) + mean((net(t0) - 1)^2)',
        '  loss.backward()',
        '  opt.step()',
        '}',
      ].join('\n'),
      'net = fn(t) = exp(-2 * t)',
    ],
    blank: /almost constant \(about .*\), as an untrained network is/,
    wrong: [
      { source: 'net = fn(t) = exp(2 * t)', hint: /solves du\/dt = \+2u/ },
      { source: 'net = fn(t) = 0.9 * exp(-2 * t)', hint: /u\(0\) = 0.9 but must be 1/ },
      { source: 'net = fn(t) = 1 + 0 * t', hint: /u\(0\) = 1 but net\(t\) stays almost constant/ },
      { source: 'net = fn(t) = exp(-1.8 * t)', hint: /u\(0\) = 1 is right but the curve is off/ },
      { source: 'net = fn(t) = exp(-2 * t[0:50])', hint: /must give 101 values/ },
    ],
  },
  {
    exercise: 'softmax-cross-entropy',
    notebook: 'notebooks/exercises/07-softmax-cross-entropy.ipynb',
    name: 'dL',
    right: [
      'fn dL(Z, y) = (softmax(Z, axis=1) - (arange(3) == y.reshape(4, 1)) * 1.0) / 4',
      // by hand, stabilized, with the verification the notebook asks for
      'fn dL(Z, y) {\n  E = exp(Z - max(Z, axis=1, keepdim=true))\n  (E / sum(E, axis=1, keepdim=true) - (arange(3) == y.reshape(4, 1)) * 1.0) / 4\n}\nZp = param(Z0)\nprint(max(abs(grad(cross_entropy(Zp, y0), Zp) - dL(Z0, y0))))',
    ],
    blank: /dL\(Z, y\) returned none; it must return a tensor of shape \[4, 3\]/,
    wrong: [
      {
        source: 'fn dL(Z, y) = softmax(Z, axis=1) - (arange(3) == y.reshape(4, 1)) * 1.0',
        hint: /gradient of the summed loss.*divided by N = 4/,
      },
      {
        source: 'fn dL(Z, y) = ((arange(3) == y.reshape(4, 1)) * 1.0 - softmax(Z, axis=1)) / 4',
        hint: /sign is flipped/,
      },
      {
        source: 'fn dL(Z, y) = softmax(Z, axis=1) / 4',
        hint: /logsumexp term alone.*-1\/N at each row's target class/,
      },
      {
        source: 'fn dL(Z, y) = (softmax(Z, axis=0) - (arange(3) == y.reshape(4, 1)) * 1.0) / 4',
        hint: /classes of each row \(axis=1\), not down the batch/,
      },
      {
        source: 'fn dL(Z, y) = (exp(Z) / sum(exp(Z), axis=1, keepdim=true) - (arange(3) == y.reshape(4, 1)) * 1.0) / 4',
        hint: /non-finite values .* exp overflows there/,
      },
      {
        source: 'fn dL(Z, y) = (exp(Z) - (arange(3) == y.reshape(4, 1)) * 1.0) / 4',
        hint: /normalized by each row's sum of exp/,
      },
      { source: 'fn dL(Z, y) = softmax(Z)', hint: /autograd's gradient is \[.*\]\. Work one row first/ },
    ],
  },
];
