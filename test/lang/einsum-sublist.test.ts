import { describe, expect, it } from 'vitest';
import { runNabla } from './run';

/**
 * einsum's sublist form (runtime/ops/families/einsum-sublist.ts): each operand followed by its axis labels,
 * then optionally the output's, gives what the equation form gives, gradients included; bad labels are
 * refused with a sentence at the call.
 */
const printed = (code: string) => {
  const r = runNabla(code);
  if (!r.ok) throw new Error(r.traceback.join('\n'));
  return r.stdout.trim().split('\n');
};

const SETUP =
  'a = param([[1.0, 2.0, -1.0], [3.0, 4.0, 0.5]], dtype="float64")\nb = tensor([[0.5, -1.0], [1.5, 0.0], [2.0, 1.0]], dtype="float64")\nv = tensor([1.0, -2.0, 0.5], dtype="float64")\n';

describe('einsum(a, [0, 1], b, [1, 2], [0, 2])', () => {
  it.each([
    ['matmul', 'einsum(a, [0, 1], b, [1, 2], [0, 2])', 'einsum("ij,jk->ik", a, b)'],
    ['implicit output', 'einsum(a, [0, 1], b, [1, 2])', 'einsum("ij,jk", a, b)'],
    ['transpose, one operand', 'einsum(a, [0, 1], [1, 0])', 'einsum("ij->ji", a)'],
    ['sum over all, one label list', 'einsum(v, [0], [])', 'einsum("i->", v)'],
    ['labels spread (a lone list after the only operand)', 'einsum(a, [0, 1])', 'einsum("ij", a)'],
    ['matrix-vector, labels 26..51 are capitals', 'einsum(a, [30, 1], v, [1], [30])', 'einsum("Ej,j->E", a, v)'],
  ])('%s', (_label, sublist, equation) => {
    const [got, want] = printed(`${SETUP}print(${sublist}.tolist())\nprint(${equation}.tolist())`);
    expect(got).toBe(want);
  });

  it('differentiates as the equation form does', () => {
    const [g1, g2] = printed(
      `${SETUP}sum(einsum(a, [0, 1], b, [1, 2], [0, 2]) ** 2).backward()\nprint(a.grad.tolist())\na.grad = none\nsum(einsum("ij,jk->ik", a, b) ** 2).backward()\nprint(a.grad.tolist())`,
    );
    expect(g1).toBe(g2);
    expect(g1).not.toMatch(/^\[\[0, 0, 0\]/);
  });

  it.each([
    ['einsum(a, [0, 1.5])', /labels of operand 1 holds 1\.5; axis labels are whole numbers 0\.\.51/],
    ['einsum(a, [0, 52])', /holds 52/],
    ['einsum(a, [[0, 1]])', /must be a list of axis labels/],
    ['einsum(a, [0, 1], b, [1, 2], [0, 7])', /einsum: /],
    [
      'einsum(a[0], a[1])',
      /labels of operand 1 must be a list of axis labels .* requires grad; give the equation first/,
    ],
  ])('%s is refused with a sentence', (code, message) => {
    const r = runNabla(`${SETUP}${code}`);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.ename).not.toBe('InternalError');
      expect(r.evalue).toMatch(message);
      expect(r.traceback.join('\n')).toMatch(/test\.nabla:4:1/);
    }
  });
});
