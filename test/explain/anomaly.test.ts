import { describe, expect, it } from 'vitest';
import { runNabla } from '../lang/run';

/** detect_anomaly names the first forward op or backward formula that made NaN or inf, with its line. */
function anomaly(code: string): { evalue: string; traceback: string } {
  const r = runNabla(code);
  if (r.ok) throw new Error('expected an AnomalyError');
  expect(r.ename).toBe('AnomalyError');
  return { evalue: r.evalue, traceback: r.traceback.join('\n') };
}

describe('detect_anomaly', () => {
  it('forward: log(0) is named with its line', () => {
    const e = anomaly('x = param([0.0, 1.0])\ndetect_anomaly {\n  y = sum(log(x))\n}');
    expect(e.evalue).toBe('detect_anomaly: log at test.nabla:3:11 produced an infinite value in its forward value');
    expect(e.traceback).toContain('test.nabla:3:11');
  });

  it('forward: broadcast views are checked by their elements, not their storage', () => {
    expect(
      runNabla('x = param([1.0, 2.0])\ndetect_anomaly {\n  y = sum(x * 2)\n  y.backward()\n}\nprint(x.grad)').stdout,
    ).toBe('tensor([2., 2.])\n');
  });

  it('backward: 0/0 in a rule names the formula, the element and the values that went in', () => {
    const e = anomaly('x = param([0.0, 1.0])\ndetect_anomaly {\n  y = sum(sqrt(x) * [0.0, 1.0])\n  y.backward()\n}');
    expect(e.evalue).toBe(
      'detect_anomaly: the backward of sqrt at test.nabla:3:11 (sqrt(x)) produced NaN in the gradient of x at element [0], by the formula dL/dx = dL/d(sqrt(x)) / (2 * sqrt(x)); there dL/d(sqrt(x)) = 0, x = 0, sqrt(x) = 0. The incoming gradient is 0 there, so the rule computed 0 / 0 or 0 * inf.',
    );
  });

  it('backward: an infinity from 1/0', () => {
    const e = anomaly('x = param([0.0, 1.0])\ny = sum(sqrt(x))\ndetect_anomaly { y.backward() }');
    expect(e.evalue).toMatch(
      /^detect_anomaly: the backward of sqrt at test\.nabla:2:9 \(sqrt\(x\)\) produced an infinite value in the gradient of x at element \[0\]/,
    );
  });

  it("the where trap: a NaN from the unselected branch's gradient is caught and explained", () => {
    const e = anomaly(
      'x = param([0.0, 4.0])\ndetect_anomaly {\n  y = sum(where(x > 0, sqrt(x), 0))\n  y.backward()\n}',
    );
    expect(e.evalue).toBe(
      "detect_anomaly: the backward of sqrt at test.nabla:3:24 (sqrt(x)) produced NaN in the gradient of x at element [0], by the formula dL/dx = dL/d(sqrt(x)) / (2 * sqrt(x)); there dL/d(sqrt(x)) = 0, x = 0, sqrt(x) = 0. This is the where trap: the where at test.nabla:3:11 (where(x > 0, sqrt(x), 0)) did not select its first branch, sqrt(x), at this element (its condition x > 0 is false there), so it sent that branch a gradient of 0; but sqrt's rule turns that 0 into NaN (0 / 0), and since 0 * NaN is NaN, not 0, the NaN flows on into x although the forward value was masked out. Keep the unselected branch finite as well: compute sqrt(where(x > 0, x, 1)) instead of sqrt(x).",
    );
    // without detect_anomaly the NaN goes through silently; the suggested fix removes it
    expect(
      runNabla('x = param([0.0, 4.0])\ny = sum(where(x > 0, sqrt(x), 0))\ny.backward()\nprint(x.grad)').stdout,
    ).toBe('tensor([   nan, 0.2500])\n');
    expect(
      runNabla(
        'x = param([0.0, 4.0])\ndetect_anomaly {\n  y = sum(where(x > 0, sqrt(where(x > 0, x, 1)), 0))\n  y.backward()\n}\nprint(x.grad)',
      ).stdout,
    ).toBe('tensor([0.0000, 0.2500])\n');
  });
});
