import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import type { Output } from '../../compiler/session';
import { suggestedNames } from '../../compiler/did-you-mean';

/**
 * The checker as the kernel and the playground use it (issue 13, item 6): one cell at a time, with the
 * names earlier cells define, a cell with errors is refused before it runs and the session keeps its state.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const quiet = (): Output & { text: string } => {
  const o = {
    text: '',
    stdout: (t: string) => void (o.text += t),
    stderr: (t: string) => void (o.text += t),
    display: () => {},
  };
  return o;
};
const at = (s: ReturnType<typeof createSession>, code: string, earlier: string[] = []) =>
  s.check(code, { earlier }).map((d) => `${d.span.start.line}:${d.span.start.col}: ${d.message}`);

interface Cell {
  source: string;
  /** Tagged raises-exception: the cell shows an error on purpose. */
  raises: boolean;
}

/** Every Nabla notebook's code cells, in order. */
function notebooks(): [string, Cell[]][] {
  const out: [string, Cell[]][] = [];
  for (const dir of ['notebooks', 'notebooks/exercises', 'notebooks/pde']) {
    for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ipynb'))) {
      const nb = JSON.parse(readFileSync(join(root, dir, f), 'utf8')) as {
        metadata?: { kernelspec?: { language?: string } };
        cells: { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }[];
      };
      if (nb.metadata?.kernelspec?.language !== 'nabla') continue; // the TypeScript notebook
      const cells = nb.cells
        .filter((c) => c.cell_type === 'code')
        .map((c) => ({
          source: Array.isArray(c.source) ? c.source.join('') : c.source,
          raises: !!c.metadata?.tags?.includes('raises-exception'),
        }));
      out.push([`${dir}/${f}`, cells]);
    }
  }
  return out;
}

describe('a cell checked with the names of the cells before it', () => {
  it('flags what no earlier cell defines, and not what one does', () => {
    const s = createSession();
    expect(at(s, 'y = tahn(w)')).toEqual([
      "1:5: 'tahn' is not defined; did you mean 'tanh' or 'tan'?",
      "1:10: 'w' is not defined",
    ]);
    expect(at(s, 'y = tanh(w)', ['w = 1.0'])).toEqual([]);
    expect(at(s, 'y = g(w)', ['fn g(a) = a', 'if false { w = 2 }'])).toEqual([]);
  });

  it('refuses a cell with errors, listing all of them with positions, and keeps every variable', () => {
    const s = createSession({ checkBeforeRun: true });
    expect(s.run('x = 2.0\nfn f(a) = a * x', quiet())).toEqual({ ok: true, value: null });
    const out = quiet();
    const r = s.run('print("never printed")\nx = 100\ny = tahn(x)\nz = sum(f(x), dim=0)', out, { file: 'cell[2]' });
    expect(out.text).toBe('');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.ename).toBe('CheckError');
    expect(r.evalue).toMatch(/^2 problems found before running/);
    expect(r.traceback[0]).toBe(
      "cell[2]:3:5: error: 'tahn' is not defined; did you mean 'tanh' or 'tan'?\n  y = tahn(x)\n      ^",
    );
    expect(r.traceback[1]).toMatch(
      /^cell\[2\]:4:15: error: sum\(\) has no parameter named 'dim'; did you mean 'axis'\?/,
    );
    expect(r.traceback[2]).toMatch(/2 problems found before running it; nothing ran/);
    // the refused cell's `x = 100` did not happen; the earlier cell's x and f are still there
    const later = s.run('f(x)', quiet());
    expect(later.ok && later.value?.['text/plain']).toBe('4');
  });

  it('gives a syntax error the Nabla form of a Python spelling, and still runs help through x?', () => {
    const s = createSession({ checkBeforeRun: true });
    const r = s.run('def f(x):\n  return x', quiet());
    expect(r.ok ? '' : `${r.ename}: ${r.evalue}`).toMatch(/^SyntaxError: .*Nabla defines a function with fn/);
    const out = quiet();
    expect(s.run('tanh?', out).ok).toBe(true);
    expect(out.text).toMatch(/^tanh\(/);
    expect(s.check('tanh?')).toEqual([]);
  });

  it("reads the suggestions of a did-you-mean (the editor's quick fix), and none where there is none", () => {
    const s = createSession();
    const [tahn, q] = s.check('y = tahn(1.0)\nprint(q)');
    expect(suggestedNames(tahn.message)).toEqual(['tanh', 'tan']);
    expect(suggestedNames(q.message)).toEqual([]);
  });

  it('answers hostile cells with a diagnostic, never a throw: deep nesting, and many earlier cells', () => {
    const s = createSession({ checkBeforeRun: true });
    const deep = '1' + '+1'.repeat(20_000);
    expect(s.check(deep).map((d) => d.message)).toEqual([expect.stringMatching(/nests more than \d+ levels deep/)]);
    const r = s.run(deep, quiet());
    expect(r.ok ? '' : r.evalue).toMatch(/nests more than \d+ levels deep/);
    const earlier = Array.from({ length: 2000 }, (_, i) => `v${i} = ${i}`);
    expect(s.check('print(v0 + v1999 + v2000)', { earlier }).map((d) => d.message)).toEqual([
      expect.stringMatching(/^'v2000' is not defined/),
    ]);
  });

  it('a session without checkBeforeRun (nabla run, the REPL) runs until the error, as before', () => {
    const s = createSession();
    const out = quiet();
    const r = s.run('print("printed")\ny = tahn(1)', out);
    expect(out.text).toBe('printed\n');
    expect(r.ok ? '' : r.ename).not.toBe('CheckError');
  });
});

describe('no false errors: the checker, cell by cell, over what runs fine', () => {
  it('passes every docs/language.md example, examples/ and the .nabla scripts', () => {
    const s = createSession();
    const sources: [string, string][] = [];
    const md = readFileSync(join(root, 'docs/language.md'), 'utf8');
    // each example runs in a fresh session (test/lang/docs.test.ts); `nabla error` blocks fail on purpose
    for (const m of md.matchAll(/```nabla\n([\s\S]*?)```/g))
      sources.push([`docs/language.md:${md.slice(0, m.index).split('\n').length}`, m[1]]);
    const scripts = ['examples', 'notebooks', 'notebooks/pde'].flatMap((d) =>
      readdirSync(join(root, d))
        .filter((n) => n.endsWith('.nabla'))
        .map((n) => `${d}/${n}`),
    );
    for (const f of scripts) sources.push([f, readFileSync(join(root, f), 'utf8')]);
    expect(sources.length).toBeGreaterThan(40);
    expect(scripts.length).toBeGreaterThan(3);
    expect(sources.flatMap(([f, code]) => at(s, code).map((p) => `${f}: ${p}`))).toEqual([]);
  });

  it('passes every notebook cell, each checked with the cells above it', () => {
    const s = createSession();
    const all = notebooks();
    expect(all.length).toBeGreaterThan(10);
    const found: string[] = [];
    let checked = 0;
    for (const [f, cells] of all) {
      cells.forEach((c, i) => {
        if (c.raises) return; // shows an error on purpose
        checked++;
        const earlier = cells.slice(0, i).map((e) => e.source);
        found.push(...at(s, c.source, earlier).map((p) => `${f} cell ${i + 1}: ${p}`));
      });
    }
    expect(checked).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('a cell that raises on purpose leaves no names unbound that a later cell needs', () => {
    // the checker refuses such a cell whole, where a run would have bound the names before its error
    const s = createSession();
    const lostAfterRefusal = (f: string, cells: { source: string; raises: boolean }[]): string[] => {
      const lost: string[] = [];
      cells.forEach((c, i) => {
        if (
          !c.raises ||
          !at(
            s,
            c.source,
            cells.slice(0, i).map((e) => e.source),
          ).length
        )
          return;
        const without = cells.filter((_, j) => j !== i);
        for (let j = i; j < without.length; j++) {
          const problems = at(
            s,
            without[j].source,
            without.slice(0, j).map((e) => e.source),
          );
          if (!without[j].raises && problems.length)
            lost.push(`${f} cell ${j + 2} after refused cell ${i + 1}: ${problems.join('; ')}`);
        }
      });
      return lost;
    };
    // the rule finds the loss where there is one: a demo cell that binds a name before its static error
    const demo = [
      { source: 'a = 1\ny = tahn(a)', raises: true },
      { source: 'print(a + 1)', raises: false },
    ];
    expect(lostAfterRefusal('demo', demo)).toHaveLength(1);
    // and no notebook of notebooks/ has one
    expect(notebooks().flatMap(([f, cells]) => lostAfterRefusal(f, cells))).toEqual([]);
  });
});
