import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runNabla } from './run';

/** Every example in docs/language.md runs: `nabla` blocks succeed, `nabla error` blocks fail as stated. */
const doc = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```nabla( error)?\n([\s\S]*?)```\n(?:(\S[^\n]*)\n)?/g)].map((m, i) => ({
  n: i + 1,
  line: doc.slice(0, m.index).split('\n').length,
  error: !!m[1],
  code: m[2],
  expect: m[3],
}));

describe('docs/language.md examples', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThan(20));
  for (const b of blocks) {
    it(`example ${b.n} (line ${b.line}) ${b.error ? 'fails with ' + b.expect : 'runs'}`, () => {
      const r = runNabla(b.code, undefined, `language.md:${b.line}`);
      if (b.error) {
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.ename).not.toBe('InternalError');
          expect(`${r.ename}: ${r.evalue}`).toContain(b.expect);
          expect(r.traceback.join('\n')).toMatch(/language\.md:\d+:\d+/);
        }
      } else {
        if (!r.ok) throw new Error(r.traceback.join('\n'));
        expect(r.stdout).not.toContain('false\n'.repeat(0) + 'InternalError');
      }
    });
  }
});
