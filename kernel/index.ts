import { fileURLToPath } from 'node:url';
import { WorkerExecutor } from './executor';
import { KernelHandler } from './handler';
import { NablaServer } from './server';

/**
 * The Nabla Jupyter kernel: `startKernel(connectionFile)` is what the kernelspec's argv runs (through
 * `nabla kernel --connection-file F`). Three layers, as in tslab (STYLE 11): the wire (server.ts, on tslab's
 * ZmqServer), the protocol (handler.ts) and the executor (executor.ts + worker.ts, a Session in a worker).
 */
export { installKernelspec, uninstallKernelspec, kernelspecDir, type InstallOptions } from './install';
export { KernelHandler, type Request } from './handler';
export { WorkerExecutor } from './executor';
export type { Executor, RunSinks, KernelOutput } from './types';

/** The language the kernel runs unless NABLA_KERNEL_SESSION names another module exporting createSession. */
export const DEFAULT_SESSION_MODULE = fileURLToPath(new URL('../compiler/index.ts', import.meta.url));

export interface StartOptions {
  /** Path or URL of a module exporting `createSession(opts)`; default NABLA_KERNEL_SESSION, then compiler/index.ts. */
  sessionModule?: string;
  /** End the process after shutdown_request (what Jupyter expects of a kernel). Default true. */
  exitOnShutdown?: boolean;
  /** Install SIGINT (interrupt_mode "signal") and last-resort error handlers on the process. Default true. */
  handleProcessSignals?: boolean;
}

export interface RunningKernel {
  handler: KernelHandler;
  executor: WorkerExecutor;
  shutdown(): Promise<void>;
}

/**
 * jupyter_client puts its own pid in JPY_PARENT_PID; like ipykernel's ParentPollerUnix, a kernel whose parent
 * has gone (killed, crashed) ends itself instead of running on as an orphan nobody can reach.
 */
function watchParent(onGone: () => void): void {
  const parent = Number(process.env.JPY_PARENT_PID);
  if (!Number.isInteger(parent) || parent <= 1) return;
  const timer = setInterval(() => {
    let alive = true;
    try {
      process.kill(parent, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}

const log = (m: string) => void process.stderr.write(`[nabla kernel] ${m}\n`);

export async function startKernel(connectionFile: string, opts: StartOptions = {}): Promise<RunningKernel> {
  const sessionModule = opts.sessionModule ?? process.env.NABLA_KERNEL_SESSION ?? DEFAULT_SESSION_MODULE;
  const grace = Number(process.env.NABLA_KERNEL_INTERRUPT_GRACE_MS) || undefined;
  const heap = Number(process.env.NABLA_KERNEL_HEAP_MB) || undefined;
  const executor = new WorkerExecutor({ sessionModule, interruptGraceMs: grace, heapLimitMb: heap, log });
  const handler = new KernelHandler(executor, { log });
  const server = new NablaServer(handler, connectionFile, log);

  let stopping: Promise<void> | null = null;
  const shutdown = () =>
    (stopping ??= (async () => {
      await server.flush();
      server.close();
      await executor.close();
    })());
  handler.onShutdown = (restart) => {
    void shutdown().then(() => {
      if (opts.exitOnShutdown !== false) {
        log(`shut down${restart ? ' for a restart' : ''}`);
        process.exit(0);
      }
    });
  };

  if (opts.handleProcessSignals !== false) {
    // SIGINT with no handler ends a Node process and every variable with it; here it stops the running cell
    process.on('SIGINT', () => {
      if (!handler.interrupt()) log('SIGINT with no cell running: nothing to interrupt');
    });
    process.on('uncaughtException', (e) => log(`uncaught: ${e?.stack ?? e}`));
    process.on('unhandledRejection', (e) => log(`unhandled rejection: ${(e as Error)?.stack ?? e}`));
  }

  watchParent(() => {
    log('the process that started this kernel is gone; shutting down');
    void shutdown().then(() => process.exit(0));
  });

  await server.init();
  log(`listening (language from ${sessionModule})`);
  return { handler, executor, shutdown };
}
