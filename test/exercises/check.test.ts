import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { EXERCISES } from '../../compiler/exercises';
import { runNabla } from '../lang/run';
import { ANSWERS } from './solutions';

/**
 * Every exercise of notebooks/exercises/ is checked with right answers (it must say ✓) and with wrong ones
 * (it must say ✗ and give the hint for that mistake), by running the exercise's notebook in a session with
 * its cell tagged `exercise` replaced by the answer. The notebook as committed must run cleanly and get a
 * hint, since that is what a student sees first.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
}

function codeCells(notebook: string): { source: string; exercise: boolean }[] {
  const nb = JSON.parse(readFileSync(join(root, notebook), 'utf8')) as { cells: Cell[] };
  return nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => ({
      source: Array.isArray(c.source) ? c.source.join('') : c.source,
      exercise: !!c.metadata?.tags?.includes('exercise'),
    }));
}

/**
 * Runs the notebook's code cells in one session, the exercise cell replaced by `answer`, and returns the
 * verdicts check() showed. Each cell must run cleanly; with `upToCheck` the run stops after the check's cell
 * (later cells use the answer, and may fairly fail on a wrong one).
 */
function runWith(notebook: string, answer: string | null, upToCheck = false): string[] {
  const session = createSession();
  const verdicts: string[] = [];
  const all = codeCells(notebook);
  expect(
    all.filter((c) => c.exercise),
    `${notebook} has one cell tagged exercise`,
  ).toHaveLength(1);
  const cells = upToCheck ? all.slice(0, all.findIndex((c) => c.source.includes('check(')) + 1) : all;
  cells.forEach((c, i) => {
    const r = runNabla(answer !== null && c.exercise ? answer : c.source, session, `cell${i}`);
    expect(r.ok, `${notebook} cell ${i}: ${r.ok ? '' : r.traceback.join('\n')}`).toBe(true);
    expect(r.stdout, `${notebook} cell ${i} wrote nothing to stderr`).not.toMatch(/^Warning:/m);
    for (const d of r.displays) {
      const text = String(d['text/plain'] ?? '');
      if (/^[✓✗] /.test(text)) verdicts.push(text);
    }
  });
  return verdicts;
}

describe('the exercises and their answers', () => {
  it('cover every exercise check() knows, one notebook each', () => {
    expect(ANSWERS.map((a) => a.exercise).sort()).toEqual([...EXERCISES.keys()].sort());
    for (const a of ANSWERS)
      expect(codeCells(a.notebook).some((c) => c.source.includes(`check("${a.exercise}", ${a.name})`))).toBe(true);
  });
});

for (const a of ANSWERS) {
  describe(`check("${a.exercise}")`, () => {
    it('gives the committed notebook a hint, not an error', () => {
      const v = runWith(a.notebook, null);
      expect(v).toHaveLength(1);
      expect(v[0]).toMatch(new RegExp(`^✗ ${a.exercise}: not yet\\. `));
      expect(v[0]).toMatch(a.blank);
    });
    a.right.forEach((src, i) => {
      it(`accepts right answer ${i + 1}`, () => {
        const v = runWith(a.notebook, src);
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(new RegExp(`^✓ ${a.exercise}: right\\. `));
      }, 30_000);
    });
    a.wrong.forEach(({ source, hint }, i) => {
      it(`rejects wrong answer ${i + 1} with its hint`, () => {
        const v = runWith(a.notebook, source, true);
        expect(v).toHaveLength(1);
        expect(v[0]).toMatch(new RegExp(`^✗ ${a.exercise}: not yet\\. `));
        expect(v[0]).toMatch(hint);
      });
    });
  });
}

describe('check()', () => {
  it('answers none with the task, and a value of the wrong kind with what it takes', () => {
    for (const ex of EXERCISES.values()) {
      const none = runNabla(`check("${ex.name}")`);
      expect(none.ok).toBe(true);
      expect(String(none.displays[0]['text/plain'])).toBe(`✗ ${ex.name}: not yet. nothing to check yet: ${ex.task}`);
      const number = runNabla(`check("${ex.name}", 3)`);
      expect(String(number.displays[0]['text/plain'])).toMatch(
        new RegExp(`^✗ ${ex.name}: not yet\\. check\\("${ex.name}", \\.\\.\\.\\) takes .*, but got a number`),
      );
    }
  });

  it('shows the verdict as text and as coloured HTML, and returns none', () => {
    const r = runNabla('r = check("fit-ode", fn(t) = exp(-2 * t))\nprint(r)');
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe('none\n');
    expect(String(r.displays[0]['text/plain'])).toMatch(
      /^✓ fit-ode: right\. relative L2 error .* against the exact solution exp\(-2t\)/,
    );
    expect(String(r.displays[0]['text/html'])).toMatch(
      /^<div style="border-left:4px solid #1a7f37.*<b style="color:#1a7f37">✓ fit-ode:<\/b> right\./,
    );
  });

  it('names the exercises when given an unknown one', () => {
    const r = runNabla('check("derive", fn(z) = z)');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.evalue).toBe(
        `check: there is no exercise "derive". The exercises are ${[...EXERCISES.keys()].map((n) => `"${n}"`).join(', ')} (exercise(name, reference) adds one).`,
      );
  });

  it("a teacher's exercise(name, reference, hint=) is judged by check with allclose, and a typo gets a did-you-mean", () => {
    const setup = 'x = param([1.0, 2.0])\nexercise("grad-of-square", fn() = 2 * x, hint="d/dx x² is 2x")\n';
    const texts = (code: string) => runNabla(setup + code).displays.map((d) => String(d['text/plain']));
    expect(texts('check("grad-of-square", grad(sum(x^2), x))')).toEqual([
      '✓ grad-of-square: right. It matches the reference.',
    ]);
    expect(texts('check("grad-of-square", x)')).toEqual(['✗ grad-of-square: not yet. d/dx x² is 2x']);
    expect(texts('check("grad-of-square", [1.0])')).toEqual([
      '✗ grad-of-square: not yet. the answer has shape [1], but it must be [2]. d/dx x² is 2x',
    ]);
    const r = runNabla(setup + 'check("grad-of-sqare", x)');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.evalue).toMatch(
        /^check: there is no exercise "grad-of-sqare"; did you mean 'grad-of-square'\? The exercises are "grad-of-square", /,
      );
  });

  it('puts a runtime warning caused by the answer into the hint instead of stderr', () => {
    // the only path to x goes through round, whose derivative is zero: the runtime warns, and the gradient is wrong
    const r = runNabla('check("repair-gradient-path", fn(x) = round(x[0] * 0) + sum((detach(x) / norm(detach(x)))^3))');
    expect(r.ok).toBe(true);
    expect(r.stdout).toBe('');
    expect(String(r.displays[0]['text/plain'])).toMatch(
      /^✗ repair-gradient-path: not yet\. at x = .* the gradient is \[0, 0, 0, 0\].*\(The runtime also warned: .*only through round/,
    );
  });
});
