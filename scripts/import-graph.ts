// The import graph of the repository's own sources, read with the TypeScript compiler's parser (no type
// checking, so it takes seconds): which file imports which, at which line, and whether only for types.
// scripts/layers.ts checks it against the layer rules.
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
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Folders read, relative to the root; what .gitignore ignores (and bench/gpu/kit, a fetched kit) is skipped.
const SOURCE_DIRS = [
  'diagnostic',
  'grammar',
  'compiler',
  'runtime',
  'display',
  'kernel',
  'web',
  'cli',
  'bin',
  'scripts',
  'bench',
  'test',
];
const SKIP = new Set(['node_modules', 'dist', '.gl', '.whl', '.scratch', 'bench/gpu/kit']);
const SOURCE_EXT = ['.ts', '.tsx', '.mts', '.cts', '.mjs', '.js', '.cjs'];

export interface Edge {
  from: string;
  to: string;
  line: number;
  typeOnly: boolean;
  kind: 'static' | 'dynamic' | 'require' | 'worker-url';
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

export interface ImportGraph {
  files: string[];
  edges: Edge[];
  /** relative specifiers that name no file (a worker URL naming a built bundle is not one) */
  unresolved: { from: string; specifier: string; line: number }[];
  /** lines per file */
  lines: Map<string, number>;
}

export function readImportGraph(root = ROOT): ImportGraph {
  const files = sourceFiles(root);
  const edges: Edge[] = [];
  const unresolved: ImportGraph['unresolved'] = [];
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
  return { files, edges, unresolved, lines };
}

/** What a cycle is made of: static, dynamic and require imports; not type-only ones, not worker URLs. */
export function cycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.typeOnly || e.kind === 'worker-url') continue;
    const list = next.get(e.from) ?? [];
    if (!list.includes(e.to)) list.push(e.to);
    next.set(e.from, list);
  }
  return stronglyConnected(graph.files, next);
}
