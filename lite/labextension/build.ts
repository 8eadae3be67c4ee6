// Builds the desktop JupyterLab extension (lite/labextension/) as a prebuilt, federated labextension:
// esbuild compiles src/ (with grammar/ inside, JupyterLab's packages left to the host), then
// @jupyterlab/builder's build-labextension makes the module-federation bundle, offline, from lite/'s install.
// `nabla kernel install` copies dist/nabla-jupyterlab/ into Jupyter's labextensions folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { installLite, liteDir, liteInstalled } from '../build';

const here = dirname(fileURLToPath(import.meta.url));
export const LABEXTENSION_NAME = 'nabla-jupyterlab';
export const LABEXTENSION_DIR = join(here, 'dist', LABEXTENSION_NAME);

/** The packages JupyterLab shares with its extensions (never bundled into this one). */
const HOST_PACKAGES = [
  '@jupyterlab/application',
  '@jupyterlab/codemirror',
  '@jupyterlab/codeeditor',
  '@codemirror/language',
  '@codemirror/state',
  '@codemirror/view',
  '@lezer/common',
  '@lezer/highlight',
  '@lumino/coreutils',
  '@lumino/signaling',
  '@lumino/widgets',
];

export async function buildLabextension(log: (line: string) => void = () => {}): Promise<string> {
  if (!liteInstalled()) installLite(log);
  const { createSession } = await import('../../compiler');
  const builtins = [...createSession({ mime: () => null }).builtins.defs.keys()].sort();
  await build({
    entryPoints: [join(here, 'src', 'index.ts')],
    outfile: join(here, 'dist', 'lib', 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome114', 'firefox115', 'safari16.4'],
    external: HOST_PACKAGES,
    define: { __NABLA_BUILTINS__: JSON.stringify(builtins) },
    logLevel: 'warning',
  });
  // the "core" the builder compares against: JupyterLab 4's shared singletons, at any 4.x / 6.x version
  const core = join(here, 'dist', 'core');
  mkdirSync(core, { recursive: true });
  const dependencies = Object.fromEntries(
    HOST_PACKAGES.map((p) => [
      p,
      p.startsWith('@jupyterlab/')
        ? '^4.0.0'
        : p.startsWith('@lumino/')
          ? '^2.0.0'
          : p.startsWith('@lezer/')
            ? '^1.0.0'
            : '^6.0.0',
    ]),
  );
  writeFileSync(
    join(core, 'package.json'),
    JSON.stringify(
      {
        name: '@jupyterlab/application-top',
        version: '4.0.0',
        private: true,
        dependencies,
        jupyterlab: { singletonPackages: HOST_PACKAGES },
      },
      null,
      2,
    ),
  );
  const builder = join(liteDir, 'node_modules', '@jupyterlab', 'builder', 'lib', 'build-labextension.js');
  if (!existsSync(builder)) throw new Error(`${builder} is missing: run npm ci --prefix lite`);
  execFileSync(process.execPath, [builder, '--core-path', core, here], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: here,
  });
  return LABEXTENSION_DIR;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildLabextension((l) => process.stdout.write(`${l}\n`)).then((d) => process.stdout.write(`built ${d}\n`));
}
