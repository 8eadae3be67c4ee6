// Builds the playground into web/dist/ with esbuild: one page, its script and CSS, Monaco's editor worker
// and its codicon font, Vega (for charts) as a lazily loaded chunk. Everything is local: the page works
// offline, from any static server (`npx nabla serve` uses web/serve.ts).
//
// compiler/, runtime/, grammar/ and display/ are meant to be browser-safe. The plugin below refuses any
// Node-only module they (or their packages) import, with a sentence naming the importer, except the few
// listed in NODE_ONLY_ALLOWED: Node-only code paths a browser never takes, given small stand-ins (web/shims).
import { builtinModules } from 'node:module';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { ipynbEsbuildPlugin } from './ipynb';

const webDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(webDir, '..');
export const DEFAULT_OUT_DIR = join(webDir, 'dist');
/** Written into the output folder so that a rebuild only ever deletes a folder it made. */
const MARKER = '.nabla-web-build';

/**
 * Node-only imports that are replaced by stand-ins instead of failing the build, each with the reason.
 * runtime/backends/gpujs/dawn.ts loads the npm package 'webgpu' (Dawn, WebGPU for Node) for the Node GPU
 * agent; a browser never takes that path (its webgpu backend talks to web/src/gpu.worker.ts, which uses
 * navigator.gpu), so the import gets a stand-in that says so.
 */
const NODE_ONLY_ALLOWED: { module: RegExp; importer: RegExp; shim: string }[] = [
  { module: /^(node:)?module$/, importer: /runtime\/backends\/gpujs\/dawn\.ts$/, shim: 'node-module.ts' },
  { module: /^(node:)?path$/, importer: /runtime\/backends\/gpujs\/dawn\.ts$/, shim: 'node-path.ts' },
  { module: /^(node:)?url$/, importer: /runtime\/backends\/gpujs\/dawn\.ts$/, shim: 'node-url.ts' },
  // import('webgpu') in prepareWebGPU(); gpu.js's browser build does not import it
  { module: /^webgpu$/, importer: /./, shim: 'webgpu.ts' },
];
/** Packages that only run in Node: never in the page, whoever imports them. */
const NODE_ONLY_PACKAGES = /^(tsx|tslab|zeromq|esbuild|vitest|playwright-core|gl)(\/|$)/;
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export interface BuildOptions {
  /** Default web/dist. Emptied first, if this builder made it (or it does not exist). */
  outDir?: string;
  minify?: boolean;
  sourcemap?: boolean;
  /** esbuild's log level; 'warning' by default. */
  logLevel?: 'silent' | 'error' | 'warning' | 'info';
}

export interface BuildResult {
  outDir: string;
  /** Files written, relative to outDir. */
  files: string[];
  /** The Node-only imports replaced by stand-ins: `module ← importer`. */
  shimmed: string[];
  /** Every input file of the page's bundle, relative to the repository (tests check what went in). */
  inputs: string[];
  ms: number;
}

export function guardPlugin(shimmed: Set<string>): Plugin {
  return {
    name: 'nabla-browser-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const importer = relative(root, args.importer || '');
        const allowed = NODE_ONLY_ALLOWED.find((a) => a.module.test(args.path) && a.importer.test(args.importer));
        if (allowed) {
          shimmed.add(`${args.path} ← ${importer}`);
          return { path: join(webDir, 'shims', allowed.shim) };
        }
        if (NODE_BUILTINS.has(args.path) || NODE_ONLY_PACKAGES.test(args.path)) {
          return {
            errors: [
              {
                text: `'${args.path}' is Node-only but ${importer} imports it, so it would enter the browser bundle: compiler/, runtime/, grammar/ and display/ must stay browser-safe (move the Node-only part behind a check, or list it in NODE_ONLY_ALLOWED of web/build.ts with a stand-in in web/shims/)`,
              },
            ],
          };
        }
        return undefined;
      });
    },
  };
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

export async function buildWeb(opts: BuildOptions = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const outDir = resolve(opts.outDir ?? DEFAULT_OUT_DIR);
  if (existsSync(outDir)) {
    const empty = readdirSync(outDir).length === 0;
    if (!empty && !existsSync(join(outDir, MARKER))) {
      throw new Error(
        `buildWeb: ${outDir} exists and was not made by buildWeb; refusing to empty it (choose another outDir)`,
      );
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, MARKER), 'made by web/build.ts; deleted and rewritten by each build\n');

  const shimmed = new Set<string>();
  const common = commonOptions(opts);
  const [page] = await Promise.all([
    build({
      ...common,
      // the page, the worker the session runs in, and the GPU worker that owns the WebGPU device
      // (session-client.ts starts both by URL, as module workers sharing the page's chunks)
      entryPoints: {
        app: join(webDir, 'src', 'main.ts'),
        'session.worker': join(webDir, 'src', 'session.worker.ts'),
        'gpu.worker': join(webDir, 'src', 'gpu.worker.ts'),
      },
      outdir: outDir,
      format: 'esm',
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      assetNames: 'assets/[name]-[hash]',
      loader: { '.ttf': 'file' },
      plugins: [guardPlugin(shimmed), ipynbEsbuildPlugin],
      metafile: true,
    }),
    // Monaco's editor worker, a classic worker script (web/src/main.ts starts it by URL)
    build({
      ...common,
      entryPoints: { 'editor.worker': 'monaco-editor/editor/editor.worker' },
      absWorkingDir: root,
      outdir: outDir,
      format: 'iife',
    }),
  ]);
  copyFileSync(join(webDir, 'index.html'), join(outDir, 'index.html'));
  const inputs = Object.keys((page.metafile as Metafile).inputs);
  return {
    outDir,
    files: walk(outDir).filter((f) => f !== MARKER),
    shimmed: [...shimmed].sort(),
    inputs,
    ms: Math.round(performance.now() - t0),
  };
}

export function commonOptions(opts: BuildOptions) {
  return {
    bundle: true,
    platform: 'browser' as const,
    target: ['chrome114', 'firefox115', 'safari16.4'],
    minify: opts.minify ?? true,
    sourcemap: opts.sourcemap ?? false,
    logLevel: opts.logLevel ?? ('warning' as const),
    legalComments: 'none' as const,
    // the gpu.js backends report which kernel class ran (WebGL2Kernel, not a CPU degradation) by its name
    keepNames: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}

/**
 * One more browser module (ESM, with the page's guard and stand-ins), written to `outFile`: the browser
 * tests bundle their harness workers with it (test/web/kernel-harness.ts), next to a built page.
 */
export async function buildBrowserModule(entry: string, outFile: string, opts: BuildOptions = {}): Promise<void> {
  await build({
    ...commonOptions(opts),
    entryPoints: [entry],
    outfile: outFile,
    format: 'esm',
    plugins: [guardPlugin(new Set())],
  });
}

/** True when outDir holds a build (index.html and the page's script). */
export function isBuilt(outDir = DEFAULT_OUT_DIR): boolean {
  return existsSync(join(outDir, 'index.html')) && existsSync(join(outDir, 'app.js'));
}

// `npx tsx web/build.ts [--no-minify] [--out DIR]` (the npm script build:web)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
  buildWeb({ outDir: out, minify: !args.includes('--no-minify'), logLevel: 'warning' }).then(
    (r) => {
      process.stdout.write(
        `built the playground into ${relative(process.cwd(), r.outDir) || '.'} in ${r.ms} ms (${r.files.length} files)\n`,
      );
      if (r.shimmed.length)
        process.stdout.write(`Node-only imports given browser stand-ins:\n  ${r.shimmed.join('\n  ')}\n`);
    },
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
