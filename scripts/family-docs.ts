/**
 * Rewrites the op reference in docs/language.md from the family tables (runtime/ops/families):
 *     npx tsx scripts/family-docs.ts
 * test/lang/family-docs.test.ts fails when the docs and the tables disagree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { REFERENCE_BEGIN, REFERENCE_END, familyReference } from '../compiler/builtins/families';

const path = new URL('../docs/language.md', import.meta.url);
const doc = readFileSync(path, 'utf8');
const a = doc.indexOf(REFERENCE_BEGIN);
const b = doc.indexOf(REFERENCE_END);
if (a < 0 || b < a) throw new Error('docs/language.md has no op reference markers');
writeFileSync(path, `${doc.slice(0, a + REFERENCE_BEGIN.length)}\n\n${familyReference()}\n${doc.slice(b)}`);
console.log('docs/language.md: op reference rewritten');
