import { NablaError } from '../errors';

/**
 * Graphviz compiled to WebAssembly (@viz-js/viz, which bundles its wasm: nothing is downloaded or installed
 * on the system). Its instance is made asynchronously, while a cell runs synchronously, so front ends call
 * loadGraphviz() at start-up (importing this module starts it too); until it has resolved, Node renders in a
 * short-lived child process (the CLI, whose script runs before any await), and a browser says to retry.
 */
interface Viz {
  renderString(src: string, options: { format: string; engine?: string }): string;
}

let viz: Viz | null = null;
let loading: Promise<void> | null = null;

export function loadGraphviz(): Promise<void> {
  loading ??= import('@viz-js/viz')
    .then((m) => m.instance())
    .then((v) => {
      viz = v;
    });
  return loading;
}

export const graphvizLoaded = () => viz !== null;

/** DOT → SVG text, synchronously. */
export function renderSvg(dot: string): string {
  if (viz) return viz.renderString(dot, { format: 'svg' });
  void loadGraphviz().catch(() => {});
  const svg = renderInChildProcess(dot);
  if (svg !== null) return svg;
  throw new NablaError(
    'graph: Graphviz (WebAssembly) is still loading; run the cell again in a moment',
    'graph',
    'ValueError',
  );
}

type NodeProcess = { getBuiltinModule?: (id: string) => any; execPath: string };

export function renderInChildProcess(dot: string): string | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const cp = proc?.getBuiltinModule?.('node:child_process');
  const mod = proc?.getBuiltinModule?.('node:module');
  if (!cp || !mod) return null;
  const entry: string = mod.createRequire(import.meta.url).resolve('@viz-js/viz');
  const script = `const { instance } = require(${JSON.stringify(entry)}); let s = ''; process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => (s += d)).on('end', () => instance().then((v) => process.stdout.write(v.renderString(s, { format: 'svg' }))));`;
  return cp.execFileSync(proc!.execPath, ['-e', script], { input: dot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
