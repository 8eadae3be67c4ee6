import { describe, expect, it } from 'vitest';
import { runNabla } from '../lang/run';

/**
 * formula() through the linear algebra ops: their rules' texts (declared once, on the OpDefs in
 * runtime/ops/families/linalg.ts) are written in builtins, so the formula formula() prints runs as Nabla and
 * gives the gradient grad computes.
 */
const SETUP =
  'A = param([[2.0, 1.0, 0.5], [0.5, 3.0, -1.0], [1.0, 0.25, 4.0]])\nW = [[1.0, -2.0, 0.5], [0.25, 1.5, -1.0], [2.0, 0.5, 1.0]]';

function formulaText(y: string): string {
  const r = runNabla(`${SETUP}\nformula(${y}, A)`);
  if (!r.ok) throw new Error(r.evalue);
  return JSON.parse(String(r.value!['text/plain']));
}

describe('formula through linear algebra evaluates to grad', () => {
  it.each([
    ['det', 'det(A)', 'inv(A)'],
    ['inv', 'sum(inv(A) * W)', 'inv(A)'],
    ['solve', 'sum(solve(A, W) * W)', 'solve(A'],
    ['slogdet', 'slogdet(A)[1]', 'inv(A)'],
    ['cholesky', "sum(cholesky(A @ A') * W)", 'tril('],
  ])('%s', (_name, y, mentions) => {
    const text = formulaText(y);
    expect(text).toContain(mentions);
    const r = runNabla(
      `${SETUP}\nG = ${text}\ng = grad(${y}, A)\nprint(max(abs(G - g)).item() < 1e-4, max(abs(g)).item() > 0.01)`,
    );
    expect(r.ok ? r.stdout : r.evalue).toBe('true true\n');
  });
});
