import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allEntries } from '../../runtime/ops/registry';
import { END, reference, START, withReference } from '../../scripts/op-docs';

/** docs/language.md's op reference is what scripts/op-docs.ts generates from the registry now (`--check`). */
describe('the op reference in docs/language.md', () => {
  const doc = readFileSync(new URL('../../docs/language.md', import.meta.url), 'utf8');

  it('is up to date with the registry (npx tsx scripts/op-docs.ts rewrites it)', () => {
    expect(withReference(doc) === doc, 'stale: run npx tsx scripts/op-docs.ts').toBe(true);
  });

  it('has a row per registry entry, with its signature and backward formula', () => {
    const section = doc.slice(doc.indexOf(START), doc.indexOf(END));
    for (const e of allEntries()) expect(section, e.name).toMatch(new RegExp(`\\| \`(${e.name}\\(|[-x])`));
    expect(section).toContain('| `tanh(x)` | Hyperbolic tangent');
    expect(section).toContain('`g * (1 - out^2)`');
    expect(
      reference()
        .split('\n')
        .filter((l) => l.startsWith('| `')).length,
    ).toBe(allEntries().length);
  });
});
