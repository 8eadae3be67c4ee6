import { kernelInfo } from './info';
import { History, HistoryRequestError } from './history';
import { StreamBuffer } from './stream-buffer';
import type { Executor, RunSinks } from './types';

/**
 * The Jupyter protocol's logic, free of sockets (tslab's JupyterHandler plays this part; STYLE 11): what to
 * publish and reply for each request, in which order. The server decodes messages into Requests; the
 * Executor runs the language. Tested with a stub executor in test/kernel/handler.test.ts.
 *
 * Order per request (what real clients and the conformance suite check): status busy, execute_input, the
 * outputs as they come, execute_result or error, the reply, status idle. Shell requests are handled one at a
 * time, like ipykernel's, so a front end never sees idle while a cell still runs; control requests
 * (interrupt, shutdown) are handled at once.
 */
export interface Request {
  msgType: string;
  content: Record<string, unknown>;
  /** Publishes on IOPub with this request as the parent. */
  publish(msgType: string, content: Record<string, unknown>): void;
  /** Replies on the channel the request came from. */
  reply(msgType: string, content: Record<string, unknown>): void;
  /** Asks the front end for a line of input on the stdin channel, routed like this request. */
  input(prompt: string, password: boolean): Promise<string>;
}

export interface HandlerOptions {
  /** Stream text written within this many milliseconds goes out as one message. */
  streamFlushMs?: number;
  /** After an error with stop_on_error, how long requests already sent may take to arrive and be aborted. */
  abortDrainMs?: number;
  log?: (message: string) => void;
  /** Called after the reply to shutdown_request and the idle status have been sent. */
  onShutdown?: (restart: boolean) => void;
}

type Content = Record<string, unknown>;

export class KernelHandler {
  private executionCount = 0;
  private unstored = 0;
  readonly history = new History();
  private queue: Promise<void> = Promise.resolve();
  /** Shell requests received so far; an error with stop_on_error aborts executes received up to `abortThrough`. */
  private received = 0;
  private abortThrough = 0;
  private readonly streamFlushMs: number;
  private readonly abortDrainMs: number;
  private readonly log: (message: string) => void;
  onShutdown: (restart: boolean) => void;

  constructor(
    private readonly executor: Executor,
    opts: HandlerOptions = {},
  ) {
    this.streamFlushMs = opts.streamFlushMs ?? 20;
    this.abortDrainMs = opts.abortDrainMs ?? 20;
    this.log = opts.log ?? ((m) => process.stderr.write(`[nabla kernel] ${m}\n`));
    this.onShutdown = opts.onShutdown ?? (() => {});
  }

  /** A request on the shell channel: queued behind the ones before it. Resolves when it has been answered. */
  shell(req: Request): Promise<void> {
    const seq = ++this.received;
    const task = this.queue.then(() => this.dispatch(req, seq));
    this.queue = task.catch(() => {});
    return task;
  }

  /** A request on the control channel: answered at once, even while a cell runs. */
  control(req: Request): Promise<void> {
    return this.dispatch(req, 0);
  }

  /** SIGINT to the kernel process (the kernelspec's interrupt_mode is "signal"). */
  interrupt(): boolean {
    return this.executor.interrupt();
  }

  private async dispatch(req: Request, seq: number): Promise<void> {
    req.publish('status', { execution_state: 'busy' });
    let shutdown: boolean | null = null;
    try {
      const c = req.content;
      switch (req.msgType) {
        case 'execute_request':
          await this.execute(req, seq);
          break;
        case 'kernel_info_request':
          req.reply('kernel_info_reply', kernelInfo());
          break;
        case 'complete_request': {
          const code = str(c.code);
          const r = await this.executor.complete(code, cursorOf(c, code));
          req.reply('complete_reply', {
            status: 'ok',
            matches: r.matches,
            cursor_start: r.start,
            cursor_end: r.end,
            metadata: {},
          });
          break;
        }
        case 'inspect_request': {
          const code = str(c.code);
          const r = await this.executor.inspect(code, cursorOf(c, code), c.detail_level === 1 ? 1 : 0);
          req.reply('inspect_reply', { status: 'ok', found: r.found, data: r.found ? r.data : {}, metadata: {} });
          break;
        }
        case 'is_complete_request': {
          const r = await this.executor.isComplete(str(c.code));
          req.reply(
            'is_complete_reply',
            r.status === 'incomplete' ? { status: r.status, indent: r.indent } : { status: r.status },
          );
          break;
        }
        case 'history_request':
          try {
            req.reply('history_reply', { status: 'ok', history: this.history.query(c) });
          } catch (e) {
            if (!(e instanceof HistoryRequestError)) throw e;
            this.log(e.message);
            req.reply('history_reply', {
              status: 'error',
              ename: 'ValueError',
              evalue: e.message,
              traceback: [],
              history: [],
            });
          }
          break;
        case 'comm_info_request':
          req.reply('comm_info_reply', { status: 'ok', comms: {} });
          break;
        case 'comm_open':
          // no comm targets exist: say so, as ipykernel does for an unknown target
          req.publish('comm_close', { comm_id: str(c.comm_id), data: {} });
          break;
        case 'comm_msg':
        case 'comm_close':
          break;
        case 'interrupt_request':
          this.executor.interrupt();
          req.reply('interrupt_reply', { status: 'ok' });
          break;
        case 'shutdown_request':
          shutdown = c.restart === true;
          req.reply('shutdown_reply', { status: 'ok', restart: shutdown });
          break;
        default:
          this.log(`ignored a ${req.msgType} message: this kernel does not handle that type`);
      }
    } catch (e) {
      // the executor never rejects for a user's mistake, so this is the kernel's own fault: say so and go on
      this.log(`error while handling ${req.msgType}: ${(e as Error)?.stack ?? e}`);
      if (req.msgType.endsWith('_request')) {
        req.reply(req.msgType.replace(/_request$/, '_reply'), {
          status: 'error',
          ename: 'KernelError',
          evalue: String((e as Error)?.message ?? e),
          traceback: [],
        });
      }
    } finally {
      req.publish('status', { execution_state: 'idle' });
    }
    if (shutdown !== null) this.onShutdown(shutdown);
  }

  private async execute(req: Request, seq: number): Promise<void> {
    const c = req.content;
    const code = str(c.code);
    const silent = c.silent === true;
    const storeHistory = !silent && c.store_history !== false;
    const stopOnError = c.stop_on_error !== false;
    if (seq !== 0 && seq <= this.abortThrough) {
      req.reply('execute_reply', { status: 'aborted', execution_count: this.executionCount });
      return;
    }
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    const file = storeHistory ? `cell[${count}]` : `cell[${count}.${++this.unstored}]`;
    if (!silent) req.publish('execute_input', { code, execution_count: count });

    const out = new StreamBuffer(silent ? () => {} : (t, m) => req.publish(t, m), this.streamFlushMs);
    const sinks: RunSinks = {
      stdout: (text) => out.write('stdout', text),
      stderr: (text) => out.write('stderr', text),
      display: (bundle, o) => {
        out.flush();
        if (silent) return;
        const transient = o.displayId ? { display_id: o.displayId } : {};
        req.publish(o.update ? 'update_display_data' : 'display_data', { data: bundle, metadata: {}, transient });
      },
      clearOutput: (wait) => {
        out.flush();
        if (!silent) req.publish('clear_output', { wait });
      },
      input: c.allow_stdin === true ? (prompt, password) => req.input(prompt, password) : null,
    };
    const result = await this.executor.run(code, sinks, { file });
    out.close();

    if (result.ok) {
      if (result.value && !silent)
        req.publish('execute_result', { execution_count: count, data: result.value, metadata: {} });
      const userExpressions = await this.userExpressions(c.user_expressions);
      if (storeHistory) this.history.add(count, code, textOf(result.value));
      req.reply('execute_reply', {
        status: 'ok',
        execution_count: count,
        user_expressions: userExpressions,
        payload: [],
      });
      return;
    }
    const { ename, evalue, traceback } = result;
    // exactly one output for a failed cell: the error (not also a stderr copy)
    if (!silent) req.publish('error', { ename, evalue, traceback });
    if (storeHistory) this.history.add(count, code, null);
    if (stopOnError) {
      // Abort what the client sent before it could see this error (ipykernel flushes its shell socket for
      // the same reason): requests already on the wire get `abortDrainMs` to be received, and none can be a
      // reaction to the error, whose reply has not been sent yet.
      await new Promise((resolve) => setTimeout(resolve, this.abortDrainMs));
      this.abortThrough = this.received;
    }
    req.reply('execute_reply', {
      status: 'error',
      execution_count: count,
      ename,
      evalue,
      traceback,
      user_expressions: {},
      payload: [],
    });
  }

  /** execute_request's user_expressions: each evaluated quietly after the cell, as ipykernel does. */
  private async userExpressions(exprs: unknown): Promise<Content> {
    const result: Content = {};
    if (!exprs || typeof exprs !== 'object') return result;
    const quiet: RunSinks = {
      stdout: () => {},
      stderr: () => {},
      display: () => {},
      clearOutput: () => {},
      input: null,
    };
    for (const [name, expr] of Object.entries(exprs as Record<string, unknown>)) {
      const r = await this.executor.run(str(expr), quiet, { file: `<user_expressions.${name}>` });
      result[name] = r.ok
        ? { status: 'ok', data: r.value ?? { 'text/plain': 'none' }, metadata: {} }
        : { status: 'error', ename: r.ename, evalue: r.evalue, traceback: r.traceback };
    }
    return result;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));

/** Jupyter cursor positions count code points; a missing one means the end of the code. */
function cursorOf(c: Content, code: string): number {
  return typeof c.cursor_pos === 'number' ? c.cursor_pos : [...code].length;
}

function textOf(bundle: Record<string, unknown> | null): string | null {
  const t = bundle?.['text/plain'];
  return typeof t === 'string' ? t : null;
}
