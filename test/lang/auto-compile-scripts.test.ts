import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { autoVsEager, replayed } from './auto-compile-run';
import { runNabla } from './run';

/**
 * Programs people run, auto-compiled and eager, to the same printed numbers: the PDE scripts written the
 * natural way (their @compile removed, so the plain Adam loop compiles itself), 200 steps each, and every
 * code cell of the seed notebooks that have loops.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const T = 300_000;

describe.each(['poisson', 'heat', 'poisson2d'])('notebooks/pde/%s.nabla without @compile', (name) => {
  it(
    'its Adam loop compiles itself and prints exactly what eager execution prints over 200 steps',
    () => {
      const source = readFileSync(`${root}notebooks/pde/${name}.nabla`, 'utf8');
      const natural = source.replace(/^@compile\n/m, '');
      expect(natural).not.toBe(source);
      const args = new Map([
        ['steps', '200'],
        ['lbfgs', '1'],
      ]);
      const { auto, eager, report } = autoVsEager(natural, args);
      expect(auto.ok, auto.stdout).toBe(true);
      expect(eager.ok, eager.stdout).toBe(true);
      expect(auto.stdout).toBe(eager.stdout);
      expect(auto.stdout).toMatch(/^relative L2 error: \d/m);
      const line = natural.split('\n').findIndex((l) => l.startsWith('for step in progress(range(steps)')) + 1;
      expect(replayed(report, line)).toBeGreaterThan(190);
    },
    T,
  );
});

/** The code cells of a notebook, run in order in one session: everything printed and displayed as text. */
function runNotebook(file: string): { ok: boolean; text: string; report: string } {
  const nb = JSON.parse(readFileSync(`${root}notebooks/${file}`, 'utf8')) as {
    cells: { cell_type: string; source: string[] | string }[];
  };
  const session = createSession();
  let text = '';
  let ok = true;
  for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
    const src = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const r = runNabla(src, session);
    ok &&= r.ok;
    text +=
      r.stdout +
      r.displays.map((d) => String(d['text/plain'] ?? '')).join('\n') +
      (r.ok ? '' : `error: ${r.evalue}`) +
      '\n';
  }
  return { ok, text, report: runNabla('explain compile', session).stdout };
}

describe.each(['grad-vs-backward.ipynb', 'lost-gradient.ipynb', 'min-max.ipynb', 'two-losses.ipynb'])(
  'notebooks/%s',
  (file) => {
    it(
      'runs with its loops auto-compiled to the same output as eagerly',
      () => {
        const auto = runNotebook(file);
        const prev = process.env.NABLA_AUTO_COMPILE;
        process.env.NABLA_AUTO_COMPILE = '0';
        let eager: ReturnType<typeof runNotebook>;
        try {
          eager = runNotebook(file);
        } finally {
          if (prev === undefined) delete process.env.NABLA_AUTO_COMPILE;
          else process.env.NABLA_AUTO_COMPILE = prev;
        }
        expect(auto.ok, auto.text).toBe(eager.ok);
        // progress bars redraw on a timer and carry timings: compare their final line without its times
        const strip = (t: string) =>
          t
            .split('\n')
            .filter((l) => !/^\S+\s+\d+% \|/.test(l) || / 100% \|/.test(l))
            .map((l) => l.replace(/\[\d\d:\d\d[^\]]*\]/g, '<t>'))
            .join('\n');
        expect(strip(auto.text)).toBe(strip(eager.text));
        expect(auto.report).toMatch(/^auto-compile: on/);
      },
      T,
    );
  },
);
