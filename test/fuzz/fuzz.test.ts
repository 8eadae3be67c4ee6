// The CI-sized fuzz run (issue 18): a few hundred programs from docs/language.md and the notebooks, mutated
// with a seed that changes each day (printed, so a failure can be replayed with FUZZ_SEED), through
// `nabla check`'s function, Session.run under a time bound, and (fewer) the kernel's executor. Every one must
// come back as a result or a sentence, with the session still answering. scripts/fuzz.ts is the large run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOne, corpus, kernelExecutor, mutant, newCount, record, rng, sessionOne } from './harness';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Date.now() / 86_400_000));
const COUNTS = { check: 150, session: 120, kernel: 12 };
const BOUND_MS = 250;

const programs = corpus();
const report = (c: ReturnType<typeof newCount>) =>
  c.failures.map((f) => `${f.why}\n  mutations: ${f.mutations.join(', ')}\n  program: ${f.source}`).join('\n\n');

describe(`fuzzed programs (seed ${SEED}; FUZZ_SEED=${SEED} repeats them)`, () => {
  it('has a corpus: the docs examples and the notebooks', () => {
    expect(programs.length).toBeGreaterThan(50);
  });

  it(`nabla check answers ${COUNTS.check} mutated programs with diagnostics, never a crash`, async () => {
    const r = rng(SEED);
    const c = newCount();
    for (let i = 0; i < COUNTS.check; i++) {
      const m = mutant(programs, r);
      record(c, m.source, m.mutations, await checkOne(m.source));
    }
    console.info(`[fuzz] check: tried ${c.tried}, survived ${c.survived}`);
    expect(c.failures, report(c)).toEqual([]);
  }, 120_000);

  it(`Session.run answers ${COUNTS.session} mutated programs (each stopped after ${BOUND_MS} ms) and keeps its state`, async () => {
    const r = rng(SEED + 1);
    const c = newCount();
    for (let i = 0; i < COUNTS.session; i++) {
      const m = mutant(programs, r);
      record(c, m.source, m.mutations, await sessionOne(m.source, BOUND_MS));
    }
    console.info(`[fuzz] session: tried ${c.tried}, survived ${c.survived}`);
    expect(c.failures, report(c)).toEqual([]);
  }, 180_000);

  describe('through the kernel', () => {
    let k: Awaited<ReturnType<typeof kernelExecutor>>;
    beforeAll(async () => {
      k = await kernelExecutor();
    }, 120_000);
    afterAll(async () => k?.close());

    it(`answers ${COUNTS.kernel} mutated programs, interrupted after ${BOUND_MS} ms, with its session kept`, async () => {
      const r = rng(SEED + 2);
      const c = newCount();
      for (let i = 0; i < COUNTS.kernel; i++) {
        const m = mutant(programs, r);
        record(c, m.source, m.mutations, await k.one(m.source, BOUND_MS));
      }
      console.info(`[fuzz] kernel: tried ${c.tried}, survived ${c.survived}`);
      expect(c.failures, report(c)).toEqual([]);
      expect(k.logs.filter((l) => /gone|fresh interpreter/.test(l))).toEqual([]);
    }, 180_000);
  });
});
