// Mutation fuzzing of Nabla's front ends (issue 18): programs from docs/language.md and the notebooks,
// mutated as a careless user or an attacker would (tokens deleted, duplicated, swapped; huge numbers; deep
// nesting; unknown and very long names; long flat chains; huge sizes), run through `nabla check`'s
// function, Session.run under a time bound, and the Jupyter kernel's executor. A program survives when the
// answer is a result or a sentence for the user: no exception out of the front end, no JavaScript stack
// trace or "internal error" text, no dead process, and the session still answers afterwards.
// test/fuzz/fuzz.test.ts runs a few hundred per CI run; scripts/fuzz.ts runs thousands by hand.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Text a user must never see: a JS stack frame, a JS error class, or the front end admitting a bug. */
export const BAD_TEXT = [
  /\bat [\w.<>$ ]*\(?[^()\s]*:\d+:\d+\)?\s*$/m,
  /\bRangeError\b/,
  /Maximum call stack/i,
  /Cannot read propert/,
  /is not a function\b/,
  /is not iterable\b/,
  /Invalid (typed )?array length/,
  /internal error/i,
  /bug in Nabla/i,
  /\bInternalError\b/,
  /out of memory/i,
];

export function badText(text: string): string | null {
  for (const re of BAD_TEXT) {
    const m = re.exec(text);
    if (m) return m[0].slice(0, 120);
  }
  return null;
}

/** A small seeded generator (mulberry32): the same seed gives the same programs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The programs mutations start from: docs/language.md's ```nabla blocks, notebooks' code cells, .nabla files. */
export function corpus(): string[] {
  const out: string[] = [];
  const docs = readFileSync(join(ROOT, 'docs', 'language.md'), 'utf8');
  for (const m of docs.matchAll(/```nabla\n([\s\S]*?)```/g)) out.push(m[1]);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ipynb')) {
        const nb = JSON.parse(readFileSync(p, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
        for (const c of nb.cells)
          if (c.cell_type === 'code') out.push(Array.isArray(c.source) ? c.source.join('') : c.source);
      } else if (name.endsWith('.nabla')) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(ROOT, 'notebooks'));
  walk(join(ROOT, 'examples'));
  return out.filter((s) => s.trim());
}

const TOKEN = /\s+|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|"(?:[^"\\\n]|\\.)*"|./g;
const HUGE = [
  '1e308',
  '9007199254740993',
  '2147483648',
  '100000',
  '65536',
  '1e10',
  '-5',
  '-1',
  '0',
  '1e-320',
  'nan',
  'inf',
  '2^40',
];
const SIZE_CALLS = [
  'zeros(100000, 100000)',
  'ones(65536, 65536)',
  'eye(100000)',
  'arange(1e10)',
  'arange(9007199254740993)',
  'linspace(0, 1, -5)',
  'linspace(0, 1, 2147483648)',
  'randn(50000, 50000)',
  'full([30000, 30000], 1.0)',
  'outer(ones(100000), ones(100000))',
  'ones(30000, 1) @ ones(1, 30000)',
  'ones(30000, 1) + ones(1, 30000)',
  '"ab" * 2^40',
  'param(zeros(0, 3)).shape',
];

export type Mutation = (tokens: string[], r: () => number) => string[];

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)];
const at = (tokens: string[], r: () => number) => Math.floor(r() * Math.max(1, tokens.length));

export const MUTATIONS: Record<string, Mutation> = {
  delete: (t, r) => {
    const i = at(t, r);
    return [...t.slice(0, i), ...t.slice(i + 1)];
  },
  duplicate: (t, r) => {
    const i = at(t, r);
    return [...t.slice(0, i + 1), t[i] ?? '', ...t.slice(i + 1)];
  },
  swap: (t, r) => {
    const c = [...t];
    const i = at(t, r);
    const j = at(t, r);
    [c[i], c[j]] = [c[j], c[i]];
    return c;
  },
  hugeNumber: (t, r) => {
    const nums = t.map((x, i) => (/^\d/.test(x) ? i : -1)).filter((i) => i >= 0);
    const c = [...t];
    c[nums.length ? pick(nums, r) : at(t, r)] = pick(HUGE, r);
    return c;
  },
  deepNesting: (t, r) => {
    const k = pick([50, 300, 2000, 6000], r);
    const [open, close] = pick(
      [
        ['(', ')'],
        ['[', ']'],
        ['-(', ')'],
        ['{a: ', '}'],
        ['f(', ')'],
      ],
      r,
    );
    return [...t, `\ny = ${open.repeat(k)}1${close.repeat(k)}\n`];
  },
  unknownName: (t, r) => {
    const names = t.map((x, i) => (/^[A-Za-z_]/.test(x) ? i : -1)).filter((i) => i >= 0);
    const c = [...t];
    const i = names.length ? pick(names, r) : at(t, r);
    const base = c[i] ?? 'x';
    c[i] =
      pick(
        [
          `${base}x`,
          base.slice(1) || 'q',
          `${base}_${Math.floor(r() * 1e6)}`,
          base.repeat(1 + Math.floor(r() * 60)),
          'zzz'.repeat(Math.floor(r() * 300)),
        ],
        r,
      ) || 'q';
    return c;
  },
  longChain: (t, r) => {
    const k = pick([200, 1000, 3200, 8000], r);
    const chain = pick(
      [
        () => `x = ${'1+'.repeat(k)}1`,
        () => `x = ${'-'.repeat(k)}1`,
        () => `x = [1]${'[0]'.repeat(Math.min(k, 5000))}`,
        () => `fn f() = f\nx = f${'()'.repeat(Math.min(k, 3000))}`,
        () => `x = ${'a.'.repeat(k)}b`,
        () => `x = "${'s'.repeat(k * 100)}"`,
      ],
      r,
    )();
    return [...t, `\n${chain}\n`];
  },
  hugeSize: (t, r) => [...t, `\n${pick(SIZE_CALLS, r)}\n`],
};

/** One mutated program: a corpus entry with one to three mutations. */
export function mutant(programs: readonly string[], r: () => number): { source: string; mutations: string[] } {
  let tokens: string[] = [...(pick(programs, r).match(TOKEN) ?? [])];
  const names = Object.keys(MUTATIONS);
  const mutations: string[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const m = pick(names, r);
    mutations.push(m);
    tokens = MUTATIONS[m](tokens, r);
  }
  return { source: tokens.join(''), mutations };
}

export interface Outcome {
  ok: boolean;
  /** Why it did not survive. */
  why?: string;
}

/** `nabla check`'s function on the program: diagnostics, never an exception or a JS error's text. */
export async function checkOne(source: string): Promise<Outcome> {
  const { checkSource } = await import('../../compiler/check');
  const { createSession } = await import('../../compiler');
  const { renderDiagnostic } = await import('../../grammar');
  try {
    const msgs = checkSource(source, 'fuzz.nabla', createSession().builtins).map((d) =>
      renderDiagnostic(d, source, 'fuzz.nabla'),
    );
    const bad = badText(msgs.join('\n'));
    return bad ? { ok: false, why: `check said: ${bad}` } : { ok: true };
  } catch (e) {
    return { ok: false, why: `check threw ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 100)}` };
  }
}

/**
 * Session.run on the program under a time bound (the interrupt hook the kernel and the REPL use), then a
 * probe that the same session still answers and kept a variable set before.
 */
export async function sessionOne(source: string, boundMs: number): Promise<Outcome> {
  const { createSession } = await import('../../compiler');
  const { mode, Interrupted } = await import('../../runtime');
  const session = createSession();
  const printed: string[] = [];
  const out = {
    stdout: (t: string) => void printed.push(t),
    stderr: (t: string) => void printed.push(t),
    display: (b: Record<string, unknown>) => void printed.push(String(b['text/plain'] ?? '')),
  };
  const prev = mode.checkInterrupt;
  try {
    const before = session.run('__fuzz_kept = 41', out, { file: 'setup' });
    if (!before.ok) return { ok: false, why: `setup failed: ${before.evalue}` };
    const deadline = Date.now() + boundMs;
    mode.checkInterrupt = () => {
      if (Date.now() > deadline) throw new Interrupted();
    };
    let r;
    try {
      r = session.run(source, out, { file: 'fuzz.nabla' });
    } finally {
      mode.checkInterrupt = prev;
    }
    const text = [
      ...printed,
      ...(r.ok ? [String(r.value?.['text/plain'] ?? '')] : [r.ename, r.evalue, ...r.traceback]),
    ].join('\n');
    const bad = badText(text);
    if (bad) return { ok: false, why: `run said: ${bad}` };
    const after = session.run('__fuzz_kept + 1', out, { file: 'probe' });
    if (!after.ok || String(after.value?.['text/plain']) !== '42')
      return {
        ok: false,
        why: `the session lost its state: ${after.ok ? String(after.value?.['text/plain']) : after.evalue}`,
      };
    return { ok: true };
  } catch (e) {
    return {
      ok: false,
      why: `Session.run threw ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 100)}`,
    };
  } finally {
    mode.checkInterrupt = prev;
  }
}

/** The kernel's executor (a Session in a worker, as Jupyter reaches it): run, interrupt after a bound, probe. */
export async function kernelExecutor() {
  const { WorkerExecutor } = await import('../../kernel/executor');
  const { DEFAULT_SESSION_MODULE } = await import('../../kernel/index');
  const logs: string[] = [];
  const ex = new WorkerExecutor({
    sessionModule: DEFAULT_SESSION_MODULE,
    interruptGraceMs: 3000,
    heapLimitMb: 512,
    log: (m) => logs.push(m),
  });
  await ex.ready;
  const quiet = { stdout: () => {}, stderr: () => {}, display: () => {}, clearOutput: () => {}, input: null };
  const first = await ex.run('__fuzz_kept = 41', quiet as never);
  if (!first.ok) throw new Error(`the kernel's session did not start: ${first.evalue}`);
  return {
    logs,
    close: () => ex.close(),
    async one(source: string, boundMs: number): Promise<Outcome> {
      const printed: string[] = [];
      const sinks = {
        stdout: (t: string) => void printed.push(t),
        stderr: (t: string) => void printed.push(t),
        display: (b: Record<string, unknown>) => void printed.push(String(b['text/plain'] ?? '')),
        clearOutput: () => {},
        input: null,
      };
      const timer = setTimeout(() => ex.interrupt(), boundMs);
      let r;
      try {
        r = await ex.run(source, sinks as never);
      } finally {
        clearTimeout(timer);
      }
      const text = [
        ...printed,
        ...(r.ok
          ? [String((r.value as Record<string, unknown> | null)?.['text/plain'] ?? '')]
          : [r.ename, r.evalue, ...r.traceback]),
      ].join('\n');
      // a worker that died took the session with it: the kernel says so, and the probe below sees it
      const bad = badText(text);
      if (bad) return { ok: false, why: `kernel said: ${bad}` };
      const after = await ex.run('__fuzz_kept + 1', quiet as never);
      if (!after.ok || String((after.value as Record<string, unknown> | null)?.['text/plain']) !== '42') {
        const why = after.ok ? String((after.value as Record<string, unknown> | null)?.['text/plain']) : after.evalue;
        await ex.run('__fuzz_kept = 41', quiet as never); // the next program starts from a known state
        return { ok: false, why: `the kernel lost its state: ${why.slice(0, 100)}` };
      }
      return { ok: true };
    },
  };
}

export interface AreaCount {
  tried: number;
  survived: number;
  failures: { source: string; mutations: string[]; why: string }[];
}

export function newCount(): AreaCount {
  return { tried: 0, survived: 0, failures: [] };
}

export function record(c: AreaCount, source: string, mutations: string[], o: Outcome): void {
  c.tried++;
  if (o.ok) c.survived++;
  else
    c.failures.push({
      source: source.length > 300 ? `${source.slice(0, 300)}… (${source.length} chars)` : source,
      mutations,
      why: o.why ?? '?',
    });
}
