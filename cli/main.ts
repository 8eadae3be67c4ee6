import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Output } from '../compiler/session';
import { splitArgs } from './args';

// The language loads on demand (openSession in run, the grammar and compiler in check): `nabla kernel` runs it
// in a worker thread and must start fast without it.
const runtime = () => import('../runtime');

const HELP = `nabla — a small differentiable-programming language

usage:
  nabla run FILE.nabla [--backend B] [--name value ...]   run a script (--name values are read by args("name", default))
      --explain-compile                                    then list which loops compiled themselves and why the others did not
  nabla check FILE.nabla ...                               report every syntax and compile error without running
  nabla repl [--backend B]                                 an interactive prompt
  nabla kernel install [--user | --sys-prefix | --prefix DIR]   install the Jupyter kernelspec
  nabla kernel uninstall [...]                             remove it
  nabla kernel --connection-file FILE                      run the Jupyter kernel (Jupyter starts this)
  nabla serve [--port P]                                   the browser playground on http://127.0.0.1:P/ (default 8765)
  nabla lite build [--out DIR]                             JupyterLab in the browser with the Nabla kernel: a static JupyterLite site
  nabla lite serve [--port P] [--out DIR] [--rebuild]      serve it on http://127.0.0.1:P/ (default 8766), building it if needed
  nabla lite labextension                                  build the desktop JupyterLab extension that 'nabla kernel install' then installs
  nabla --version | --help

backends: webgpu, webgl2 (browsers), webasm, cpu, js (default: the first that works here; also NABLA_BACKEND=...)`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * A terminal shows text/plain. Displays updated in place (progress bars) go to stderr, so a script's results
 * redirected to a file stay clean; on a TTY they redraw their line, in a pipe or a log file they print every
 * few seconds and once when finished, so logs stay short.
 */
function terminalOutput(): Output {
  const tty = process.stderr.isTTY;
  let openLine = false; // a TTY progress line is drawn on stderr without its newline
  const lastPrinted = new Map<string, number>();
  const endLine = () => {
    if (openLine) process.stderr.write('\n');
    openLine = false;
  };
  return {
    stdout: (t) => (endLine(), void process.stdout.write(t)),
    stderr: (t) => (endLine(), void process.stderr.write(t)),
    display: (b, o = {}) => {
      const text = String(b['text/plain'] ?? '[display]');
      if (!o.displayId) return (endLine(), void process.stdout.write(text + '\n'));
      if (tty) {
        process.stderr.write((o.update ? '\r\x1b[2K' : (endLine(), '')) + text + (o.final ? '\n' : ''));
        openLine = !o.final;
        return;
      }
      const now = Date.now();
      if (o.update && !o.final && now - (lastPrinted.get(o.displayId) ?? 0) < 5000) return;
      lastPrinted.set(o.displayId, now);
      process.stderr.write(text + '\n');
    },
  };
}

const stdio = terminalOutput();

/** Sources larger than this are refused before reading (a 600k-line program is about 20 MB). */
export const MAX_SOURCE_BYTES = 64 * 2 ** 20;

/**
 * The text of a source file, or null after saying why not. Only regular files are read (a device like
 * /dev/zero never ends, a FIFO waits for a writer), up to MAX_SOURCE_BYTES; the file is opened without
 * blocking and checked through the same descriptor that is read.
 */
function readSource(file: string): string | null {
  const fail = (why: string) => (process.stderr.write(`nabla: cannot read ${file}: ${why}\n`), null);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      return fail(
        `it is not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a socket or other special file'}); give a .nabla source file`,
      );
    if (st.size > MAX_SOURCE_BYTES)
      return fail(
        `it is ${(st.size / 2 ** 20).toFixed(1)} MB; sources larger than ${MAX_SOURCE_BYTES / 2 ** 20} MB are refused`,
      );
    return readFileSync(fd, 'utf8');
  } catch (e) {
    return fail((e as Error).message);
  } finally {
    closeSync(fd);
  }
}

async function selectBackend(name: unknown): Promise<boolean> {
  if (typeof name !== 'string') return true;
  try {
    (await runtime()).setBackend(name);
    return true;
  } catch (e) {
    process.stderr.write(`nabla: ${(e as Error).message}\n`);
    return false;
  }
}

async function run(
  file: string,
  scriptArgs: Map<string, string>,
  backend: unknown,
  explainCompile = false,
): Promise<number> {
  const { openSession } = await import('../compiler');
  let opened;
  try {
    // the backend first (a bad one is refused before the file is read); plot() and graph() load what they draw with
    opened = openSession({ scriptArgs, out: stdio, backend: typeof backend === 'string' ? backend : undefined });
  } catch (e) {
    process.stderr.write(`nabla: ${(e as Error).message}\n`);
    return 1;
  }
  const source = readSource(file);
  if (source === null) return 1;
  const session = opened.session;
  const r = await opened.run(source, stdio, { file });
  // which loops compiled themselves, and why the others did not (on stderr, after the script's own output)
  if (explainCompile) process.stderr.write(session.compileReport() + '\n');
  if (!r.ok) {
    process.stderr.write(r.traceback.join('\n') + '\n');
    return 1;
  }
  return 0;
}

/** Every error a file has, without running it: syntax, then names, calls, keywords and control flow (compiler/check). */
async function check(files: string[]): Promise<number> {
  const [{ shaped }, { createSession }, { renderAll }] = await Promise.all([
    import('../grammar'),
    import('../compiler'),
    import('../diagnostic'),
  ]);
  const { checkSource } = await import('../compiler/check');
  const builtins = createSession().builtins;
  let failed = 0;
  for (const file of files) {
    const source = readSource(file);
    if (source === null) {
      failed++;
      continue;
    }
    const found = checkSource(source, file, builtins);
    if (found.length) {
      failed++;
      process.stderr.write(
        renderAll(
          found.map((d) => shaped(d, file)),
          () => source,
        ).join('\n') + '\n',
      );
      process.stderr.write(
        `${file}: ${found.length} problem${found.length === 1 ? '' : 's'} found without running it\n`,
      );
    } else process.stdout.write(`${file}: ok\n`);
  }
  return failed ? 1 : 0;
}

async function repl(backend: unknown): Promise<number> {
  // the session runs in a worker (cli/repl.ts), which chooses its backend from the environment
  if (typeof backend === 'string') process.env.NABLA_BACKEND = backend;
  const nb = await runtime();
  const { repl: prompt } = await import('./repl');
  return prompt(stdio, `Nabla ${version()} on ${nb.backendReport().chosen}.`);
}

async function kernel(argv: string[]): Promise<number> {
  const k = await import('../kernel/index');
  const sub = argv[0];
  if (sub === 'install' || sub === 'uninstall') {
    const opts = {
      user: argv.includes('--user'),
      sysPrefix: argv.includes('--sys-prefix'),
      prefix: argv.includes('--prefix') ? argv[argv.indexOf('--prefix') + 1] : undefined,
    };
    const where = sub === 'install' ? await k.installKernelspec(opts) : await k.uninstallKernelspec(opts);
    process.stdout.write(
      `${sub === 'install' ? 'installed' : 'removed'} the Nabla kernelspec${where ? ` (${where})` : ''}\n`,
    );
    const lab = await import('../kernel/labextension');
    const ext = sub === 'install' ? lab.installLabextension(opts) : lab.uninstallLabextension(opts);
    if (ext)
      process.stdout.write(
        `${sub === 'install' ? 'installed' : 'removed'} the JupyterLab extension that highlights Nabla (${ext})\n`,
      );
    else if (sub === 'install')
      process.stdout.write(
        "(for Nabla's own highlighting in desktop JupyterLab, run 'npx nabla lite labextension' first, then install again)\n",
      );
    return 0;
  }
  const i = argv.indexOf('--connection-file');
  if (i < 0 || !argv[i + 1]) {
    process.stderr.write('nabla kernel: give --connection-file FILE (Jupyter passes it), or install / uninstall\n');
    return 2;
  }
  await k.startKernel(argv[i + 1]);
  return 0;
}

async function serveWeb(port: unknown): Promise<number> {
  const { serve, DEFAULT_PORT } = await import('../web/serve');
  const p = port === undefined ? DEFAULT_PORT : Number(port);
  if (!Number.isInteger(p) || p < 0 || p > 65535)
    return (process.stderr.write(`nabla serve: --port must be a port number, got ${String(port)}\n`), 2);
  try {
    const served = await serve({ port: p });
    process.stdout.write(`Nabla playground on ${served.url} (Ctrl-C to stop)\n`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(
      `nabla serve: ${err.code === 'EADDRINUSE' ? `port ${p} is in use; pick another with --port` : err.message}\n`,
    );
    return 1;
  }
  await new Promise(() => {}); // serves until the process is stopped
  return 0;
}

/** `nabla run f.nabla | head`: the reader closed the pipe, so there is no one left to write to; stop quietly. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  quietOnClosedPipe();
  if (cmd === 'kernel') return kernel(rest);
  if (cmd === 'lite') return (await import('./lite')).lite(rest);
  let parsed;
  try {
    parsed = splitArgs(argv);
  } catch (e) {
    process.stderr.write(`nabla: ${(e as Error).message}\n${HELP}\n`);
    return 2;
  }
  const { positionals, options, scriptArgs } = parsed;
  if (options.version) return (process.stdout.write(`nabla ${version()}\n`), 0);
  if (options.help || !positionals.length) return (process.stdout.write(HELP + '\n'), options.help ? 0 : 2);
  const [command, ...files] = positionals;
  // `run` opens its session on the backend (compiler/open-session.ts); the others only check the name here
  if (command !== 'run' && !(await selectBackend(options.backend))) return 1;
  switch (command) {
    case 'run':
      if (files.length !== 1) return (process.stderr.write('nabla run: give one FILE.nabla\n'), 2);
      return run(files[0], scriptArgs, options.backend, !!options['explain-compile']);
    case 'serve':
      return serveWeb(scriptArgs.get('port'));
    case 'check':
      if (!files.length) return (process.stderr.write('nabla check: give at least one file\n'), 2);
      return check(files);
    case 'repl':
      return repl(options.backend);
    default:
      process.stderr.write(`nabla: unknown command '${command}'\n${HELP}\n`);
      return 2;
  }
}
