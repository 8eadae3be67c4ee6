// `npx tsx scripts/fuzz.ts --count N --seed S [--areas check,session,kernel] [--kernel-count K] [--bound-ms B] [--out FILE]`:
// the large fuzz run by hand (test/fuzz/fuzz.test.ts is the small one CI runs). Each area runs in a child
// process watched from here, so a program that kills its process (out of memory, a native abort) or hangs
// past the watchdog is counted as not surviving and the run goes on in a fresh child from the next program.
// Prints tried / survived per area with the commonest reasons, and writes every failure as JSON with --out.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkOne,
  corpus,
  kernelExecutor,
  mutant,
  newCount,
  record,
  rng,
  sessionOne,
  type AreaCount,
  type Outcome,
} from '../test/fuzz/harness';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    areas: { type: 'string', default: 'check,session,kernel' },
    'kernel-count': { type: 'string' },
    'bound-ms': { type: 'string', default: '2000' },
    out: { type: 'string' },
    child: { type: 'string' },
    from: { type: 'string', default: '0' },
    'watchdog-s': { type: 'string', default: '60' },
    'max-rss-mb': { type: 'string', default: '4096' },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const boundMs = Number(values['bound-ms']);
const kernelCount = Number(values['kernel-count'] ?? Math.ceil(count / 10));
const SEEDS: Record<string, number> = { check: seed, session: seed + 1, kernel: seed + 2 };
const COUNTS: Record<string, number> = { check: count, session: count, kernel: kernelCount };

/** In a child: runs one area's programs from `from` on, one JSON line per program. */
async function child(area: string, from: number): Promise<void> {
  const programs = corpus();
  const r = rng(SEEDS[area]);
  const k = area === 'kernel' ? await kernelExecutor() : null;
  for (let i = 0; i < COUNTS[area]; i++) {
    const m = mutant(programs, r); // generated for every i, so the sequence is the same whatever `from` is
    if (i < from) continue;
    const o: Outcome =
      area === 'check'
        ? await checkOne(m.source)
        : area === 'session'
          ? await sessionOne(m.source, boundMs)
          : await k!.one(m.source, boundMs);
    process.stdout.write(
      JSON.stringify({
        i,
        ...o,
        source: m.source.length > 300 ? `${m.source.slice(0, 300)}… (${m.source.length} chars)` : m.source,
        mutations: m.mutations,
      }) + '\n',
    );
  }
  await k?.close();
  process.exit(0);
}

/** Extra time a fresh child has for its first answer (loading tsx, the compiler, the runtime, a kernel worker). */
const STARTUP_MS = 120_000;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** In the parent: runs an area in children, restarting after a death or a hang, until every program was tried. */
async function area(name: string, c: AreaCount): Promise<void> {
  let next = 0;
  const watchdogMs = Number(values['watchdog-s']) * 1000;
  const maxRss = Number(values['max-rss-mb']);
  while (next < COUNTS[name]) {
    const args = [
      fileURLToPath(import.meta.url),
      '--child',
      name,
      '--from',
      String(next),
      '--count',
      String(count),
      '--seed',
      String(seed),
      '--kernel-count',
      String(kernelCount),
      '--bound-ms',
      String(boundMs),
    ];
    const p = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = Date.now();
    let answered = false;
    let killedFor: string | null = null;
    const timer = setInterval(() => {
      const rss = rssMb(p.pid!);
      if (rss > maxRss) killedFor = `killed: the process used ${Math.round(rss)} MB (over ${maxRss})`;
      // a fresh child first loads the language (slow on a loaded machine): its first answer gets longer
      else if (Date.now() - last > (answered ? watchdogMs : watchdogMs + STARTUP_MS))
        killedFor = `killed: no answer in ${watchdogMs / 1000} s`;
      if (killedFor) p.kill('SIGKILL');
    }, 250);
    let stderr = '';
    p.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    for await (const line of createInterface({ input: p.stdout })) {
      const o = JSON.parse(line) as Outcome & { i: number; source: string; mutations: string[] };
      record(c, o.source, o.mutations, o);
      next = o.i + 1;
      last = Date.now();
      answered = true;
      if (next % 100 === 0) process.stderr.write(`[fuzz] ${name} ${next}/${COUNTS[name]}\n`);
    }
    const code = await new Promise<number | null>((ok) =>
      p.exitCode !== null ? ok(p.exitCode) : p.on('exit', (x) => ok(x)),
    );
    clearInterval(timer);
    if (next < COUNTS[name]) {
      // the program at `next` took its process down: count it and go on from the one after
      const why =
        killedFor ??
        `the process exited (${code ?? 'signal'}): ${stderr.trim().split('\n').slice(-1)[0]?.slice(0, 120) ?? ''}`;
      record(c, `(program ${next} of seed ${SEEDS[name]}; regenerate with --child ${name} --from ${next})`, [], {
        ok: false,
        why,
      });
      next++;
    }
  }
}

async function main(): Promise<void> {
  if (values.child) return child(values.child, Number(values.from));
  const t0 = Date.now();
  const counts: Record<string, AreaCount> = {};
  for (const name of values.areas!.split(',')) await area(name, (counts[name] = newCount()));
  process.stdout.write(
    `fuzz: seed ${seed}, ${corpus().length} corpus programs, ${Math.round((Date.now() - t0) / 1000)} s\n`,
  );
  for (const [name, c] of Object.entries(counts)) {
    process.stdout.write(`${name}: tried ${c.tried}, survived ${c.survived}\n`);
    const reasons = new Map<string, number>();
    for (const f of c.failures) {
      const key = f.why.replace(/\d[\d,.]*/g, 'N').slice(0, 110);
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 15))
      process.stdout.write(`  ${n} × ${why}\n`);
  }
  if (values.out) writeFileSync(values.out, JSON.stringify(counts, null, 1));
}

void main();
