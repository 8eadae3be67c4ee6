/**
 * The layering check (scripts/layers.ts): the repository's import graph breaks no layer rule and has no
 * import cycle beyond today's known debts (scripts/layers-known.json), and every known debt still occurs,
 * so the list only shrinks. The first block checks the checker itself on small trees written to a temp dir.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, compare, cycleKey, importsOf, readKnown, RULES, violationKey, type Known } from '../scripts/layers';

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'nabla-layers-'));
  temps.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the checker', () => {
  it('reads static, type-only, re-exported, dynamic, require and worker-URL imports with their lines', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "import { type C, type D } from './c';",
      "import { type E, f } from './e';",
      "export { g } from './g';",
      "export type { H } from './h';",
      'const m = () => import(',
      "  './m');",
      "const r = require('./r');",
      "new Worker(new URL('./w.ts', import.meta.url));",
      "let t: typeof import('./t');",
    ].join('\n');
    const got = importsOf('x/y.ts', text).map((i) => [i.specifier, i.line, i.typeOnly, i.kind]);
    expect(got).toEqual([
      ['./a', 1, false, 'static'],
      ['./b', 2, true, 'static'],
      ['./c', 3, true, 'static'],
      ['./e', 4, false, 'static'],
      ['./g', 5, false, 'static'],
      ['./h', 6, true, 'static'],
      ['./m', 7, false, 'dynamic'],
      ['./r', 9, false, 'require'],
      ['./w.ts', 10, false, 'worker-url'],
      ['./t', 11, true, 'static'],
    ]);
  });

  it('reports a broken rule with file, line and rule; counts type-only imports for rules but not for cycles', () => {
    const root = tree({
      'grammar/parser.ts': "import { x } from '../runtime/tensor';\n",
      'runtime/tensor.ts': "import type { T } from './compile/state';\nexport const x = 1;\n",
      'runtime/compile/state.ts': "import { x } from '../tensor';\nexport type T = number;\n",
      'runtime/ops/a.ts': "import { b } from './b';\nexport const a = 1;\n",
      'runtime/ops/b.ts': "\nimport { a } from './a.js';\nexport const b = 2;\n",
      'kernel/executor.ts': "import { c } from '../runtime/backends/gpujs/channel';\n",
      'runtime/backends/gpujs/channel.ts': 'export const c = 1;\n',
    });
    const r = analyze(root);
    expect(r.violations.map((v) => `${v.rule} ${v.from}:${v.line} ${v.to}`).sort()).toEqual([
      'core-below-compile-explain runtime/tensor.ts:1 runtime/compile/state.ts',
      'front-ends-public-surface kernel/executor.ts:1 runtime/backends/gpujs/channel.ts',
      'grammar-alone grammar/parser.ts:1 runtime/tensor.ts',
    ]);
    // tensor → state is type-only, so tensor ⇄ state is no cycle; a.ts ⇄ b.ts (via './a.js') is one
    expect(r.cycles).toEqual([['runtime/ops/a.ts', 'runtime/ops/b.ts']]);
    expect(r.unresolved).toEqual([]);
  });

  it('says which known entries are new and which no longer occur', () => {
    const root = tree({
      'runtime/engine.ts': "import { s } from './compile/state';\n",
      'runtime/compile/state.ts': 'export const s = 1;\n',
    });
    const r = analyze(root);
    const known: Known = {
      violations: [
        { rule: 'core-below-compile-explain', from: 'runtime/tape.ts', to: 'runtime/explain/diagnose.ts', why: 'old' },
      ],
      cycles: [{ files: ['a.ts', 'b.ts'], why: 'old' }],
    };
    const cmp = compare(r, known);
    expect(cmp.newViolations.map(violationKey)).toEqual([
      'core-below-compile-explain: runtime/engine.ts → runtime/compile/state.ts',
    ]);
    expect(cmp.staleViolations).toEqual(known.violations);
    expect(cmp.staleCycles).toEqual(known.cycles);
    expect(cmp.newCycles).toEqual([]);
  });
});

describe('the repository', () => {
  const known = readKnown();
  const report = analyze();

  it('reads the whole tree and resolves every relative import', () => {
    expect(report.files.length).toBeGreaterThan(200);
    expect(report.files).toContain('runtime/tensor.ts');
    expect(report.unresolved).toEqual([]);
  });

  it('has no layer violation and no import cycle beyond the known list', () => {
    const cmp = compare(report, known);
    const lines = cmp.newViolations.map(
      (v) => `${v.from}:${v.line} → ${v.to} (${v.rule}: ${RULES.find((r) => r.id === v.rule)!.says})`,
    );
    expect(lines, 'new layer violations: fix the import (npm run layers prints them all)').toEqual([]);
    expect(cmp.newCycles.map(cycleKey), 'new import cycles').toEqual([]);
  });

  it('still has every known debt, so the list only shrinks (delete an entry when you fix it)', () => {
    const cmp = compare(report, known);
    expect(cmp.staleViolations.map(violationKey), 'fixed: delete these from scripts/layers-known.json').toEqual([]);
    expect(
      cmp.staleCycles.map((c) => cycleKey(c.files)),
      'fixed: delete these cycles from scripts/layers-known.json',
    ).toEqual([]);
  });

  it('gives every known debt a known rule, a reason and no duplicate', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const v of known.violations) {
      expect(ids.has(v.rule), v.rule).toBe(true);
      expect(v.why.length, violationKey(v)).toBeGreaterThan(20);
    }
    for (const c of known.cycles) expect(c.why.length, cycleKey(c.files)).toBeGreaterThan(20);
    const keys = known.violations.map(violationKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
