// Loads the CLI (cli/main.ts) as one JavaScript file that esbuild bundled from the TypeScript sources, kept in
// node_modules/.cache/nabla/ and rebuilt whenever a source it was built from changed (a manifest lists them with
// their sizes and modification times). Loading ~400 modules through tsx's loader hooks cost ~2.5 s of CPU at
// every start; the bundle loads in a fraction of that, which is most of a short script's run (`nabla run`, the
// kernel). Packages stay outside the bundle (Node loads them from node_modules as before), and each source's
// `import.meta.url` is replaced by that source's own URL, so paths it computes from it (workers, package.json)
// are what they were. Anything that goes wrong here, or NABLA_BUNDLE=0, means tsx, as before.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'cli', 'main.ts');
const cacheDir = join(root, 'node_modules', '.cache', 'nabla');
const outfile = join(cacheDir, 'cli.mjs');
const manifestFile = join(cacheDir, 'cli.json');

/** [path, size, mtimeMs] of a file, or null when it is gone. */
function stamp(path) {
  try {
    const s = statSync(path);
    return [path, s.size, s.mtimeMs];
  } catch {
    return null;
  }
}

/** Whether the bundle on disk was built from exactly the sources there now. */
function fresh() {
  try {
    const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
    // a manifest that does not list the entry was not built from these sources (an empty list is fresh for nothing)
    if (m.entry !== entry || !Array.isArray(m.inputs) || !m.inputs.some(([path]) => path === entry)) return false;
    return m.inputs.every(([path, size, mtime]) => {
      const s = stamp(path);
      return s !== null && s[1] === size && s[2] === mtime;
    });
  } catch {
    return false;
  }
}

// each source's import.meta.url as that source's own file URL (a bundle has one URL for all of them)
const ownUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

async function build() {
  const esbuild = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // written beside and renamed, so a process starting meanwhile sees the old bundle or the new one, never half
  const tmp = `${outfile}.${process.pid}.tmp`;
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: tmp,
    // the metafile names inputs relative to this, not to the cwd of whichever process happens to build
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    plugins: [ownUrl],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => stamp(resolve(root, p)))
    .filter((s) => s !== null);
  renameSync(tmp, outfile);
  const tmpManifest = `${manifestFile}.${process.pid}.tmp`;
  writeFileSync(tmpManifest, JSON.stringify({ entry, inputs }));
  renameSync(tmpManifest, manifestFile);
}

/** The CLI module: from the bundle where it can be had, else through tsx. */
export async function loadCli() {
  if (process.env.NABLA_BUNDLE !== '0') {
    try {
      if (!fresh()) await build();
      return await import(pathToFileURL(outfile).href);
    } catch {
      // (a read-only install, an esbuild that will not run here: tsx below does what the bundle would)
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(entry).href);
}
