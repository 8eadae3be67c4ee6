// `npx tsx scripts/fuzz.ts --count N --seed S [--areas check,session,kernel] [--kernel-count K] [--bound-ms B]`:
// the large fuzz run by hand (test/fuzz/fuzz.test.ts is the small one CI runs). Prints tried / survived per
// area and the first failures of each, and writes them all as JSON with --out FILE.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkOne, corpus, kernelExecutor, mutant, newCount, record, rng, sessionOne, type AreaCount } from '../test/fuzz/harness';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    areas: { type: 'string', default: 'check,session,kernel' },
    'kernel-count': { type: 'string' },
    'bound-ms': { type: 'string', default: '2000' },
    out: { type: 'string' },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const boundMs = Number(values['bound-ms']);
const kernelCount = Number(values['kernel-count'] ?? Math.ceil(count / 10));
const areas = new Set(values.areas!.split(','));

async function main(): Promise<void> {
  const programs = corpus();
  const counts: Record<string, AreaCount> = {};
  const t0 = Date.now();
  const progress = (area: string, i: number, n: number) => {
    if (i % (process.env.FUZZ_VERBOSE ? 1 : 100) === 0) process.stderr.write(`[fuzz] ${area} ${i}/${n} (${Math.round((Date.now() - t0) / 1000)} s)\n`);
  };
  if (areas.has('check')) {
    const r = rng(seed);
    const c = (counts.check = newCount());
    for (let i = 0; i < count; i++) {
      progress('check', i, count);
      const m = mutant(programs, r);
      record(c, m.source, m.mutations, await checkOne(m.source));
    }
  }
  if (areas.has('session')) {
    const r = rng(seed + 1);
    const c = (counts.session = newCount());
    for (let i = 0; i < count; i++) {
      progress('session', i, count);
      const m = mutant(programs, r);
      const t = Date.now();
      record(c, m.source, m.mutations, await sessionOne(m.source, boundMs));
      if (process.env.FUZZ_VERBOSE && Date.now() - t > 1000) process.stderr.write(`  slow (${Date.now() - t} ms): ${m.mutations.join(',')} ${m.source.slice(-120).replace(/\n/g, '⏎')}\n`);
    }
  }
  if (areas.has('kernel')) {
    const r = rng(seed + 2);
    const c = (counts.kernel = newCount());
    const k = await kernelExecutor();
    for (let i = 0; i < kernelCount; i++) {
      progress('kernel', i, kernelCount);
      const m = mutant(programs, r);
      record(c, m.source, m.mutations, await k.one(m.source, boundMs));
    }
    await k.close();
  }
  process.stdout.write(`fuzz: seed ${seed}, ${programs.length} corpus programs, ${Math.round((Date.now() - t0) / 1000)} s\n`);
  for (const [area, c] of Object.entries(counts)) {
    process.stdout.write(`${area}: tried ${c.tried}, survived ${c.survived}\n`);
    const reasons = new Map<string, number>();
    for (const f of c.failures) {
      const key = f.why.replace(/\d+/g, 'N').slice(0, 100);
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12)) process.stdout.write(`  ${n} × ${why}\n`);
  }
  if (values.out) writeFileSync(values.out, JSON.stringify(counts, null, 1));
  process.exit(0);
}

void main();
