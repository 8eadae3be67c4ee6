import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../grammar';
import { Interrupted, mode } from '../../runtime';
import { runNabla } from './run';

/**
 * The error programs of the test suite, collected rather than listed: every string literal in a test file
 * that parses as a Nabla program and fails when run (each run stopped after a short time, so a training
 * loop in a test costs little). docs/language.md's `nabla error` examples are added. The advice test and
 * the static checker's corpus test both read it.
 */
export interface ErrorCase {
  source: string;
  /** Where the program was found. */
  from: string;
  ename: string;
  evalue: string;
}

const ROOT = new URL('../../', import.meta.url).pathname;
/** Folders whose tests hold Nabla programs as strings. */
const DIRS = ['test/lang', 'test/explain', 'test/exercises', 'test/kernel', 'test/display', 'test/cli', 'test/web'];

function testFiles(): string[] {
  return DIRS.flatMap((d) => {
    try {
      return readdirSync(join(ROOT, d))
        .filter((f) => f.endsWith('.ts') && !f.startsWith('error-corpus'))
        .map((f) => join(d, f));
    } catch {
      return [];
    }
  });
}

/** String literals: backquoted without interpolation, and quoted ones that hold a call or a newline. */
function literals(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/`((?:[^`\\$]|\\.|\$(?!\{))*)`/g)) out.push(unescape(m[1]));
  for (const m of text.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"/g)) {
    const s = unescape(m[1] ?? m[2]);
    if (/\n|\(|=/.test(s)) out.push(s);
  }
  return out;
}

const unescape = (s: string) =>
  s.replace(/\\(n|t|`|'|"|\\|\$)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));

function docErrors(): string[] {
  const md = readFileSync(join(ROOT, 'docs/language.md'), 'utf8');
  return [...md.matchAll(/```nabla error\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Runs source with a deadline (long programs are stopped; they are not error cases). */
function runBriefly(source: string, ms: number) {
  const deadline = performance.now() + ms;
  const prev = mode.checkInterrupt;
  mode.checkInterrupt = () => {
    if (performance.now() > deadline) throw new Interrupted();
  };
  try {
    return runNabla(source);
  } finally {
    mode.checkInterrupt = prev;
  }
}

/** Programs that need a file system, a browser or user input are left out: their errors are not the language's. */
const ENVIRONMENTAL = /\b(input|set_backend|args|graph|plot|scatter|check)\s*\(/;

let cached: ErrorCase[] | null = null;

export function errorCorpus(): ErrorCase[] {
  if (cached) return cached;
  const seen = new Set<string>();
  const cases: ErrorCase[] = [];
  const consider = (source: string, from: string) => {
    if (seen.has(source) || source.trim().length < 3 || ENVIRONMENTAL.test(source)) return;
    seen.add(source);
    const p = parse(source);
    // a program: parses, and is more than one bare word (test names and messages are prose, not programs)
    if (!p.program || p.diagnostics.length || !p.program.body.length || !/[(=[]/.test(source)) return;
    if (/^[A-Z][a-z]+ [a-z]+ [a-z]+/.test(source)) return; // a sentence that happens to parse
    const r = runBriefly(source, 500);
    if (r.ok || r.ename === 'KeyboardInterrupt') return;
    cases.push({ source, from, ename: r.ename, evalue: r.evalue });
  };
  for (const f of testFiles()) for (const s of literals(readFileSync(join(ROOT, f), 'utf8'))) consider(s, f);
  for (const s of docErrors()) consider(s, 'docs/language.md');
  cached = cases;
  return cases;
}
