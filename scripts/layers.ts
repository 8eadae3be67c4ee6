// The layering check: reads every source file's imports with the TypeScript compiler's parser, then reports
// imports that go the wrong way between layers and import cycles. `npm run layers` prints the report;
// test/layers.test.ts fails on any violation or cycle not listed in scripts/layers-known.json, and on any
// listed one that no longer occurs (the list only shrinks).
//
// Which way imports go (README "Layout"); diagnostic/ (the error shape) sits under all of them:
//   grammar/ (alone) ← compiler/ ← kernel/, web/, cli/ (front ends)          display/ sits beside compiler/
//   runtime core ← runtime/compile/, runtime/explain/ ← runtime/index.ts (the public surface) ← compiler/, …
//
// "Runtime core" is runtime/ without runtime/compile/ (the tracer and compiled plans), runtime/explain/
// (explain, formula, graph, stepper, missing-gradient diagnostics) and runtime/index.ts (the barrel that
// assembles the public surface from all three). It is what records and runs ops: tensor, storage, engine,
// graph, autograd, tape, mode, site, provenance, errors, backend + kernels, ops/, nn/, optim/ and
// backends/. The backends count as core: they sit under ops and must know neither the tracer nor explain.
//
// scripts/import-graph.ts reads the graph and says what counts as an import. The layer rules count type-only
// imports (knowing an upper layer's types is still knowing the layer); cycles leave them out, and worker URLs.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cycles, readImportGraph, ROOT, type Edge, type ImportGraph } from './import-graph';

export { importsOf, ROOT } from './import-graph';

/** A path pattern: 'dir/' is everything under dir, 'dir/*' one segment, '**' any depth; anything else is one file. */
type Pattern = string;

export interface Rule {
  /** the name printed beside each violation and used as its key in layers-known.json */
  id: string;
  /** one sentence: which way imports must go, and why */
  says: string;
  from: Pattern[];
  fromExcept?: Pattern[];
  to: Pattern[];
  toExcept?: Pattern[];
}

const RUNTIME_ABOVE_CORE: Pattern[] = ['runtime/compile/', 'runtime/explain/', 'runtime/index.ts'];
const FRONT_ENDS: Pattern[] = ['kernel/', 'web/', 'cli/', 'bin/'];

export const RULES: Rule[] = [
  {
    id: 'diagnostic-leaf',
    says: 'diagnostic/ (the one error shape) imports nothing of the project: grammar/ and runtime/ both produce it',
    from: ['diagnostic/'],
    to: ['grammar/', 'runtime/', 'compiler/', 'display/', 'kernel/', 'web/', 'cli/', 'bin/'],
  },
  {
    id: 'grammar-alone',
    says: 'grammar/ turns text into an AST and knows nothing else of the project (no tensors, no builtins)',
    from: ['grammar/'],
    to: ['runtime/', 'compiler/', 'display/', 'kernel/', 'web/', 'cli/', 'bin/'],
  },
  {
    id: 'runtime-below-language',
    says: 'runtime/ (all of it) knows nothing of the language or its front ends',
    from: ['runtime/'],
    to: ['grammar/', 'compiler/', 'display/', 'kernel/', 'web/', 'cli/', 'bin/'],
  },
  {
    id: 'core-below-compile-explain',
    says: 'the runtime core knows nothing of its users: compile/ and explain/ subscribe to it, never the reverse',
    from: ['runtime/'],
    fromExcept: RUNTIME_ABOVE_CORE,
    to: RUNTIME_ABOVE_CORE,
  },
  {
    id: 'compile-backend-neutral',
    says: 'runtime/compile/ (the tracer and plans) names no backend; code generation belongs behind a backend capability',
    from: ['runtime/compile/'],
    to: ['runtime/backends/'],
  },
  {
    id: 'front-ends-public-surface',
    says: "front ends (kernel/, web/, cli/) use the runtime's public surface, never a backend's internals",
    from: FRONT_ENDS,
    to: ['runtime/backends/'],
  },
  {
    id: 'language-below-front-ends',
    says: 'compiler/ and display/ know nothing of the front ends that host them',
    from: ['compiler/', 'display/'],
    to: FRONT_ENDS,
  },
];

export interface Violation extends Edge {
  rule: string;
}

export interface Report extends ImportGraph {
  violations: Violation[];
  /** strongly connected components of more than one file (or a file importing itself), each sorted */
  cycles: string[][];
}

function matches(file: string, pattern: Pattern): boolean {
  if (pattern.endsWith('/')) return file.startsWith(pattern);
  if (!pattern.includes('*')) return file === pattern;
  const re = new RegExp(
    '^' +
      pattern
        .split('**')
        .map((part) => part.split('*').map(escapeRe).join('[^/]*'))
        .join('.*') +
      '$',
  );
  return re.test(file);
}
const escapeRe = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
const matchesAny = (file: string, patterns: Pattern[] = []): boolean => patterns.some((p) => matches(file, p));

export function ruleBroken(rule: Rule, from: string, to: string): boolean {
  return (
    matchesAny(from, rule.from) &&
    !matchesAny(from, rule.fromExcept) &&
    matchesAny(to, rule.to) &&
    !matchesAny(to, rule.toExcept)
  );
}

export function analyze(root = ROOT): Report {
  const graph = readImportGraph(root);
  const violations: Violation[] = [];
  for (const edge of graph.edges) {
    for (const rule of RULES) if (ruleBroken(rule, edge.from, edge.to)) violations.push({ ...edge, rule: rule.id });
  }
  return { ...graph, violations, cycles: cycles(graph) };
}

// ---- the known list (scripts/layers-known.json): today's debts, each with why it is there and the plan ----

export interface KnownViolation {
  rule: string;
  from: string;
  to: string;
  why: string;
}
export interface KnownCycle {
  files: string[];
  why: string;
}
export interface Known {
  violations: KnownViolation[];
  cycles: KnownCycle[];
}

export const KNOWN_PATH = join(ROOT, 'scripts', 'layers-known.json');

export function readKnown(path = KNOWN_PATH): Known {
  return JSON.parse(readFileSync(path, 'utf8')) as Known;
}

/** One key per (rule, importing file, imported file): several import lines of one pair are one debt. */
export const violationKey = (v: { rule: string; from: string; to: string }): string => `${v.rule}: ${v.from} → ${v.to}`;
export const cycleKey = (files: string[]): string => [...files].sort().join(' ⇄ ');

export interface Comparison {
  /** violations and cycles that occur but are not in the known list: fix them (or, with a reason, list them) */
  newViolations: Violation[];
  newCycles: string[][];
  /** known entries that no longer occur: delete them from the list, so it only shrinks */
  staleViolations: KnownViolation[];
  staleCycles: KnownCycle[];
}

export function compare(report: Report, known: Known): Comparison {
  const knownV = new Set(known.violations.map(violationKey));
  const knownC = new Set(known.cycles.map((c) => cycleKey(c.files)));
  const seenV = new Set(report.violations.map(violationKey));
  const seenC = new Set(report.cycles.map(cycleKey));
  return {
    newViolations: report.violations.filter((v) => !knownV.has(violationKey(v))),
    newCycles: report.cycles.filter((c) => !knownC.has(cycleKey(c))),
    staleViolations: known.violations.filter((v) => !seenV.has(violationKey(v))),
    staleCycles: known.cycles.filter((c) => !seenC.has(cycleKey(c.files))),
  };
}

// ---- the printed report ----

/** The longest file in each folder that holds source files (folders as they are, not rolled up). */
export function longestPerFolder(report: Report): { folder: string; file: string; lines: number; files: number }[] {
  const byFolder = new Map<string, { file: string; lines: number; files: number }>();
  for (const [file, n] of report.lines) {
    const folder = posix.dirname(file);
    const cur = byFolder.get(folder);
    if (!cur) byFolder.set(folder, { file, lines: n, files: 1 });
    else {
      cur.files++;
      if (n > cur.lines) Object.assign(cur, { file, lines: n });
    }
  }
  return [...byFolder].map(([folder, v]) => ({ folder, ...v })).sort((a, b) => a.folder.localeCompare(b.folder));
}

export function summary(report: Report): string {
  const byRule = new Map<string, { lines: number; pairs: Set<string> }>();
  for (const v of report.violations) {
    const r = byRule.get(v.rule) ?? { lines: 0, pairs: new Set<string>() };
    r.lines++;
    r.pairs.add(violationKey(v));
    byRule.set(v.rule, r);
  }
  const out = [
    `${report.files.length} files, ${report.edges.length} imports between them (${report.edges.filter((e) => e.typeOnly).length} type-only)`,
    `cycles: ${report.cycles.length} (${report.cycles.reduce((n, c) => n + c.length, 0)} files in them; largest ${report.cycles[0]?.length ?? 0})`,
    `violations: ${report.violations.length} import lines, ${new Set(report.violations.map(violationKey)).size} file pairs`,
  ];
  for (const rule of RULES) {
    const r = byRule.get(rule.id);
    out.push(`  ${rule.id}: ${r?.lines ?? 0} lines, ${r?.pairs.size ?? 0} pairs`);
  }
  return out.join('\n');
}

export function render(report: Report, known: Known | null): string {
  const knownV = new Set(known?.violations.map(violationKey) ?? []);
  const knownC = new Set(known?.cycles.map((c) => cycleKey(c.files)) ?? []);
  const out: string[] = [
    '# layers',
    '',
    summary(report),
    '',
    '## violations, by rule (importing file:line → imported file)',
  ];
  for (const rule of RULES) {
    const vs = report.violations.filter((v) => v.rule === rule.id);
    if (!vs.length) continue;
    out.push('', `${rule.id} — ${rule.says}`);
    for (const v of vs) {
      const tags = [
        v.typeOnly ? 'type-only' : '',
        v.kind !== 'static' ? v.kind : '',
        knownV.has(violationKey(v)) ? 'known' : 'NEW',
      ]
        .filter(Boolean)
        .join(', ');
      out.push(`  ${v.from}:${v.line}  → ${v.to}  (${tags})`);
    }
  }
  out.push('', '## cycles (type-only imports and worker URLs left out)');
  for (const c of report.cycles)
    out.push(`  ${c.length} files${knownC.has(cycleKey(c)) ? '' : ' (NEW)'}: ${c.join(', ')}`);
  if (!report.cycles.length) out.push('  none');
  if (report.unresolved.length) {
    out.push('', '## relative imports that name no file');
    for (const u of report.unresolved) out.push(`  ${u.from}:${u.line}  '${u.specifier}'`);
  }
  out.push('', '## longest file per folder (lines; files in the folder)');
  for (const f of longestPerFolder(report))
    out.push(`  ${f.folder.padEnd(28)} ${String(f.lines).padStart(5)}  ${posix.basename(f.file)} (${f.files})`);
  if (known) {
    const cmp = compare(report, known);
    out.push('', '## against scripts/layers-known.json');
    out.push(`  new violations: ${cmp.newViolations.length}, new cycles: ${cmp.newCycles.length}`);
    out.push(
      `  known entries that no longer occur (delete them): ${cmp.staleViolations.length + cmp.staleCycles.length}`,
    );
    for (const v of cmp.staleViolations) out.push(`    ${violationKey(v)}`);
    for (const c of cmp.staleCycles) out.push(`    cycle ${cycleKey(c.files)}`);
  }
  return out.join('\n');
}

const isMain = process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
  const report = analyze();
  const known = existsSync(KNOWN_PATH) ? readKnown() : null;
  if (process.argv.includes('--json')) {
    const { lines: _lines, ...rest } = report;
    console.log(JSON.stringify({ ...rest, longest: longestPerFolder(report) }, null, 2));
  } else console.log(render(report, known));
  if (known) {
    const cmp = compare(report, known);
    const bad = cmp.newViolations.length + cmp.newCycles.length + cmp.staleViolations.length + cmp.staleCycles.length;
    process.exitCode = bad ? 1 : 0;
  }
}
