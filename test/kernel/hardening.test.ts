// The kernel under hostile messages (issue 18): a replayed signed message is not run twice, an empty key is
// said in the log, history search cannot freeze the kernel (a glob with many stars is answered at once) and a
// malformed history_request gets an error reply while the kernel goes on answering.
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { History } from '../../kernel/history';
import { KernelHandler, type Request } from '../../kernel/handler';
import { startKernel, type RunningKernel } from '../../kernel/index';
import { decode, encode, ReplayGuard, signer, type Message } from '../../kernel/wire';

describe('ReplayGuard', () => {
  it('says a signature seen among the last N is a replay, forgets older ones, and ignores empty signatures', () => {
    const g = new ReplayGuard(3);
    expect(['a', 'b', 'c'].map((s) => g.repeated(s))).toEqual([false, false, false]);
    expect(g.repeated('b')).toBe(true);
    expect(g.repeated('d')).toBe(false); // pushes out 'a'
    expect(g.repeated('a')).toBe(false);
    expect(g.repeated('c')).toBe(true);
    expect([g.repeated(''), g.repeated(''), g.repeated(undefined)]).toEqual([false, false, false]);
  });
});

/** The glob semantics the history search had before (a regular expression), for comparing answers. */
const globRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[\\s\\S]*')
      .replace(/\?/g, '[\\s\\S]')}$`,
  );

describe('history search', () => {
  const historyOf = (inputs: string[]) => {
    const h = new History();
    inputs.forEach((s, i) => h.add(i + 1, s, null));
    return h;
  };

  it('matches globs as SQLite GLOB does (whole input, * and ?), the same as a regular expression would, on many cases', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const word = (alphabet: string, n: number) =>
      Array.from({ length: n }, () => alphabet[rand(alphabet.length)]).join('');
    const inputs = Array.from({ length: 60 }, () => word('ab', rand(9)));
    const h = historyOf(inputs);
    for (let k = 0; k < 400; k++) {
      const pattern = word('ab*?', rand(7));
      const want = inputs
        .map((s, i) => [s, i])
        .filter(([s]) => globRegExp(pattern).test(s as string))
        .map(([, i]) => (i as number) + 1);
      const got = h.query({ hist_access_type: 'search', pattern }).map((r) => r[1]);
      expect(got, `pattern ${JSON.stringify(pattern)}`).toEqual(want);
    }
  });

  it('answers a pattern with many stars on a long entry within 100 ms (a backtracking matcher took seconds)', () => {
    const h = historyOf(['a'.repeat(59) + 'c', 'a'.repeat(5000) + 'c', 'x = 1']);
    for (const pattern of ['*a'.repeat(8) + 'b', '*a'.repeat(9) + 'b', '*a'.repeat(40) + 'b']) {
      const t0 = performance.now();
      expect(h.query({ hist_access_type: 'search', pattern })).toEqual([]);
      expect(performance.now() - t0, pattern).toBeLessThan(100);
    }
    expect(h.query({ hist_access_type: 'search', pattern: '*a'.repeat(9) + 'c' }).map((r) => r[1])).toEqual([1, 2]);
  });

  it('refuses a search past its work bound with a sentence instead of running on', () => {
    const h = historyOf(Array.from({ length: 200 }, () => 'a'.repeat(100_000)));
    expect(() => h.query({ hist_access_type: 'search', pattern: '*' + '?'.repeat(5_000) + 'b*' })).toThrow(
      /needs more than .* comparisons; use a shorter pattern/,
    );
  });
});

function requestLog() {
  const events: [string, Record<string, any>][] = [];
  const request = (msgType: string, content: Record<string, unknown> = {}): Request => ({
    msgType,
    content,
    publish: () => {},
    reply: (t, c) => void events.push([t, c]),
    input: async () => '',
  });
  return { events, request };
}

describe('a malformed history_request', () => {
  it('gets an error reply naming the field, and the kernel answers kernel_info after it', async () => {
    const logged: string[] = [];
    const h = new KernelHandler(
      {
        run: async () => ({ ok: true, value: null }),
        complete: async () => ({ matches: [], start: 0, end: 0 }),
        inspect: async () => ({ found: false, data: {} }),
        isComplete: async () => ({ status: 'complete', indent: '' }),
        interrupt: () => false,
        reset: async () => {},
        close: async () => {},
      } as never,
      { log: (m) => logged.push(m) },
    );
    const { events, request } = requestLog();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ hist_access_type: 'search', pattern: 5 }, /"pattern" must be a string, not number 5/],
      [{ hist_access_type: 'search', pattern: ['*'] }, /"pattern" must be a string, not a list/],
      [{ hist_access_type: 'tail', n: 'ten' }, /"n" must be a whole number, not a string/],
      [{ hist_access_type: 'tail', n: -3 }, /"n" must be a whole number/],
      [{ hist_access_type: 'bogus' }, /"hist_access_type" must be one of "tail", "range", "search"/],
      [{ hist_access_type: 'range', start: { a: 1 } }, /"start" must be an integer, not an object/],
      [
        { hist_access_type: 'search', pattern: 'a'.repeat(20_000) },
        /the pattern has 20000 characters; the limit is 10000/,
      ],
    ];
    for (const [content, why] of bad) {
      await h.shell(request('history_request', content));
      const [type, reply] = events.pop()!;
      expect(type).toBe('history_reply');
      expect(reply.status).toBe('error');
      expect(reply.evalue).toMatch(why);
    }
    await h.shell(request('kernel_info_request'));
    expect(events.pop()![1].status).toBe('ok');
    expect(logged.filter((l) => /error while handling/.test(l))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Through the kernel's own sockets: a replay sent on the wire
// ---------------------------------------------------------------------------------------------------------

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok) => {
          const s = createServer();
          s.listen(0, '127.0.0.1', () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

describe('the kernel on its sockets', () => {
  const KEY = 'a-test-key';
  const sign = signer(KEY);
  let tmp: string;
  let kernel: RunningKernel;
  let shell: import('zeromq').Dealer;
  const logged: string[] = [];
  let writeStderr: typeof process.stderr.write;

  const message = (msgType: string, content: Record<string, unknown>, id: string): Message => ({
    identities: [],
    header: {
      msg_id: id,
      session: 'test-session',
      username: 'test',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: '5.3',
    },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  });
  const inbox: Message[] = [];
  /**
   * Sends frames on shell; waits until replies of the `expected` types have come (or `ms` passed), then
   * `settle` ms more for any reply that should not come; returns what came.
   */
  const exchange = async (frames: Buffer[][], expected: string[], ms: number, settle = 0): Promise<Message[]> => {
    const from = inbox.length;
    for (const f of frames) await shell.send(f);
    const deadline = Date.now() + ms;
    const has = () => expected.every((t) => inbox.slice(from).some((m) => m.header.msg_type === t));
    while (!has() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    await new Promise((ok) => setTimeout(ok, settle));
    return inbox.slice(from);
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nabla-kernel-harden-'));
    const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await freePorts(5);
    const file = join(tmp, 'connection.json');
    writeFileSync(
      file,
      JSON.stringify({
        key: KEY,
        signature_scheme: 'hmac-sha256',
        transport: 'tcp',
        ip: '127.0.0.1',
        shell_port,
        iopub_port,
        stdin_port,
        control_port,
        hb_port,
      }),
    );
    // the kernel logs to stderr: keep its lines to check them
    writeStderr = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logged.push(String(chunk));
      return (writeStderr as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    kernel = await startKernel(file, {
      sessionModule: fileURLToPath(new URL('./fake-session.ts', import.meta.url)),
      exitOnShutdown: false,
      handleProcessSignals: false,
    });
    const zmq = await import('zeromq');
    shell = new zmq.Dealer();
    shell.connect(`tcp://127.0.0.1:${shell_port}`);
    void (async () => {
      for await (const frames of shell) inbox.push(decode(sign, frames));
    })().catch(() => undefined);
  }, 60_000);

  afterAll(async () => {
    shell?.close();
    await kernel?.shutdown();
    process.stderr.write = writeStderr;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs a signed execute_request once when the same frames arrive twice, and logs the replay', async () => {
    const frames = encode(
      sign,
      message(
        'execute_request',
        {
          code: 'x = 1',
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true,
        },
        'replayed-1',
      ),
    );
    const replies = await exchange([frames, frames], ['execute_reply'], 15_000, 1_500);
    const executed = replies.filter((r) => r.header.msg_type === 'execute_reply');
    expect(executed).toHaveLength(1);
    expect(executed[0].content.status).toBe('ok');
    expect(logged.join('')).toMatch(/rejected a replayed execute_request on the shell channel \(msg_id replayed-1\)/);
    // the same request signed anew (a fresh msg_id, as every honest client sends) runs
    const fresh = await exchange(
      [encode(sign, message('execute_request', { code: 'x = 2', silent: false }, 'fresh-2'))],
      ['execute_reply'],
      15_000,
    );
    expect(fresh.filter((r) => r.header.msg_type === 'execute_reply')).toHaveLength(1);
  }, 30_000);

  it('answers a malformed history_request with an error reply, and kernel_info after it', async () => {
    const replies = await exchange(
      [
        encode(
          sign,
          message(
            'history_request',
            { hist_access_type: 'search', pattern: 42, output: false, raw: true },
            'bad-history',
          ),
        ),
        encode(sign, message('kernel_info_request', {}, 'info-after')),
      ],
      ['history_reply', 'kernel_info_reply'],
      15_000,
    );
    const history = replies.find((r) => r.header.msg_type === 'history_reply')!;
    expect(history.content.status).toBe('error');
    expect(String(history.content.evalue)).toMatch(/"pattern" must be a string/);
    expect(replies.find((r) => r.header.msg_type === 'kernel_info_reply')?.content.status).toBe('ok');
  }, 30_000);
});

describe('a kernel started with an empty key', () => {
  it('says in its log that signatures are not checked', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nabla-kernel-nokey-'));
    const [shell_port, iopub_port, stdin_port, control_port, hb_port] = await freePorts(5);
    const file = join(tmp, 'connection.json');
    writeFileSync(
      file,
      JSON.stringify({
        key: '',
        signature_scheme: 'hmac-sha256',
        transport: 'tcp',
        ip: '127.0.0.1',
        shell_port,
        iopub_port,
        stdin_port,
        control_port,
        hb_port,
      }),
    );
    const lines: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (
      lines.push(String(chunk)),
      true
    )) as typeof process.stderr.write;
    let k: RunningKernel | undefined;
    try {
      k = await startKernel(file, {
        sessionModule: fileURLToPath(new URL('./fake-session.ts', import.meta.url)),
        exitOnShutdown: false,
        handleProcessSignals: false,
      });
    } finally {
      process.stderr.write = original;
      await k?.shutdown();
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(lines.join('')).toMatch(/empty key: message signatures are not checked/);
  }, 60_000);
});

describe("tensor memory in the kernel's worker", () => {
  it('counts against the heap limit: an allocation past it is refused with the sizes, and the session lives on', async () => {
    const { WorkerExecutor } = await import('../../kernel/executor');
    const { DEFAULT_SESSION_MODULE } = await import('../../kernel/index');
    const ex = new WorkerExecutor({ sessionModule: DEFAULT_SESSION_MODULE, heapLimitMb: 350, log: () => {} });
    try {
      await ex.ready;
      const sinks = { stdout: () => {}, stderr: () => {}, display: () => {}, clearOutput: () => {}, input: null };
      const text = (r: Awaited<ReturnType<typeof ex.run>>) =>
        r.ok ? String((r.value as Record<string, unknown> | null)?.['text/plain']) : `${r.ename}: ${r.evalue}`;
      expect(text(await ex.run('a = zeros(50000000)\na.shape', sinks))).toBe('[50000000]'); // 200 MB
      const b = await ex.run('b = zeros(50000000)', sinks); // 191 MB more: past 350 MB
      expect(text(b)).toMatch(
        /^ValueError: zeros: a tensor of 191 MB would take tensor memory to \d+ MB, past the kernel's heap limit \(NABLA_KERNEL_HEAP_MB\) of 350 MB/,
      );
      expect(text(await ex.run('a.shape', sinks))).toBe('[50000000]');
    } finally {
      await ex.close();
    }
  }, 120_000);
});
