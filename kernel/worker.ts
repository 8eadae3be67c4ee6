import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
// runtime/mode.ts imports nothing, so this cannot fail; the language, the runtime and display/ are loaded in
// loadSession, where a failure becomes a message for the user instead of a worker that cannot start
import { Interrupted, mode } from '../runtime/mode';
import type { KernelOutput, MimeBundle, RunResult, Session, SessionFactory } from './types';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol';
import { readStdin } from '../compiler/stdin-channel';
// imports nothing either: errors take the one shape even when the language could not be loaded
import { carried, failed, placeless, Reported } from '../diagnostic';

/**
 * The worker thread that holds the Session. `Session.run` is synchronous and may loop for minutes; running
 * it here leaves the kernel's main thread free to stream output and to hear interrupts. An interrupt is a
 * run id written into shared memory: `mode.checkInterrupt`, which the compiler calls at loop back-edges and
 * the runtime at every op, throws `Interrupted` when it sees the id of the run in progress (an id, not a
 * flag, so an interrupt that lands just after a cell finished cannot stop the next one).
 */
const data = workerData as WorkerData;
const port = parentPort!;
const flag = new Int32Array(data.interrupt);
let running = 0;

mode.checkInterrupt = () => {
  if (running !== 0 && Atomics.compareExchange(flag, 0, running, 0) === running) throw new Interrupted();
};

const post = (m: FromWorker) => port.postMessage(m);

/** A mistake the user can fix (input() where the front end gives none), in the one error shape. */
const userError = (message: string): Error => new Reported(placeless('ValueError', message));

/**
 * Blocks the cell until the main thread writes the front end's answer (state 1) or declines (state 2), in
 * short waits so an interrupt still stops it.
 */
function readInput(id: number, prompt: string, password: boolean, allowed: boolean): string {
  if (!allowed) {
    throw userError('input: this front end does not accept input (its execute request has allow_stdin false)');
  }
  const text = readStdin(
    data.stdin,
    () => post({ op: 'input', id, prompt, password }),
    () => mode.checkInterrupt?.(),
  );
  if (text === null) throw userError('input: the front end did not answer');
  return text;
}

async function run(language: Language, m: Extract<ToWorker, { op: 'run' }>): Promise<RunResult> {
  const id = m.id;
  const out: KernelOutput = {
    stdout: (text) => post({ op: 'stdout', id, text: String(text) }),
    stderr: (text) => post({ op: 'stderr', id, text: String(text) }),
    display: (bundle, o = {}) => post({ op: 'display', id, bundle, displayId: o.displayId, update: !!o.update }),
    clearOutput: (wait = false) => post({ op: 'clear', id, wait }),
    input: (prompt, o) => readInput(id, String(prompt ?? ''), !!o?.password, m.stdin),
  };
  running = id;
  try {
    return await language.run(m.code, out, { file: m.file });
  } catch (e) {
    // a Session should return errors as data; anything that escapes still must not end the worker
    const err = e as Error;
    return failed([carried(e) ?? placeless(err?.name ?? 'Error', String(err?.message ?? e))]);
  } finally {
    running = 0;
    Atomics.compareExchange(flag, 0, id, 0);
  }
}

/** Stands in for the language when its module cannot be loaded, so the kernel still starts and says why. */
function unavailableSession(reason: string): Session {
  const error = failed([placeless('KernelSetupError', reason)]);
  return {
    run: () => error,
    complete: (_code, cursor) => ({ matches: [], start: cursor, end: cursor }),
    inspect: () => ({ found: false, data: {} }),
    isComplete: () => ({ status: 'unknown' as 'complete', indent: '' }),
  };
}

/** The Session, and how a run reaches it (the language's openSession loads what a program draws with first). */
interface Language {
  session: Session;
  run(code: string, out: KernelOutput, opts: { file?: string }): Promise<RunResult> | RunResult;
}

/** A session module: the language's (compiler/index.ts exports openSession) or a test's fake (createSession only). */
interface SessionModule {
  openSession?: (opts: { mime: (v: unknown) => MimeBundle | null; checkBeforeRun?: boolean }) => {
    session: Session;
    run: Language['run'];
  };
  createSession?: SessionFactory;
}

async function loadSession(): Promise<{ language: Language; warnings: string[] }> {
  const warnings: string[] = [];
  let mime = (_v: unknown): MimeBundle | null => null;
  try {
    const [display, runtime] = await Promise.all([import('../display'), import('../runtime')]);
    // tensors live outside the JS heap (ArrayBuffers), so the worker's heap limit alone would not bound them:
    // they count against the same limit (ArrayBuffer memory, which is almost all tensor data)
    if (data.heapLimitMb) {
      runtime.setTensorMemoryLimit(
        data.heapLimitMb * 2 ** 20,
        () => process.memoryUsage().arrayBuffers,
        "the kernel's heap limit (NABLA_KERNEL_HEAP_MB)",
      );
    }
    mime = display.valueBundle;
  } catch (e) {
    warnings.push(`rich output is off: display/ could not be loaded (${(e as Error)?.message ?? e})`);
  }
  try {
    const mod = (await import(data.sessionModule)) as SessionModule;
    if (typeof mod.openSession === 'function') {
      // a cell the checker finds errors in is refused before it runs, with all of them (compiler/check/cell.ts)
      const opened = mod.openSession({ mime, checkBeforeRun: true });
      return { language: { session: opened.session, run: (code, out, opts) => opened.run(code, out, opts) }, warnings };
    }
    if (typeof mod.createSession !== 'function')
      throw new Error(`${data.sessionModule} does not export openSession() or createSession()`);
    const session = mod.createSession({ mime, checkBeforeRun: true });
    return { language: { session, run: (code, out, opts) => session.run(code, out, opts) }, warnings };
  } catch (e) {
    const where = data.sessionModule.startsWith('file:') ? fileURLToPath(data.sessionModule) : data.sessionModule;
    const reason = `the Nabla language could not be loaded from ${where}: ${(e as Error)?.message ?? e}`;
    const session = unavailableSession(reason);
    return {
      language: { session, run: (code, out, opts) => session.run(code, out, opts) },
      warnings: [...warnings, reason],
    };
  }
}

const { language, warnings } = await loadSession();
const session = language.session;
/** Runs one after another, as the kernel sends them (a run may wait for an engine to load first). */
let runs: Promise<void> = Promise.resolve();

port.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'run':
      runs = runs.then(async () => {
        const result = await run(language, m);
        try {
          post({ op: 'result', id: m.id, value: result });
        } catch (e) {
          post({
            op: 'result',
            id: m.id,
            value: failed([placeless('DisplayError', `the cell's value cannot be shown: ${(e as Error).message}`)]),
          });
        }
      });
      break;
    case 'complete':
      post({
        op: 'result',
        id: m.id,
        value: guard(() => session.complete(m.code, m.cursor), { matches: [], start: m.cursor, end: m.cursor }),
      });
      break;
    case 'inspect':
      post({
        op: 'result',
        id: m.id,
        value: guard(() => session.inspect(m.code, m.cursor, m.detail), { found: false, data: {} }),
      });
      break;
    case 'isComplete':
      post({
        op: 'result',
        id: m.id,
        value: guard(() => session.isComplete(m.code), { status: 'unknown', indent: '' }),
      });
      break;
  }
});

/** complete/inspect/is_complete must answer even when the language throws on odd input. */
function guard<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (e) {
    process.stderr.write(`[nabla kernel] ${(e as Error)?.stack ?? e}\n`);
    return fallback;
  }
}

post({ op: 'ready', warnings });
