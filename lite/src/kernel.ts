// The Nabla kernel of the JupyterLite site: a BaseKernel of @jupyterlite/services whose language runs in the
// playground's own workers (web/src/session.worker.ts and gpu.worker.ts, driven through
// web/src/session-client.ts), so JupyterLab in the browser and the playground run the same session code.
// It answers as kernel/handler.ts does for the ZMQ kernel: streams (coalesced the same way), execute_result
// with display/'s MIME bundles, display and update_display_data, clear_output, errors with the positioned
// traceback, input(), completion, inspection and is_complete from the session.
import type { KernelMessage } from '@jupyterlab/services';
import { BaseKernel, type IKernel } from '@jupyterlite/services';
import { failed, placeless } from '../../diagnostic';
import { StreamBuffer } from '../../kernel/stream-buffer';
import type { BackendsReply, RunReply } from '../../web/src/protocol';
import { SessionClient, type RunSinks, type WorkerUrls } from '../../web/src/session-client';

export const KERNEL_NAME = 'nabla';

/** What the kernel reports about itself; `codemirror_mode` names the language plugin.ts registers. */
export function languageInfo(version: string): KernelMessage.ILanguageInfo {
  return {
    name: 'nabla',
    version,
    mimetype: 'text/x-nabla',
    file_extension: '.nabla',
    codemirror_mode: 'nabla',
    pygments_lexer: 'julia',
    nbconvert_exporter: 'script',
  };
}

export interface NablaKernelOptions extends IKernel.IOptions {
  workers: WorkerUrls;
  version: string;
  /** Told whenever the session worker reports its backend (for the status bar). */
  onBackend?: (b: BackendsReply) => void;
}

// display/'s bundles are JSON by construction (kernel/ sends the same objects over the wire)
type Bundle = KernelMessage.IExecuteResultMsg['content']['data'];

export class NablaKernel extends BaseKernel {
  private client: SessionClient;
  private readonly version: string;
  private readonly onBackend: (b: BackendsReply) => void;
  private readonly started: Promise<BackendsReply | null>;

  /** Execute requests (by message id) that asked stop_on_error false: a raises-exception cell. */
  private readonly keepGoing: Set<string>;

  constructor(options: NablaKernelOptions) {
    // JupyterLite's kernel client drops every queued cell after an error reply, whatever the request's
    // stop_on_error said; it spares them only for replies marked as interrupted. A cell that asked
    // stop_on_error false (JupyterLab sends that for a cell tagged raises-exception) gets that mark, so Run
    // All goes on past it, as with the ZMQ kernel.
    const keepGoing = new Set<string>();
    const sendMessage = (msg: KernelMessage.IMessage) => {
      if (
        msg.header.msg_type === 'execute_reply' &&
        keepGoing.delete((msg.parent_header as KernelMessage.IHeader).msg_id ?? '')
      ) {
        if ((msg.content as { status?: string }).status === 'error')
          msg.metadata = { ...msg.metadata, cause: 'interrupt' };
      }
      options.sendMessage(msg);
    };
    super({ ...options, sendMessage });
    this.keepGoing = keepGoing;
    this.version = options.version;
    this.onBackend = options.onBackend ?? (() => {});
    this.client = new SessionClient(options.workers);
    // the session worker's automatic backend choice (webgpu → webgl2 → webasm → cpu), with its reasons
    this.started = this.backends();
  }

  /** The worker's backend report, or null when it cannot answer (its error shows on the first run). */
  async backends(): Promise<BackendsReply | null> {
    try {
      const b = await this.client.call('backends', {});
      this.onBackend(b);
      return b;
    } catch {
      return null;
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.client.dispose();
    super.dispose();
  }

  /**
   * Stops the running cell at its next interrupt check, keeping every variable (shared memory, as the site is
   * cross-origin isolated). Without shared memory the only way to stop it is a fresh session, which says so.
   */
  interrupt(): void {
    if (this.client.interrupt()) return;
    if (!this.client.canInterrupt && this.client.busy) this.client.restart();
  }

  async kernelInfoRequest(): Promise<KernelMessage.IInfoReplyMsg['content']> {
    const b = await this.started;
    const backend = b ? `backend: ${b.report.chosen} (${b.report.why})` : 'backend: not known yet';
    return {
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'nabla',
      implementation_version: this.version,
      language_info: languageInfo(this.version),
      banner: `Nabla ${this.version} in the browser: a differentiable-programming language (∇); ${backend}`,
      help_links: [],
    };
  }

  async executeRequest(
    content: KernelMessage.IExecuteRequestMsg['content'],
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    const parent = this.parentHeader;
    if (parent && content.stop_on_error === false) this.keepGoing.add(parent.msg_id);
    const count = this.executionCount;
    const silent = content.silent === true;
    const file = content.store_history === false ? `cell[${count}.quiet]` : `cell[${count}]`;
    const out = new StreamBuffer((_type, c) => {
      if (!silent) this.stream(c as unknown as KernelMessage.IStreamMsg['content'], parent);
    }, 20);
    const sinks: RunSinks = {
      stream: (name, text) => out.write(name, text),
      display: (bundle, displayId, update) => {
        out.flush();
        if (silent) return;
        const msg = {
          data: bundle as Bundle,
          metadata: {},
          transient: displayId ? { display_id: displayId } : {},
        } as KernelMessage.IDisplayDataMsg['content'];
        if (update) this.updateDisplayData(msg as KernelMessage.IUpdateDisplayDataMsg['content'], parent);
        else this.displayData(msg, parent);
      },
      clear: (wait) => {
        out.flush();
        if (!silent) this.clearOutput({ wait }, parent);
      },
      input: content.allow_stdin ? (prompt, password) => this.askInput(prompt, password, parent) : undefined,
    };
    let reply: RunReply['result'];
    try {
      reply = (await this.client.call('run', { code: content.code, file, stdin: content.allow_stdin === true }, sinks))
        .result;
    } catch (e) {
      // the worker ended (a restart, or a cell stopped where shared memory is missing) or could not start
      const why = (e as Error).message;
      reply = failed([placeless('InterpreterDied', `${why}; all variables are gone (run the cells you need again)`)]);
    }
    out.close();
    if (reply.ok) {
      if (reply.value && !silent)
        this.publishExecuteResult({ execution_count: count, data: reply.value as Bundle, metadata: {} }, parent);
      return {
        status: 'ok',
        execution_count: count,
        user_expressions: {},
        payload: [],
      } as KernelMessage.IExecuteReplyMsg['content'];
    }
    const { ename, evalue, traceback } = reply;
    if (!silent) this.publishExecuteError({ ename, evalue, traceback }, parent);
    return {
      status: 'error',
      execution_count: count,
      ename,
      evalue,
      traceback,
    } as KernelMessage.IExecuteReplyMsg['content'];
  }

  private pendingInput: { resolve(text: string): void; reject(e: Error): void } | null = null;

  /** input(): an input_request to the front end; its input_reply comes to inputReply below. */
  private askInput(prompt: string, password: boolean, parent: typeof this.parentHeader): Promise<string> {
    this.pendingInput?.reject(new Error('superseded'));
    return new Promise<string>((resolve, reject) => {
      this.pendingInput = { resolve, reject };
      this.inputRequest({ prompt, password }, parent);
    });
  }

  async inputReply(content: KernelMessage.IInputReplyMsg['content']): Promise<void> {
    const p = this.pendingInput;
    this.pendingInput = null;
    if (!p) return;
    if (content.status === 'ok') p.resolve(content.value);
    else p.reject(new Error('the front end declined'));
  }

  async completeRequest(
    content: KernelMessage.ICompleteRequestMsg['content'],
  ): Promise<KernelMessage.ICompleteReplyMsg['content']> {
    const c = await this.client.call('complete', { code: content.code, cursor: content.cursor_pos });
    return {
      status: 'ok',
      matches: c.items.map((i) => i.label),
      cursor_start: c.start,
      cursor_end: c.end,
      metadata: {},
    };
  }

  async inspectRequest(
    content: KernelMessage.IInspectRequestMsg['content'],
  ): Promise<KernelMessage.IInspectReplyMsg['content']> {
    const r = await this.client.call('inspectBundle', {
      code: content.code,
      cursor: content.cursor_pos,
      detail: content.detail_level === 1 ? 1 : 0,
    });
    return {
      status: 'ok',
      found: r.found,
      data: r.found ? (r.data as Bundle) : {},
      metadata: {},
    } as KernelMessage.IInspectReplyMsg['content'];
  }

  async isCompleteRequest(
    content: KernelMessage.IIsCompleteRequestMsg['content'],
  ): Promise<KernelMessage.IIsCompleteReplyMsg['content']> {
    const r = await this.client.call('isComplete', { code: content.code });
    return (
      r.status === 'incomplete' ? { status: r.status, indent: r.indent } : { status: r.status }
    ) as KernelMessage.IIsCompleteReplyMsg['content'];
  }

  async commInfoRequest(): Promise<KernelMessage.ICommInfoReplyMsg['content']> {
    return { status: 'ok', comms: {} };
  }

  async commOpen(): Promise<void> {}
  async commMsg(): Promise<void> {}
  async commClose(): Promise<void> {}
}
