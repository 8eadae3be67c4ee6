import { afterEach, describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import type { Tensor } from '../../runtime';

/**
 * User errors: each is a NablaError of the right kind, names the op, and says what went wrong in terms of
 * the user's values (shapes, dtypes, source places); the ones raised at backward name both places involved.
 * Source places are simulated the way the compiler sets them: `siteState.current` before each statement.
 */

afterEach(() => {
  nb.siteState.current = null;
  nb.mode.anomaly = false;
});

const at = (line: number, col = 1) => {
  nb.siteState.current = { file: 't.nabla', line, col };
};

/** The error `f` throws (failing the test if it throws none, or something other than a NablaError). */
function caught(f: () => unknown): nb.NablaError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(nb.NablaError);
    return e as nb.NablaError;
  }
  throw new Error('expected an error, but none was thrown');
}

const param = (shape: number[]) => nb.ones(shape, { dtype: 'float64', requiresGrad: true });
const z = () => nb.complex(nb.tensor([1, -2]), nb.tensor([0.5, 3]));

describe('shape mismatches name the op and both shapes', () => {
  const x = nb.ones([2, 3], { dtype: 'float64' });
  it.each([
    ['add', () => nb.add(x, nb.ones([4], { dtype: 'float64' })), ['[2, 3]', '[4]']],
    ['mul', () => nb.mul(nb.ones([3, 1]), nb.ones([2, 2])), ['[3, 1]', '[2, 2]']],
    ['matmul', () => nb.matmul(x, nb.ones([4, 5], { dtype: 'float64' })), ['[2, 3]', '[4, 5]']],
    ['concat', () => nb.concat([x, nb.ones([2, 2], { dtype: 'float64' })], 0), ['[2, 2]', '[2, 3]']],
    ['stack', () => nb.stack([x, nb.ones([3, 2], { dtype: 'float64' })]), ['[3, 2]', '[2, 3]']],
    ['reshape', () => nb.reshape(x, [4]), ['[2, 3]', '[4]']],
    ['expand', () => nb.expand(x, [2, 4]), ['[2, 3]', '[2, 4]']],
    ['where', () => nb.where(nb.tensor([true, false, true, false]), x, 0), ['[4]', '[2, 3]']],
    ['dot', () => nb.dot(nb.ones([3]), nb.ones([4])), ['[3]', '[4]']],
  ] as const)('%s', (op, f, shapes) => {
    const e = caught(f);
    expect(e.kind).toBe('ShapeError');
    expect(e.op).toBe(op);
    expect(e.message.startsWith(`${op}:`)).toBe(true);
    for (const s of shapes) expect(e.message).toContain(s);
  });

  it('an index out of range names the dimension and its size', () => {
    const e = caught(() => nb.index(x, [{ start: null }, 3]));
    expect(e.kind).toBe('ShapeError');
    expect(e.message).toMatch(/index 3 is out of range for dimension 1 of size 3/);
  });
});

describe('wrong dtypes name the op and the dtype', () => {
  it.each([
    ['tanh', () => nb.tanh(z())],
    ['sqrt', () => nb.sqrt(z())],
    ['relu', () => nb.relu(z())],
    ['clamp', () => nb.clamp(z(), 0, 1)],
    ['max', () => nb.max(z())],
    ['lt', () => nb.lt(z(), z())],
    ['pow', () => nb.pow(z(), z())],
    ['pow', () => nb.pow(z(), 0.5)],
    ['complex', () => nb.complex(z(), nb.ones([2]))],
  ] as const)('complex into %s', (op, f) => {
    const e = caught(f);
    expect(e.kind).toBe('TypeError');
    expect(e.op).toBe(op);
    expect(e.message).toMatch(/complex/);
  });

  it('abs, exp and mul accept complex (the contrast to the above)', () => {
    expect(nb.abs(z()).dtype).toBe('float32');
    expect(nb.exp(z()).dtype).toBe('complex64');
    expect(nb.mul(z(), z()).dtype).toBe('complex64');
  });
});

describe('backward and grad without a graph or a seed', () => {
  it('backward on a tensor that does not require grad says so, and how to fix it', () => {
    const e = caught(() => nb.sum(nb.ones([2], { dtype: 'float64' })).backward());
    expect(e.kind).toBe('GradError');
    expect(e.message).toMatch(/^backward: the output does not require grad/);
    expect(e.message).toMatch(/requires_grad=true/);
  });

  it('a detached value names the detach and its place', () => {
    const x = param([2]);
    at(4, 3);
    const d = nb.detach(nb.sum(x));
    nb.siteState.current = null;
    expect(() => d.backward()).toThrow(/cut off from differentiation by detach at t\.nabla:4:3; remove the detach/);
  });

  it('a non-scalar output without an output gradient names its shape and the keyword of the API that was called', () => {
    const y = nb.mul(param([2, 3]), 2);
    const e = caught(() => y.backward());
    expect(e.kind).toBe('GradError');
    // backward takes gradient= (grad_tensors= as a function); grad_outputs= is grad's, so backward must not advise it
    expect(e.message).toMatch(
      /shape \[2, 3\].*single number.*y\.backward\(gradient=g\) or backward\(y, grad_tensors=g\)/,
    );
    expect(e.message).not.toMatch(/grad_outputs/);
    expect(() => nb.grad(y, [])).toThrow(/shape \[2, 3\].*single number.*grad_outputs=g/);
  });

  it('an output gradient of the wrong shape, or the wrong number of them', () => {
    const x = param([2, 3]);
    const y = nb.mul(x, 2);
    expect(() => nb.grad(y, x, { gradOutputs: nb.ones([3], { dtype: 'float64' }) })).toThrow(
      /output gradient has shape \[3\] but the output has shape \[2, 3\]/,
    );
    expect(() => nb.grad([y, y], x, { gradOutputs: [nb.onesLike(y)] })).toThrow(/2 outputs but 1 output gradients/);
  });

  it('an input that does not require grad', () => {
    const c = nb.ones([2], { dtype: 'float64' });
    expect(() => nb.grad(nb.sum(nb.mul(param([2]), c)), c)).toThrow(/input does not require grad/);
  });

  it('a custom backward that returns the wrong number of gradients names the op', () => {
    const f = nb.customGrad(
      (a: Tensor, b: Tensor) => nb.mul(a, b),
      (_a, _b, _out, g) => [g],
      'my_mul',
    );
    const x = param([2]);
    const e = caught(() => nb.sum(f(x, x)).backward());
    expect(e.op).toBe('my_mul');
    expect(e.message).toMatch(/returned 1 gradient\(s\) for 2 input\(s\)/);
  });

  it('detect_anomaly names the first op that made a NaN, with its place', () => {
    nb.mode.anomaly = true;
    const x = param([2]);
    at(9, 2);
    const e = caught(() => nb.log(nb.sub(x, 5)));
    expect(e.kind).toBe('AnomalyError');
    expect(e.message).toMatch(/log at t\.nabla:9:2 produced NaN/);
  });
});

describe('in-place modification of a value saved for backward names both places', () => {
  it("an op's saved output (tanh saves its answer)", () => {
    const x = param([2, 3]);
    at(2);
    const h = nb.mul(x, 2);
    at(3);
    const y = nb.tanh(h);
    at(5);
    nb.inplace(y, (s) => nb.add(s, 1), '+=');
    nb.siteState.current = null;
    const e = caught(() => nb.sum(y).backward());
    expect(e.kind).toBe('GradError');
    expect(e.message).toMatch(
      /differentiate tanh at t\.nabla:3:1 \(its output\) was modified in place afterwards by \+= at t\.nabla:5:1/,
    );
  });

  it("an op's saved input, written through a view (views share the version counter)", () => {
    const x = param([2, 3]);
    at(2);
    const h = nb.mul(x, 2);
    at(3);
    const y = nb.mul(h, h);
    at(4);
    nb.noGrad(() => nb.inplace(nb.index(h, [0]), (s) => nb.mul(s, 3), '*='));
    nb.siteState.current = null;
    expect(() => nb.sum(y).backward()).toThrow(
      /differentiate mul at t\.nabla:3:1 \(its input 1\) was modified in place afterwards by \*= at t\.nabla:4:1/,
    );
  });

  it('a recorded in-place write through a view is refused (its base would not see it: wrong gradients)', () => {
    const x = param([2, 3]);
    const h = nb.mul(x, 1);
    expect(() => nb.inplace(nb.index(h, [0]), (s) => nb.mul(s, 3), '*=')).toThrow(
      /view \(index\).*wrong gradients.*no_grad/,
    );
  });

  it('a leaf updated under noGrad after the forward pass (an optimizer step too early)', () => {
    const w = param([3]);
    at(1);
    const loss = nb.sum(nb.mul(w, w));
    at(2);
    nb.noGrad(() => nb.inplace(w, (s) => nb.sub(s, 0.1), '-='));
    expect(() => loss.backward()).toThrow(
      /differentiate mul at t\.nabla:1:1 \(its input 1\) was modified in place afterwards by -= at t\.nabla:2:1/,
    );
  });

  it('without the write, the same graph differentiates (the check is not a false alarm)', () => {
    const x = param([2, 3]);
    const y = nb.tanh(nb.mul(x, 2));
    nb.sum(y).backward();
    expect(x.grad!.shape).toEqual([2, 3]);
  });
});

describe('in-place on a leaf that requires grad', () => {
  it('is refused outside noGrad, naming the operator and the fix', () => {
    const w = param([3]);
    const e = caught(() => nb.inplace(w, (s) => nb.sub(s, 1), '-='));
    expect(e.kind).toBe('InPlaceError');
    expect(e.op).toBe('-=');
    expect(e.message).toMatch(/leaf that requires grad.*no_grad/);
    expect(w.version).toBe(0);
    expect(Array.from(w.toHost())).toEqual([1, 1, 1]);
  });

  it('is allowed inside noGrad, and bumps the version', () => {
    const w = param([3]);
    nb.noGrad(() => nb.inplace(w, (s) => nb.sub(s, 1), '-='));
    expect(w.version).toBe(1);
    expect(Array.from(w.toHost())).toEqual([0, 0, 0]);
    expect(w.isLeaf).toBe(true);
  });
});

describe('tapes', () => {
  const record = (persistent: boolean) => {
    const x = nb.tensor([1, 2], { dtype: 'float64' });
    const tp = nb.tape({ persistent });
    const y = tp.run((t) => {
      t.watch(x);
      return nb.sum(nb.mul(x, x));
    });
    return { x, tp, y };
  };

  it('a non-persistent tape answers once, then says to make it persistent', () => {
    const { x, tp, y } = record(false);
    expect(Array.from((tp.gradient(y, x) as Tensor).toHost())).toEqual([2, 4]);
    const e = caught(() => tp.gradient(y, x));
    expect(e.kind).toBe('GradError');
    expect(e.message).toMatch(/non-persistent tape can answer only once.*persistent=true/);
    expect(() => tp.jacobian(y, x)).toThrow(/non-persistent tape/);
  });

  it('a persistent tape answers again', () => {
    const { x, tp, y } = record(true);
    const g1 = Array.from((tp.gradient(y, x) as Tensor).toHost());
    const g2 = Array.from((tp.gradient(y, x) as Tensor).toHost());
    expect(g2).toEqual(g1);
  });

  it('watch outside the tape block, and an unwatched source, are errors', () => {
    const { tp, y } = record(false);
    expect(() => tp.watch(nb.ones([1]))).toThrow(/tape is closed/);
    expect(() => tp.gradient(y, nb.ones([2], { dtype: 'float64' }))).toThrow(/not watched by this tape/);
  });
});

describe('errors name the call the user made', () => {
  it('grad through a graph that backward freed says grad, and names retain_graph', () => {
    const x = nb.param([1]);
    const y = nb.sum(nb.tanh(x));
    y.backward();
    expect(() => nb.grad(y, x)).toThrow(
      /^grad: trying to backward through the graph a second time[\s\S]*retain_graph=true/,
    );
    expect(() => y.backward()).toThrow(/^backward: trying to backward/);
  });

  it("a tape's gradient says gradient, not the grad it runs on", () => {
    const x = nb.param([1]);
    const tp = nb.tape({ persistent: true });
    const y = tp.run(() => nb.pow(nb.tensor([x.item() as number]), 2));
    expect(() => tp.gradient(y, x)).toThrow(/^gradient: the output/);
  });
});
