import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as nb from '../runtime';
import { parse, renderDiagnostic } from '../grammar';
import { createSession, type Output } from '../compiler';
import { Compiler } from '../compiler/compiler';
import { splitArgs } from './args';

const HELP = `nabla — a small differentiable-programming language

usage:
  nabla run FILE.nabla [--backend B] [--name value ...]   run a script (--name values are read by args("name", default))
  nabla check FILE.nabla ...                               report every syntax and compile error without running
  nabla repl [--backend B]                                 an interactive prompt
  nabla kernel install [--user | --sys-prefix | --prefix DIR]   install the Jupyter kernelspec
  nabla kernel uninstall [...]                             remove it
  nabla kernel --connection-file FILE                      run the Jupyter kernel (Jupyter starts this)
  nabla --version | --help

backends: webgpu, webasm, cpu, js (default: the first that works here; also NABLA_BACKEND=...)`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const stdio: Output = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  display: (b) => void process.stdout.write(String(b['text/plain'] ?? '[display]') + '\n'),
};

function readSource(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`nabla: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return null;
  }
}

function selectBackend(name: unknown): boolean {
  if (typeof name !== 'string') return true;
  try {
    nb.setBackend(name);
    return true;
  } catch (e) {
    process.stderr.write(`nabla: ${(e as Error).message}\n`);
    return false;
  }
}

function run(file: string, scriptArgs: Map<string, string>): number {
  const source = readSource(file);
  if (source === null) return 1;
  const session = createSession({ scriptArgs });
  const r = session.run(source, stdio, { file });
  if (!r.ok) {
    process.stderr.write(r.traceback.join('\n') + '\n');
    return 1;
  }
  return 0;
}

/** Every error a file has, without running it: syntax errors, then compile errors. */
function check(files: string[]): number {
  let failed = 0;
  for (const file of files) {
    const source = readSource(file);
    if (source === null) {
      failed++;
      continue;
    }
    const { program, diagnostics } = parse(source, file);
    const msgs = diagnostics.map((d) => renderDiagnostic(d, source, file));
    if (program && !diagnostics.length) {
      const session = createSession();
      const c = new Compiler({ globals: session.globals, builtin: (n) => session.builtins.values.get(n), builtinNames: () => [...session.builtins.values.keys()], out: () => stdio, explain: () => {} }, file, source);
      c.compileProgram(program);
      msgs.push(...c.diagnostics.map((d) => renderDiagnostic({ message: d.message, span: d.node.span, severity: 'error' }, source, file)));
    }
    if (msgs.length) {
      failed++;
      process.stderr.write(msgs.join('\n') + '\n');
    } else process.stdout.write(`${file}: ok\n`);
  }
  return failed ? 1 : 0;
}

async function repl(): Promise<number> {
  const session = createSession();
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '∇> ' });
  process.stdout.write(`Nabla ${version()} on ${nb.backendReport().chosen}. Ctrl-D to leave.\n`);
  let buffer = '';
  rl.prompt();
  for await (const line of rl) {
    buffer += (buffer ? '\n' : '') + line;
    const { status, indent } = session.isComplete(buffer);
    if (status === 'incomplete') {
      rl.setPrompt('.. ' + indent);
      rl.prompt();
      continue;
    }
    if (buffer.trim()) {
      const r = session.run(buffer, stdio);
      if (r.ok && r.value) process.stdout.write(String(r.value['text/plain']) + '\n');
      if (!r.ok) process.stderr.write(r.traceback.join('\n') + '\n');
    }
    buffer = '';
    rl.setPrompt('∇> ');
    rl.prompt();
  }
  return 0;
}

async function kernel(argv: string[]): Promise<number> {
  const k = await import('../kernel/index');
  const sub = argv[0];
  if (sub === 'install' || sub === 'uninstall') {
    const opts = { user: argv.includes('--user'), sysPrefix: argv.includes('--sys-prefix'), prefix: argv.includes('--prefix') ? argv[argv.indexOf('--prefix') + 1] : undefined };
    const where = sub === 'install' ? await k.installKernelspec(opts) : await k.uninstallKernelspec(opts);
    process.stdout.write(`${sub === 'install' ? 'installed' : 'removed'} the Nabla kernelspec${where ? ` (${where})` : ''}\n`);
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

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'kernel') return kernel(rest);
  let parsed;
  try {
    parsed = splitArgs(argv);
  } catch (e) {
    process.stderr.write(`nabla: ${(e as Error).message}\n${HELP}\n`);
    return 2;
  }
  const { positionals, options, scriptArgs } = parsed;
  if (options.version) return process.stdout.write(`nabla ${version()}\n`), 0;
  if (options.help || !positionals.length) return process.stdout.write(HELP + '\n'), options.help ? 0 : 2;
  if (!selectBackend(options.backend)) return 1;
  const [command, ...files] = positionals;
  switch (command) {
    case 'run':
      if (files.length !== 1) return process.stderr.write('nabla run: give one FILE.nabla\n'), 2;
      return run(files[0], scriptArgs);
    case 'check':
      if (!files.length) return process.stderr.write('nabla check: give at least one file\n'), 2;
      return check(files);
    case 'repl':
      return repl();
    default:
      process.stderr.write(`nabla: unknown command '${command}'\n${HELP}\n`);
      return 2;
  }
}
