import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ZmqServer as TslabZmqServer } from 'tslab/dist/jupyter';
import type { KernelHandler, Request } from './handler';
import { child, decode, encode, ReplayGuard, signer, WireError, type Message, type Signer } from './wire';

/**
 * The wire: tslab's ZmqServer (tslab/dist/jupyter.js) owns the sockets, binds them from the connection file,
 * loops over shell, control and heartbeat, and closes them. This subclass replaces its message handling,
 * which lacks execute_input, execute_result, error, clear_output, interrupt_request, history_request and
 * stdin, sends comm_info_reply as "complete_reply", stalls on an empty key and lets a bad signature become an
 * unhandled rejection. Each message is decoded and checked here (a bad signature is logged and dropped,
 * never run) and handed to the KernelHandler as a Request.
 */
const require = createRequire(import.meta.url);

function loadTslabServer(): typeof TslabZmqServer {
  // tslab/dist/jupyter.js requires ./converter for its own TypeScript handler, which loads a whole TypeScript
  // compiler (~200 ms and ~45 MB measured) that the ZmqServer never touches; an empty module stands in for it.
  const converter = join(dirname(require.resolve('tslab/dist/jupyter.js')), 'converter.js');
  if (!require.cache[converter]) {
    const stub = new Module(converter);
    stub.filename = converter;
    stub.loaded = true;
    require.cache[converter] = stub;
  }
  return (require('tslab/dist/jupyter.js') as { ZmqServer: typeof TslabZmqServer }).ZmqServer;
}

const ZmqServer = loadTslabServer();

type Socket = TslabZmqServer['shell'] | TslabZmqServer['iopub'] | TslabZmqServer['stdin'];

export interface ConnectionInfo {
  key: string;
  signature_scheme?: string;
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

export class NablaServer extends ZmqServer {
  private signer: Signer;
  /** Signatures seen lately, on every channel: a repeated one is a replayed message, dropped. */
  private readonly replays = new ReplayGuard(1024);
  private readonly sendQueues = new Map<Socket, Promise<void>>();
  private readonly inputWaiters = new Map<string, (value: string) => void>();

  constructor(
    private readonly kernel: KernelHandler,
    connectionFile: string,
    private readonly log: (message: string) => void,
  ) {
    // tslab's close() calls its handler's close(); the kernel's own shutdown happens in startKernel
    super({ close() {} } as never, connectionFile);
    const info = JSON.parse(readFileSync(connectionFile, 'utf8')) as ConnectionInfo;
    this.signer = signer(info.key ?? '', info.signature_scheme);
    if (!info.key)
      log(
        'the connection file has an empty key: message signatures are not checked, and replayed messages cannot be told apart (anyone who can reach the ports can run code)',
      );
  }

  override async init(): Promise<void> {
    await super.init();
    void this.readStdin();
  }

  /** Called by tslab's loops for every shell and control message (and never awaited there: so never rejects). */
  override async handleShellMessage(sock: TslabZmqServer['shell'], ...frames: Buffer[]): Promise<void> {
    const channel = sock === this.control ? 'control' : 'shell';
    let msg: Message;
    try {
      msg = decode(this.signer, frames);
    } catch (e) {
      if (e instanceof WireError)
        this.log(`rejected a message on the ${channel} channel: ${e.message}; it was not run`);
      else this.log(`rejected a message on the ${channel} channel: ${e}`);
      return;
    }
    if (this.replays.repeated(msg.signature)) {
      this.log(
        `rejected a replayed ${msg.header.msg_type} on the ${channel} channel (msg_id ${String(msg.header.msg_id).slice(0, 64)}): its signature was seen before; it was not run`,
      );
      return;
    }
    try {
      const req = this.request(sock, msg);
      await (channel === 'control' ? this.kernel.control(req) : this.kernel.shell(req));
    } catch (e) {
      this.log(`error handling ${msg.header.msg_type}: ${(e as Error)?.stack ?? e}`);
    }
  }

  private request(sock: Socket, msg: Message): Request {
    return {
      msgType: msg.header.msg_type,
      content: msg.content,
      publish: (type, content) =>
        this.send(this.iopub, child(msg, type, content, [Buffer.from(`kernel.nabla.${type}`)])),
      reply: (type, content) => this.send(sock, child(msg, type, content)),
      input: (prompt, password) => {
        // routed with the shell request's identities: the client's stdin socket shares its shell identity
        const req = child(msg, 'input_request', { prompt, password });
        return new Promise((resolve) => {
          this.inputWaiters.set(req.header.msg_id, resolve);
          this.send(this.stdin, req);
        });
      },
    };
  }

  /** zeromq 6 allows one send in flight per socket; sends are chained so none fails as busy. */
  private send(sock: Socket, m: Message): void {
    const frames = encode(this.signer, m);
    const prev = this.sendQueues.get(sock) ?? Promise.resolve();
    const next = prev
      .then(() => (sock as { send(f: Buffer[]): Promise<void> }).send(frames))
      .catch((e) => this.log(`send failed: ${e}`));
    this.sendQueues.set(sock, next);
  }

  /** Waits until everything queued so far has been handed to ZeroMQ. */
  async flush(): Promise<void> {
    await Promise.all(this.sendQueues.values());
  }

  private async readStdin(): Promise<void> {
    try {
      for await (const frames of this.stdin as AsyncIterable<Buffer[]>) {
        let msg: Message;
        try {
          msg = decode(this.signer, frames);
        } catch (e) {
          this.log(`rejected a message on the stdin channel: ${(e as Error).message}; it was not used`);
          continue;
        }
        if (this.replays.repeated(msg.signature)) {
          this.log('rejected a replayed message on the stdin channel: its signature was seen before; it was not used');
          continue;
        }
        if (msg.header.msg_type !== 'input_reply') continue;
        // jupyter_client's input() sends its reply with no parent header, so the oldest request is answered
        const parent = (msg.parent_header as { msg_id?: string }).msg_id;
        const key = parent && this.inputWaiters.has(parent) ? parent : this.inputWaiters.keys().next().value;
        if (key === undefined) continue;
        const waiter = this.inputWaiters.get(key)!;
        this.inputWaiters.delete(key);
        waiter(typeof msg.content.value === 'string' ? msg.content.value : '');
      }
    } catch (e) {
      if (!this.closed) this.log(`stdin channel stopped: ${e}`);
    }
  }

  private closed = false;

  override close(): void {
    this.closed = true;
    super.close();
  }
}
