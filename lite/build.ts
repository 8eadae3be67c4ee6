// `npx nabla lite build [--out DIR]`: the JupyterLite site, a static JupyterLab with the Nabla kernel, built
// from npm packages alone (lite/package.json, its own install) with esbuild — no Python, no module
// federation. What `jupyter lite build` would add is written here: the settings schemas, the themes, the
// translations listing, the file browser's contents (notebooks/), the third-party licenses, the pages.
// Every file name under build/ carries a content hash, so a host may cache them for ever; the pages and the
// JSON listings keep their names (they are what changes).
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { logoPng } from '../kernel/logo';
import { commonOptions, guardPlugin } from '../web/build';
import { contentsListings } from './contents';
import { licensesOf } from './licenses';
import { labPage, rootPage, siteConfig } from './pages';

export const liteDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(liteDir, '..');
export const DEFAULT_LITE_OUT = join(liteDir, 'dist');
/** Written into the output folder so that a rebuild only ever deletes a folder it made. */
const MARKER = '.nabla-lite-build';

interface LitePackage {
  version: string;
  dependencies: Record<string, string>;
  jupyterlab: { extensions: string[]; mimeExtensions: string[]; disabledExtensions: string[] };
}

export interface LiteBuildOptions {
  outDir?: string;
  /** The folder shown in the file browser; default notebooks/. */
  contentsDir?: string;
  minify?: boolean;
  /** Progress lines (the CLI prints them); silent by default. */
  log?: (line: string) => void;
}

export interface LiteBuildResult {
  outDir: string;
  files: number;
  bytes: number;
  ms: number;
}

/** True when lite/node_modules holds the lite app's dependencies. */
export function liteInstalled(): boolean {
  return existsSync(join(liteDir, 'node_modules', '@jupyterlab', 'application', 'package.json'));
}

/** `npm ci --prefix lite`: the lite app's own install, from its lock file. */
export function installLite(log: (line: string) => void = () => {}): void {
  log("installing the lite app's dependencies (npm ci --prefix lite) …");
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--prefix', liteDir, '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** True when outDir holds a built site. */
export function isLiteBuilt(outDir = DEFAULT_LITE_OUT): boolean {
  return existsSync(join(outDir, MARKER)) && existsSync(join(outDir, 'lab', 'index.html'));
}

export async function buildLite(opts: LiteBuildOptions = {}): Promise<LiteBuildResult> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  if (!liteInstalled()) installLite(log);
  const outDir = resolve(opts.outDir ?? DEFAULT_LITE_OUT);
  prepareOut(outDir);
  const pkg = JSON.parse(readFileSync(join(liteDir, 'package.json'), 'utf8')) as LitePackage;
  const nablaVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const minify = opts.minify ?? true;
  const buildDir = join(outDir, 'build');

  log('bundling the session workers …');
  const workers = await build({
    ...commonOptions({ minify }),
    absWorkingDir: root,
    entryPoints: {
      'session.worker': join(root, 'web', 'src', 'session.worker.ts'),
      'gpu.worker': join(root, 'web', 'src', 'gpu.worker.ts'),
    },
    outdir: buildDir,
    format: 'esm',
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [guardPlugin(new Set())],
    metafile: true,
  });
  const workerFile = (entry: string) => outputFor(workers.metafile, entry, buildDir);

  writeLogos(buildDir);
  const site = {
    sessionWorker: './' + workerFile('web/src/session.worker.ts'),
    gpuWorker: './' + workerFile('web/src/gpu.worker.ts'),
    builtins: await builtinNames(),
    version: nablaVersion,
    logo32: './logos/nabla-32x32.png',
    logo64: './logos/nabla-64x64.png',
  };

  log('bundling JupyterLab and the Nabla plugins …');
  const app = await build({
    ...commonOptions({ minify }),
    absWorkingDir: root,
    entryPoints: { index: join(liteDir, 'src', 'index.ts') },
    outdir: buildDir,
    format: 'esm',
    splitting: true,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    loader: ASSET_LOADERS,
    nodePaths: [join(liteDir, 'node_modules')],
    // __dirname: mathjax-full names it on a path webpack gives '/' (as upstream's build does)
    define: {
      ...commonOptions({}).define,
      __NABLA_SITE__: JSON.stringify(site),
      global: 'globalThis',
      __dirname: '"/"',
    },
    // Nabla's code in this bundle (grammar/, web/src/session-client.ts) is browser-safe; the workers above
    // carry the compiler and runtime, under the playground's guard
    plugins: [pluginsModule(pkg), singleYjsPlugin, tildePlugin, svgPlugin, nodeFallbackPlugin],
    metafile: true,
  });
  const appJs = outputFor(app.metafile, 'lite/src/index.ts', buildDir);
  const appCss = Object.entries(app.metafile.outputs).find(([, o]) => o.entryPoint === 'lite/src/index.ts')?.[1]
    .cssBundle;

  log('themes, settings schemas, translations, contents, licenses …');
  await buildThemes(pkg, buildDir, minify);
  writeJson(join(buildDir, 'schemas', 'all.json'), schemasOf(pkg));
  writeJson(join(buildDir, 'schemas', 'all_federated.json'), []);
  writeJson(join(outDir, 'api', 'translations', 'all.json'), {
    data: { en: { displayName: 'English', nativeName: 'English' } },
    message: '',
  });
  writeJson(join(outDir, 'api', 'translations', 'en.json'), { data: {}, message: '' });
  const contents = contentsListings(resolve(opts.contentsDir ?? join(root, 'notebooks')));
  for (const [path, listing] of contents.listings)
    writeJson(join(outDir, 'api', 'contents', ...path.split('/').filter(Boolean), 'all.json'), listing);
  for (const [path, source] of contents.files) {
    mkdirSync(dirname(join(outDir, 'files', path)), { recursive: true });
    copyFileSync(source, join(outDir, 'files', path));
  }
  const inputs = [...Object.keys(app.metafile.inputs), ...Object.keys(workers.metafile.inputs)];
  writeJson(join(buildDir, 'third-party-licenses.json'), licensesOf(inputs.map((i) => resolve(root, i))));

  const rel = (f: string) => relative(outDir, join(buildDir, f)).split(sep).join('/');
  writeJson(join(outDir, 'jupyter-lite.json'), siteConfig(nablaVersion));
  writeFileSync(join(outDir, 'index.html'), rootPage());
  mkdirSync(join(outDir, 'lab'), { recursive: true });
  writeFileSync(
    join(outDir, 'lab', 'index.html'),
    labPage({
      script: `../${rel(appJs)}`,
      css: appCss ? `../${relative(outDir, resolve(root, appCss)).split(sep).join('/')}` : null,
    }),
  );
  copyFileSync(join(liteDir, 'src', 'config-loader.js'), join(outDir, 'config-loader.js'));

  const all = walk(outDir);
  return {
    outDir,
    files: all.length,
    bytes: all.reduce((s, f) => s + statSync(join(outDir, f)).size, 0),
    ms: Math.round(performance.now() - t0),
  };
}

function prepareOut(outDir: string): void {
  if (existsSync(outDir)) {
    if (readdirSync(outDir).length > 0 && !existsSync(join(outDir, MARKER))) {
      throw new Error(
        `${outDir} exists and was not made by 'nabla lite build'; refusing to empty it (choose another --out)`,
      );
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, MARKER), "made by 'nabla lite build'; deleted and rewritten by each build\n");
}

/** The output file (relative to dir) of an entry point, by its input path relative to the repository. */
function outputFor(meta: Metafile, entry: string, dir: string): string {
  const found = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === entry);
  if (!found)
    throw new Error(
      `the build made no output for ${entry} (outputs: ${Object.values(meta.outputs)
        .map((o) => o.entryPoint)
        .filter(Boolean)
        .join(', ')})`,
    );
  return relative(dir, resolve(root, found[0])).split(sep).join('/');
}

const ASSET_LOADERS = {
  '.woff': 'file',
  '.woff2': 'file',
  '.ttf': 'file',
  '.eot': 'file',
  '.png': 'file',
  '.gif': 'file',
  '.jpg': 'file',
  '.md': 'text',
} as const;

/**
 * SVG files: JupyterLab's icons import them as text (webpack's raw loader upstream), while CSS url()s want a
 * file; the import kind decides which.
 */
const svgPlugin: Plugin = {
  name: 'nabla-lite-svg',
  setup(b) {
    b.onResolve({ filter: /\.svg([?#].*)?$/ }, (args) => {
      if (args.path.startsWith('~')) return undefined; // tildePlugin resolves it, then comes back here
      const path = resolve(args.resolveDir, args.path.replace(/[?#].*$/, ''));
      return args.kind === 'url-token' ? { path, namespace: 'svg-url' } : { path, namespace: 'svg-text' };
    });
    b.onLoad({ filter: /.*/, namespace: 'svg-url' }, (args) => ({
      contents: readFileSync(args.path),
      loader: 'dataurl',
    }));
    b.onLoad({ filter: /.*/, namespace: 'svg-text' }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

/** `~package/file` in JupyterLab's stylesheets (webpack's css-loader convention): a file of that package. */
const tildePlugin: Plugin = {
  name: 'nabla-lite-tilde',
  setup(b) {
    b.onResolve({ filter: /^~/ }, (args) =>
      b.resolve(args.path.slice(1), { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer }),
    );
  },
};

/**
 * Node built-ins that JupyterLab's packages name on paths a browser never takes (PageConfig's command line):
 * 'path' gets path-browserify, as upstream's webpack configuration gives it; the rest an empty module.
 */
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const nodeFallbackPlugin: Plugin = {
  name: 'nabla-lite-node-fallback',
  setup(b) {
    b.onResolve({ filter: /^[a-z:_]+$/ }, (args) => {
      if (!NODE_BUILTINS.has(args.path) || !args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
      if (args.path.replace(/^node:/, '') === 'path')
        return b.resolve('path-browserify', { kind: args.kind, resolveDir: liteDir });
      return { path: args.path, namespace: 'node-empty' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * yjs and lib0 ship an ES module and a CommonJS build; a bundle holding both has two Y.Doc classes (yjs warns
 * "Not same Y.Doc" and edits fail). Every require() of them gets the ES module, as import does.
 */
const singleYjsPlugin: Plugin = {
  name: 'nabla-lite-single-yjs',
  setup(b) {
    b.onResolve({ filter: /^(yjs|lib0)(\/.*)?$/ }, (args) =>
      args.kind === 'require-call'
        ? b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, importer: args.importer })
        : undefined,
    );
  },
};

/** The virtual module 'nabla-lite:plugins': every extension of lite/package.json imported, with its styles. */
function pluginsModule(pkg: LitePackage): Plugin {
  const require = createRequire(join(liteDir, 'package.json'));
  const styleOf = (name: string): string | null => {
    const p = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
      styleModule?: string;
      style?: string;
    };
    return p.styleModule ? `${name}/${p.styleModule}` : p.style ? `${name}/${p.style}` : null;
  };
  const lines: string[] = [];
  const { extensions, mimeExtensions, disabledExtensions } = pkg.jupyterlab;
  for (const name of [...extensions, ...mimeExtensions]) {
    const style = styleOf(name);
    if (style) lines.push(`import ${JSON.stringify(style)};`);
  }
  lines.push(`import ${JSON.stringify('@jupyterlite/services/style/index.js')};`);
  extensions.forEach((n, i) => lines.push(`import * as e${i} from ${JSON.stringify(n)};`));
  mimeExtensions.forEach((n, i) => lines.push(`import * as m${i} from ${JSON.stringify(n)};`));
  lines.push(`export const extensions = [${extensions.map((_, i) => `e${i}`).join(', ')}];`);
  lines.push(`export const mimeExtensions = [${mimeExtensions.map((_, i) => `m${i}`).join(', ')}];`);
  lines.push(`export const disabled = ${JSON.stringify(disabledExtensions)};`);
  const contents = lines.join('\n');
  return {
    name: 'nabla-lite-plugins',
    setup(b) {
      b.onResolve({ filter: /^nabla-lite:plugins$/ }, () => ({ path: 'plugins', namespace: 'nabla-lite' }));
      b.onLoad({ filter: /.*/, namespace: 'nabla-lite' }, () => ({ contents, resolveDir: liteDir, loader: 'js' }));
    },
  };
}

/** Each theme extension's stylesheet, where the theme manager loads it: build/themes/<package>/index.css. */
async function buildThemes(pkg: LitePackage, buildDir: string, minify: boolean): Promise<void> {
  const require = createRequire(join(liteDir, 'package.json'));
  for (const name of pkg.jupyterlab.extensions) {
    const pj = require.resolve(`${name}/package.json`);
    const themePath = (JSON.parse(readFileSync(pj, 'utf8')) as { jupyterlab?: { themePath?: string } }).jupyterlab
      ?.themePath;
    if (!themePath) continue;
    await build({
      entryPoints: { index: join(dirname(pj), themePath) },
      bundle: true,
      minify,
      outdir: join(buildDir, 'themes', ...name.split('/')),
      assetNames: '[name]-[hash]',
      loader: ASSET_LOADERS,
      plugins: [tildePlugin, svgPlugin],
      logLevel: 'warning',
    });
  }
}

/** build/schemas/all.json: every extension's settings schemas, as the in-browser settings manager reads them. */
function schemasOf(pkg: LitePackage): unknown[] {
  const require = createRequire(join(liteDir, 'package.json'));
  const out: unknown[] = [];
  for (const name of [...pkg.jupyterlab.extensions, ...pkg.jupyterlab.mimeExtensions]) {
    const pj = require.resolve(`${name}/package.json`);
    const meta = JSON.parse(readFileSync(pj, 'utf8')) as { version: string; jupyterlab?: { schemaDir?: string } };
    const schemaDir = meta.jupyterlab?.schemaDir;
    if (!schemaDir) continue;
    const dir = join(dirname(pj), schemaDir);
    if (!existsSync(dir)) continue; // declared but not published (@jupyterlite/apputils-extension 0.8)
    for (const f of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const schema = JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
      out.push({ id: `${name}:${f.replace(/\.json$/, '')}`, raw: '{}', schema, settings: {}, version: meta.version });
    }
  }
  return out;
}

/** The kernel's logo (the ∇ of kernel/logo.ts), as the Jupyter kernelspec carries it. */
function writeLogos(buildDir: string): void {
  mkdirSync(join(buildDir, 'logos'), { recursive: true });
  for (const size of [32, 64]) writeFileSync(join(buildDir, 'logos', `nabla-${size}x${size}.png`), logoPng(size));
}

/** The builtin table's names, for highlighting (the page's bundle does not carry the compiler). */
async function builtinNames(): Promise<string[]> {
  const { createSession } = await import('../compiler');
  return [...createSession({ mime: () => null }).builtins.defs.keys()].sort();
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value) + '\n');
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}
