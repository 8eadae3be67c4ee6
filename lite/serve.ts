// `npx nabla lite serve [--port P]`: the JupyterLite site over HTTP on 127.0.0.1, by the playground's own
// server (web/serve.ts), so it gets the same headers: cross-origin isolation (COOP/COEP), which the kernel
// needs for interrupts and input() through shared memory, and whatever else that server sends.
import { serve, type Served } from '../web/serve';
import { buildLite, DEFAULT_LITE_OUT, isLiteBuilt, type LiteBuildOptions } from './build';

export const DEFAULT_LITE_PORT = 8766;

export interface LiteServeOptions {
  port?: number;
  host?: string;
  dir?: string;
  /** 'auto' (default) builds when dir holds no site; true always; false never. */
  build?: boolean | 'auto';
  buildOptions?: Omit<LiteBuildOptions, 'outDir'>;
  onRequest?: (method: string, path: string, status: number) => void;
}

export function serveLite(opts: LiteServeOptions = {}): Promise<Served> {
  return serve({
    port: opts.port ?? DEFAULT_LITE_PORT,
    host: opts.host,
    dir: opts.dir ?? DEFAULT_LITE_OUT,
    build: opts.build ?? 'auto',
    onRequest: opts.onRequest,
    site: {
      name: "JupyterLite site; run 'npx nabla lite build' first",
      isBuilt: isLiteBuilt,
      build: (outDir) => buildLite({ ...opts.buildOptions, outDir }),
    },
  });
}
