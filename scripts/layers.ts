// The layering check: reads every source file's imports with the TypeScript compiler's parser, then reports
// imports that go the wrong way between layers and import cycles. `npm run layers` prints the report;
// test/layers.test.ts fails on any violation or cycle not listed in scripts/layers-known.json, and on any
// listed one that no longer occurs (the list only shrinks).
//
// Which way imports go (README "Layout"):
//   grammar/ (alone) ← compiler/ ← kernel/, web/, cli/ (front ends)          display/ sits beside compiler/
//   runtime core ← runtime/compile/, runtime/explain/ ← runtime/index.ts (the public surface) ← compiler/, …
//
// "Runtime core" is runtime/ without runtime/compile/ (the tracer and compiled plans), runtime/explain/
// (explain, formula, graph, stepper, missing-gradient diagnostics) and runtime/index.ts (the barrel that
// assembles the public surface from all three). It is what records and runs ops: tensor, storage, engine,
// graph, autograd, tape, mode, site, provenance, errors, backend + kernels, ops/, nn/, optim/ and
// backends/. The backends count as core: they sit under ops and must know neither the tracer nor explain.
//
// What counts as an import: `import … from`, `export … from`, `import x = require()`, `require('…')`,
// `import('…')` (dynamic), and `new URL('./file', import.meta.url)` when it names a source file (a worker
// entry: loaded at run time, so it is a dependency for the layer rules). Only relative specifiers are
// followed; packages are outside the graph.
// Type-only imports (`import type`, `export type`, every named binding marked `type`, `typeof import()`)
// count for the layer rules — knowing an upper layer's types is still knowing the layer — but not for
// cycles: the compiler erases them, so they never make a module wait for another. Worker URLs are left out
// of cycles too (a worker loads its own module graph); dynamic imports are kept in.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Folders read, relative to the root; what .gitignore ignores (and bench/gpu/kit, a fetched kit) is skipped.
const SOURCE_DIRS = ['grammar', 'compiler', 'runtime', 'display', 'kernel', 'web', 'cli', 'bin', 'scripts', 'bench', 'test'];
const SKIP = new Set(['node_modules', 'dist', '.gl', '.whl', '.scratch', 'bench/gpu/kit']);
const SOURCE_EXT = ['.ts', '.tsx', '.mts', '.cts', '.mjs', '.js', '.cjs'];

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

export interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
  kind: 'static' | 'dynamic' | 'require' | 'worker-url';
}

export interface Violation extends Edge {
  rule: string;
}

export interface Report {
  files: string[];
  edges: Edge[];
  violations: Violation[];
  /** strongly connected components of more than one file (or a file importing itself), each sorted */
  cycles: string[][];
  unresolved: { from: string; specifier: string; line: number }[];
  lines: Map<string, number>;
}

function matches(file: string, pattern: Pattern): boolean {
  if (pattern.endsWith('/')) return file.startsWith(pattern);
  if (!pattern.includes('*')) return file === pattern;
  const re = new RegExp(
    '^' + pattern.split('**').map((part) => part.split('*').map(escapeRe).join('[^/]*')).join('.*') + '$',
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

export function sourceFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const rel = dir ? `${dir}/${name}` : name;
      if (SKIP.has(name) || SKIP.has(rel) || name.startsWith('.')) continue;
      const st = statSync(join(root, rel));
      if (st.isDirectory()) walk(rel);
      else if (SOURCE_EXT.includes(extname(name)) && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) walk(dir);
  for (const name of readdirSync(root).sort()) {
    if (SOURCE_EXT.includes(extname(name)) && statSync(join(root, name)).isFile()) out.push(name);
  }
  return out;
}

/** Resolves a relative specifier as the bundler resolution in tsconfig.json does; null when it names no file. */
function resolveSpecifier(root: string, from: string, specifier: string): string | null {
  const bare = specifier.replace(/[?#].*$/, '');
  const base = posix.normalize(posix.join(posix.dirname(from), bare));
  const isFile = (rel: string): boolean => existsSync(join(root, rel)) && statSync(join(root, rel)).isFile();
  const candidates = [base];
  const ext = extname(base);
  if (['.js', '.mjs', '.cjs'].includes(ext)) {
    const stem = base.slice(0, -ext.length);
    candidates.push(stem + { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' }[ext]!, stem + '.tsx');
  }
  for (const e of SOURCE_EXT) candidates.push(base + e);
  for (const e of SOURCE_EXT) candidates.push(`${base}/index${e}`);
  const hit = candidates.find(isFile);
  return hit ? posix.normalize(hit) : null;
}

function scriptKind(file: string): ts.ScriptKind {
  const ext = extname(file);
  if (ext === '.tsx') return ts.ScriptKind.TSX;
  if (['.js', '.mjs', '.cjs'].includes(ext)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

const literal = (node: ts.Node | undefined): string | null => {
  while (node && (ts.isAsExpression(node) || ts.isParenthesizedExpression(node))) node = node.expression;
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;
};

interface RawImport {
  specifier: string;
  line: number;
  typeOnly: boolean;
  kind: Edge['kind'];
}

export function importsOf(file: string, text: string): RawImport[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
  const out: RawImport[] = [];
  const add = (node: ts.Node, specifier: string | null, typeOnly: boolean, kind: Edge['kind']): void => {
    if (specifier === null) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    out.push({ specifier, line, typeOnly, kind });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypeNamed =
        !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && allTypeNamed));
      add(node, literal(node.moduleSpecifier), typeOnly, 'static');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause;
      const allTypeNamed =
        !!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node, literal(node.moduleSpecifier), node.isTypeOnly || allTypeNamed, 'static');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literal(node.moduleReference.expression), node.isTypeOnly, 'require');
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg)) add(node, literal(arg.literal), true, 'static');
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, literal(node.arguments[0]), false, 'dynamic');
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1) {
        add(node, literal(node.arguments[0]), false, 'require');
      }
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'URL' &&
      node.arguments?.length === 2 &&
      node.arguments[1].getText(sf) === 'import.meta.url'
    ) {
      add(node, literal(node.arguments[0]), false, 'worker-url');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Tarjan's strongly connected components, iterative (the graph has hundreds of files; recursion is fine, but
 * an explicit stack keeps this independent of the graph's depth). */
export function stronglyConnected(nodes: string[], next: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const succ = next.get(frame.node) ?? [];
      if (frame.i < succ.length) {
        const w = succ[frame.i++];
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== frame.node);
        const selfLoop = comp.length === 1 && succ.includes(frame.node);
        if (comp.length > 1 || selfLoop) out.push(comp.sort());
      }
    }
  }
  return out.sort((a, b) => b.length - a.length || a[0].localeCompare(b[0]));
}

export function analyze(root = ROOT): Report {
  const files = sourceFiles(root);
  const edges: Edge[] = [];
  const unresolved: Report['unresolved'] = [];
  const lines = new Map<string, number>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    lines.set(file, text.split('\n').length - (text.endsWith('\n') ? 1 : 0));
    for (const imp of importsOf(file, text)) {
      if (!imp.specifier.startsWith('./') && !imp.specifier.startsWith('../') && imp.specifier !== '..') continue;
      const to = resolveSpecifier(root, file, imp.specifier);
      if (to === null) {
        // a worker URL may name a bundle the build writes (web's editor.worker.js): not a source file
        if (imp.kind !== 'worker-url') unresolved.push({ from: file, specifier: imp.specifier, line: imp.line });
        continue;
      }
      if (!SOURCE_EXT.includes(extname(to))) continue; // package.json, a stylesheet, a notebook: leaves
      edges.push({ from: file, to, line: imp.line, typeOnly: imp.typeOnly, kind: imp.kind });
    }
  }
  const violations: Violation[] = [];
  for (const edge of edges) {
    for (const rule of RULES) if (ruleBroken(rule, edge.from, edge.to)) violations.push({ ...edge, rule: rule.id });
  }
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (e.typeOnly || e.kind === 'worker-url') continue;
    const list = next.get(e.from) ?? [];
    if (!list.includes(e.to)) list.push(e.to);
    next.set(e.from, list);
  }
  return { files, edges, violations, cycles: stronglyConnected(files, next), unresolved, lines };
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
  const out: string[] = ['# layers', '', summary(report), '', '## violations (file:line  rule  → imported file)'];
  for (const rule of RULES) {
    const vs = report.violations.filter((v) => v.rule === rule.id);
    if (!vs.length) continue;
    out.push('', `${rule.id} — ${rule.says}`);
    for (const v of vs) {
      const tags = [v.typeOnly ? 'type-only' : '', v.kind !== 'static' ? v.kind : '', knownV.has(violationKey(v)) ? 'known' : 'NEW']
        .filter(Boolean)
        .join(', ');
      out.push(`  ${v.from}:${v.line}  → ${v.to}  (${tags})`);
    }
  }
  out.push('', '## cycles (type-only imports and worker URLs left out)');
  for (const c of report.cycles) out.push(`  ${c.length} files${knownC.has(cycleKey(c)) ? '' : ' (NEW)'}: ${c.join(', ')}`);
  if (!report.cycles.length) out.push('  none');
  if (report.unresolved.length) {
    out.push('', '## relative imports that name no file');
    for (const u of report.unresolved) out.push(`  ${u.from}:${u.line}  '${u.specifier}'`);
  }
  out.push('', '## longest file per folder (lines; files in the folder)');
  for (const f of longestPerFolder(report)) out.push(`  ${f.folder.padEnd(28)} ${String(f.lines).padStart(5)}  ${posix.basename(f.file)} (${f.files})`);
  if (known) {
    const cmp = compare(report, known);
    out.push('', '## against scripts/layers-known.json');
    out.push(`  new violations: ${cmp.newViolations.length}, new cycles: ${cmp.newCycles.length}`);
    out.push(`  known entries that no longer occur (delete them): ${cmp.staleViolations.length + cmp.staleCycles.length}`);
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
