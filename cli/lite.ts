// `nabla lite build [--out DIR]` and `nabla lite serve [--port P] [--out DIR] [--rebuild]`: the JupyterLite
// site (lite/). Its dependencies are lite/'s own install, made on first use (npm ci --prefix lite).
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage:
  nabla lite build [--out DIR]                       build the JupyterLite site (default lite/dist)
  nabla lite serve [--port P] [--out DIR] [--rebuild]  serve it on http://127.0.0.1:P/ (default 8766), building it first if needed
  nabla lite labextension                            build the desktop JupyterLab extension (Nabla highlighting) that 'nabla kernel install' installs`;

export async function lite(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let values: { out?: string; port?: string; rebuild?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { out: { type: 'string' }, port: { type: 'string' }, rebuild: { type: 'boolean' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`nabla lite: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (sub === 'build') {
    if (values.port !== undefined || values.rebuild)
      return (process.stderr.write(`nabla lite build: --port and --rebuild are for 'nabla lite serve'\n`), 2);
    const { buildLite } = await import('../lite/build');
    try {
      const r = await buildLite({ outDir: values.out, log });
      log(
        `built the JupyterLite site into ${relative(process.cwd(), r.outDir) || '.'}: ${r.files} files, ${(r.bytes / 2 ** 20).toFixed(1)} MiB, in ${(r.ms / 1000).toFixed(1)} s`,
      );
      log('publish it by copying that folder to any static host (see lite/README.md)');
      return 0;
    } catch (e) {
      process.stderr.write(`nabla lite build: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (sub === 'labextension') {
    if (values.out !== undefined || values.port !== undefined || values.rebuild)
      return (process.stderr.write('nabla lite labextension: takes no options\n'), 2);
    const { buildLabextension } = await import('../lite/labextension/build');
    try {
      log(
        `built ${relative(process.cwd(), await buildLabextension(log))}; 'npx nabla kernel install' now installs it too`,
      );
      return 0;
    } catch (e) {
      process.stderr.write(`nabla lite labextension: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (sub === 'serve') {
    const { serveLite, DEFAULT_LITE_PORT } = await import('../lite/serve');
    const port = values.port === undefined ? DEFAULT_LITE_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      return (process.stderr.write(`nabla lite serve: --port must be a port number, got ${values.port}\n`), 2);
    try {
      const served = await serveLite({
        port,
        dir: values.out,
        build: values.rebuild ? true : 'auto',
        buildOptions: { log },
      });
      log(`JupyterLab with the Nabla kernel on ${served.url}lab/index.html (Ctrl-C to stop)`);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      process.stderr.write(
        `nabla lite serve: ${err.code === 'EADDRINUSE' ? `port ${port} is in use; pick another with --port` : err.message}\n`,
      );
      return 1;
    }
    await new Promise(() => {}); // serves until the process is stopped
    return 0;
  }
  process.stderr.write(`nabla lite: ${sub ? `unknown subcommand '${sub}'` : 'give a subcommand'}\n${USAGE}\n`);
  return 2;
}
