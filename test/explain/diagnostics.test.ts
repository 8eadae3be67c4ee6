import { describe, expect, it } from 'vitest';
import { runNabla } from '../lang/run';

/**
 * Missing-gradient diagnostics: every reason a gradient is missing or zero names the step, its source line,
 * and the fix. Each case is the message a user sees for a short program.
 */
function failure(code: string): string {
  const r = runNabla(code);
  if (r.ok) throw new Error(`expected an error, got: ${r.stdout}`);
  expect(r.ename).toBe('GradError');
  return r.evalue;
}

describe('a gradient that cannot be taken says why, with the line', () => {
  it('not watched by a tape: names the source, its line, the with-block to add watch to, and the unrecorded use', () => {
    expect(
      failure(`x = tensor(3.0)
with tape() as t {
  y = x * x
}
t.gradient(y, x)`),
    ).toBe(
      "gradient: the source 'x' (created at test.nabla:1:5) was not watched by this tape, so nothing computed from it was recorded; 'y' was computed at test.nabla:3:7 without a record. Add watch(x) at the start of the with-block at test.nabla:2:6, before x is used, or make it a param",
    );
  });

  it('not requiring grad: names where the input was made and how to make it differentiable', () => {
    expect(failure('x = tensor([1.0, 2.0])\ny = sum(x * x)\ngrad(y, x)')).toBe(
      "grad: the input 'x' (created at test.nabla:1:5) does not require grad, so no gradient can be taken with respect to it; create it with param(...) or requires_grad=true, or watch(x) before computing with it",
    );
  });

  it('detached: the output remembers the detach it was computed through, lines later', () => {
    expect(failure('x = param([1.0, 2.0])\nh = detach(x)\ny = sum(h * 3)\ngrad(y, x)')).toBe(
      "grad: the output 'y' does not require grad: it was computed at test.nabla:3:5 (sum(h * 3)) from a value cut off from 'x' by detach at test.nabla:2:5 (detach(x)); remove the detach (compute from the original tensor) if the gradient should flow there",
    );
  });

  it('detached on one path while the output is still recorded through another', () => {
    expect(failure('x = param([1.0, 2.0])\nw = param([1.0, 1.0])\nh = x.detach()\ny = sum(h * w)\ngrad(y, x)')).toBe(
      "grad: the input 'x' was not used to compute 'y' through any recorded operation, so it has no gradient: it reaches 'y' only through detach at test.nabla:3:5 (x.detach()), which cuts the gradient; remove the detach (compute from the original tensor) if the gradient should flow there. Pass allow_unused=true to get none instead of this error.",
    );
  });

  it('left through item(), tolist() and an integer cast (int()), also through a view x[0]', () => {
    expect(failure('x = param([2.0])\nv = x.item()\nw = param([1.0])\ny = sum(w * v)\ngrad(y, x)')).toBe(
      "grad: the input 'x' was not used to compute 'y', so it has no gradient. Its value left the graph through item() at test.nabla:2:5: computations on that plain number are not recorded; keep the computation in tensors (use the tensor itself, or index it, e.g. x[0]). Pass allow_unused=true to get none instead of this error.",
    );
    expect(failure('x = param([2.0, 1.0])\nv = x.tolist()\nw = param([1.0])\ny = sum(w * v[0])\ngrad(y, x)')).toContain(
      'left the graph through tolist() at test.nabla:2:5',
    );
    expect(failure('x = param([2.0, 3.0])\nn = int(x[0])\nw = param([1.0])\ny = sum(w * n)\ngrad(y, x)')).toContain(
      'left the graph through int() (an integer cast) at test.nabla:2:5: computations on that plain number are not recorded',
    );
  });

  it('through a comparison: the mask remembers the comparison and its line', () => {
    expect(failure('x = param([0.4, -1.6])\nm = x > 0\ny = sum(m * 1.0)\ny.backward()')).toBe(
      "backward: the output 'y' does not require grad: it was computed at test.nabla:3:5 (sum(m * 1.0)) from a value cut off from 'x' by a comparison at test.nabla:2:5 (x > 0); a comparison gives booleans and has no derivative; use a smooth surrogate (e.g. sigmoid(k * (a - b))) or a straight-through @custom_grad(fn(x, y, g) = g)",
    );
    expect(
      failure('x = param([0.4, -1.6])\nw = param([1.0, 2.0])\ny = sum(where(x > 0, 1.0, 0.0) * w)\ngrad(y, x)'),
    ).toContain("it reaches 'y' only through a comparison at test.nabla:3:15 (x > 0), which cuts the gradient");
  });

  it('unrelated: says so, where the input was made, and what the output depends on', () => {
    expect(failure('x = param([1.0])\nw = param([2.0])\ny = w * 3\ngrad(y, x)')).toBe(
      "grad: the input 'x' was not used to compute 'y', so it has no gradient: the two are unrelated (created at test.nabla:1:5); 'y' depends on 'w' among the tensors that require grad. Pass allow_unused=true to get none instead of this error.",
    );
  });
});

describe('a gradient that comes out none or zero warns, with the line', () => {
  it('round, sign and floor: zero everywhere, and the straight-through fix', () => {
    const r = runNabla('x = param([0.4, 1.6])\ny = sum(round(x) * 2)\nprint(grad(y, x))');
    expect(r.stdout).toBe(
      "Warning: grad: the gradient of 'x' is zero everywhere: the gradient reaches it only through round at test.nabla:2:9 (round(x)), whose derivative is zero almost everywhere. For a straight-through estimator give that step its own gradient, e.g. @custom_grad(fn(x, y, g) = g) fn round_ste(x) = round(x)\ntensor([0., 0.])\n",
    );
    const s = runNabla('x = param([0.4, -1.6])\ny = sum(sign(x))\ny.backward()');
    expect(s.stdout).toContain(
      "Warning: backward: the gradient of 'x' is zero everywhere: the gradient reaches it only through sign at test.nabla:2:9 (sign(x))",
    );
    // no warning when another path carries a gradient
    expect(runNabla('x = param([0.4, 1.6])\nprint(grad(sum(round(x) + x), x))').stdout).toBe('tensor([1., 1.])\n');
  });

  it('t.gradient answers none, as TensorFlow does, but says why', () => {
    const r = runNabla(`x = param([2.0, 3.0])
w = param([1.0])
with tape() as t {
  y = sum(w * x[0].item())
}
print(t.gradient(y, [w, x]))`);
    expect(r.stdout).toBe(
      "Warning: t.gradient: no gradient for the source 'x', so it is none: it was not used to compute 'y', so it has no gradient. Its value left the graph through item() at test.nabla:4:15: computations on that plain number are not recorded; keep the computation in tensors (use the tensor itself, or index it, e.g. x[0]).\n(tensor([2.]), none)\n",
    );
  });
});
