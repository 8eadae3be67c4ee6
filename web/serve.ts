// `npx nabla serve [--port P]`: the built playground (web/dist/) over HTTP on 127.0.0.1. node:http only;
// builds first when there is no build yet (or when asked to).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { buildWeb, DEFAULT_OUT_DIR, isBuilt } from './build';

export const DEFAULT_PORT = 8765;

/**
 * The Content-Security-Policy sent with every response (errors too): the page's own files and nothing else.
 * Each allowance is one the playground was measured to need (test/web/hardening.test.ts fails on any
 * violation while cells run on every backend; removing either allowance below makes it fail):
 * - script-src 'unsafe-eval': gpu.js (webasm, cpu, webgl2, webgpu) and the js backend's generated loops
 *   build their kernels with `new Function`; it also covers WebAssembly compilation (the SIMD matmul).
 * - style-src 'unsafe-inline': Monaco writes its styles into <style> elements and style attributes, as do
 *   display/'s tensor tables (outputs' style attributes are filtered by web/src/sanitize.ts).
 * - img-src data: blob:: charts are drawn as data: SVG images; exported notebooks are blob: downloads.
 * - worker-src blob:: the float32 matmul's second thread (runtime/backends/js/wasm/gemm-threads.ts) is a
 *   worker the runtime starts from a blob: of its own few lines, so the runtime needs no file of its own on
 *   the server; a blob: URL can only be made by the page's own scripts.
 * The page's workers, fonts, data and the Vega chunk are files of this server ('self'). No inline script, no request
 * to any other origin, no plugins, no frames, no form posts, no <base> rewriting.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response, files and errors alike. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface ServeOptions {
  /** Default 8765; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (the playground is for this machine). */
  host?: string;
  /** The built files; default web/dist. */
  dir?: string;
  /** Build before serving: 'auto' (default) builds when `dir` holds no build, true always, false never. */
  build?: boolean | 'auto';
  /** What counts as built and how to build it; default the playground (the JupyterLite site passes its own). */
  site?: { name: string; isBuilt(dir: string): boolean; build(dir: string): Promise<unknown> };
  /** Called once per request after it is answered (for logs). */
  onRequest?: (method: string, path: string, status: number) => void;
}

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.ipynb': 'application/x-ipynb+json',
  '.nabla': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export async function serve(opts: ServeOptions = {}): Promise<Served> {
  const dir = resolve(opts.dir ?? DEFAULT_OUT_DIR);
  const mode = opts.build ?? 'auto';
  const site = opts.site ?? {
    name: "playground; run 'npm run build:web' first",
    isBuilt,
    build: (outDir: string) => buildWeb({ outDir }),
  };
  if (mode === true || (mode === 'auto' && !site.isBuilt(dir))) await site.build(dir);
  else if (!site.isBuilt(dir)) throw new Error(`serve: ${dir} holds no built ${site.name}`);

  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const status = answer(dir, req, res);
    opts.onRequest?.(req.method ?? 'GET', req.url ?? '/', status);
  });
  // Node answers malformed requests itself (400, 431 for oversized headers): those answers carry the policy too
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const head = Object.entries(SECURITY_HEADERS)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${head}Content-Length: 0\r\n\r\n`,
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function answer(dir: string, req: IncomingMessage, res: ServerResponse): number {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    return send(res, 400, 'bad path\n');
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(dir, path));
  if (file !== dir && !file.startsWith(dir + sep)) return send(res, 403, 'outside the playground\n');
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return send(res, 404, 'not found\n');
    size = st.size;
  } catch {
    return send(res, 404, 'not found\n');
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': 'no-cache',
    // cross-origin isolation: SharedArrayBuffer (gpu.js webasm threads) needs it; everything here is same-origin
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return 200;
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): number {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, ...headers });
  res.end(text);
  return status;
}

// `npx tsx web/serve.ts [--port P] [--build]`: the same as `npx nabla serve` once the CLI is wired
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : DEFAULT_PORT;
  serve({ port, build: args.includes('--build') ? true : 'auto' }).then(
    (s) => {
      process.stdout.write(`Nabla playground: ${s.url}  (Ctrl+C stops it)\n`);
      process.on('SIGINT', () => void s.close().then(() => process.exit(0)));
    },
    (e: Error) => {
      process.stderr.write(`nabla serve: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
