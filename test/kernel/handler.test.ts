import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { KernelHandler, type Request } from '../../kernel/handler';
import type { Executor, RunResult, RunSinks } from '../../kernel/types';

/** The protocol logic with a stub executor (STYLE 11): no sockets, no worker, no language. */

type Event = [channel: 'iopub' | 'reply' | 'stdin', msgType: string, content: Record<string, any>, parent: string];

class Log {
  events: Event[] = [];
  request(msgType: string, content: Record<string, unknown> = {}, id = msgType): Request {
    return {
      msgType,
      content,
      publish: (t, c) => void this.events.push(['iopub', t, c, id]),
      reply: (t, c) => void this.events.push(['reply', t, c, id]),
      input: async (prompt) => {
        this.events.push(['stdin', 'input_request', { prompt }, id]);
        return 'typed';
      },
    };
  }
  types(id?: string): string[] {
    return this.events
      .filter((e) => id === undefined || e[3] === id)
      .map((e) => (e[1] === 'status' ? `status:${e[2].execution_state}` : e[1]));
  }
  find(msgType: string, id?: string): Record<string, any> {
    const e = this.events.find((x) => x[1] === msgType && (id === undefined || x[3] === id));
    if (!e) throw new Error(`no ${msgType} in ${this.types().join(', ')}`);
    return e[2];
  }
}

type Script = (code: string, sinks: RunSinks) => RunResult | Promise<RunResult>;

class StubExecutor implements Executor {
  runs: string[] = [];
  interrupts = 0;
  constructor(private script: Script = () => ({ ok: true, value: null })) {}
  async run(code: string, sinks: RunSinks) {
    this.runs.push(code);
    return this.script(code, sinks);
  }
  async complete(code: string, cursor: number) {
    return { matches: ['zeros', 'zeros_like'], start: cursor - 3, end: cursor };
  }
  async inspect(code: string) {
    return code.includes('zeros')
      ? { found: true, data: { 'text/plain': 'zeros(*shape)' } }
      : { found: false, data: { 'text/plain': 'x' } };
  }
  async isComplete(code: string) {
    return code.endsWith('{')
      ? { status: 'incomplete' as const, indent: '  ' }
      : { status: 'complete' as const, indent: '' };
  }
  interrupt() {
    this.interrupts++;
    return true;
  }
  async reset() {}
  async close() {}
}

const exec = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  silent: false,
  store_history: true,
  user_expressions: {},
  allow_stdin: false,
  stop_on_error: true,
  ...extra,
});
const TRACEBACK = ["cell[1]:1:1: NameError: 'q' is not defined\n  q\n  ^"];
const error = (ename = 'NameError'): RunResult => ({
  ok: false,
  ename,
  evalue: "'q' is not defined",
  traceback: TRACEBACK,
  diagnostics: [
    {
      kind: ename,
      message: "'q' is not defined",
      places: [{ file: 'cell[1]', line: 1, col: 1, label: '' }],
      notes: [],
    },
  ],
});
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KernelHandler execute', () => {
  it('publishes busy, execute_input, outputs, execute_result, then replies and goes idle', async () => {
    const ex = new StubExecutor((_code, s) => {
      s.stdout('a\n');
      s.stdout('b\n');
      s.display({ 'text/plain': 'pic' }, {});
      s.stderr('careful\n');
      return { ok: true, value: { 'text/plain': '2' } };
    });
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('x + 1')));
    expect(log.types()).toEqual([
      'status:busy',
      'execute_input',
      'stream',
      'display_data',
      'stream',
      'execute_result',
      'execute_reply',
      'status:idle',
    ]);
    expect(log.find('execute_input')).toEqual({ code: 'x + 1', execution_count: 1 });
    // both stdout writes went out as one message, flushed before the display
    expect(log.find('stream')).toEqual({ name: 'stdout', text: 'a\nb\n' });
    expect(log.find('display_data')).toEqual({ data: { 'text/plain': 'pic' }, metadata: {}, transient: {} });
    expect(log.find('execute_result')).toEqual({ execution_count: 1, data: { 'text/plain': '2' }, metadata: {} });
    expect(log.find('execute_reply')).toMatchObject({ status: 'ok', execution_count: 1, user_expressions: {} });
  });

  it('sends exactly one output for a failed cell, the error, and a reply carrying it', async () => {
    const h = new KernelHandler(new StubExecutor(() => error()), { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('q')));
    expect(log.types()).toEqual(['status:busy', 'execute_input', 'error', 'execute_reply', 'status:idle']);
    expect(log.find('error')).toEqual({ ename: 'NameError', evalue: "'q' is not defined", traceback: TRACEBACK });
    expect(log.find('execute_reply')).toMatchObject({
      status: 'error',
      execution_count: 1,
      ename: 'NameError',
      traceback: TRACEBACK,
    });
  });

  it('counts executions that store history, and names cells after the count', async () => {
    const files: (string | undefined)[] = [];
    const ex = new StubExecutor();
    ex.run = async (code: string, _s: RunSinks, o?: { file?: string }): Promise<RunResult> => (
      files.push(o?.file),
      ex.runs.push(code),
      { ok: true, value: null }
    );
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('a'), 'a'));
    await h.shell(log.request('execute_request', exec('b', { store_history: false }), 'b'));
    await h.shell(log.request('execute_request', exec('c'), 'c'));
    expect(log.find('execute_reply', 'a').execution_count).toBe(1);
    expect(log.find('execute_reply', 'b').execution_count).toBe(1);
    expect(log.find('execute_input', 'b').execution_count).toBe(1);
    expect(log.find('execute_reply', 'c').execution_count).toBe(2);
    expect(files).toEqual(['cell[1]', 'cell[1.1]', 'cell[2]']);
  });

  it('runs silent cells without publishing anything but status, and without counting them', async () => {
    const ex = new StubExecutor(
      (_c, s) => (s.stdout('hidden'), s.display({ 'text/plain': 'p' }, {}), { ok: true, value: { 'text/plain': '1' } }),
    );
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('x', { silent: true })));
    expect(log.types()).toEqual(['status:busy', 'execute_reply', 'status:idle']);
    expect(log.find('execute_reply').execution_count).toBe(0);
    expect(h.history.size).toBe(0);
  });

  it('aborts execute requests queued before an error when stop_on_error is set, and only those', async () => {
    const ex = new StubExecutor(async (code) => (await tick(), code === 'bad' ? error() : { ok: true, value: null }));
    const h = new KernelHandler(ex, { log: () => {}, abortDrainMs: 1 });
    const log = new Log();
    const done = [
      h.shell(log.request('execute_request', exec('bad'), '1')),
      h.shell(log.request('execute_request', exec('later'), '2')),
      h.shell(log.request('kernel_info_request', {}, 'k')),
      h.shell(log.request('execute_request', exec('later2'), '3')),
    ];
    await Promise.all(done);
    expect(log.find('execute_reply', '2')).toEqual({ status: 'aborted', execution_count: 1 });
    expect(log.find('execute_reply', '3').status).toBe('aborted');
    expect(log.types('2')).toEqual(['status:busy', 'execute_reply', 'status:idle']);
    expect(log.find('kernel_info_reply', 'k').status).toBe('ok'); // only executes are aborted
    expect(ex.runs).toEqual(['bad']);
    await h.shell(log.request('execute_request', exec('after'), '4'));
    expect(log.find('execute_reply', '4').status).toBe('ok');
  });

  it('runs queued requests after an error when stop_on_error is false', async () => {
    const ex = new StubExecutor(async (code) => (await tick(), code === 'bad' ? error() : { ok: true, value: null }));
    const h = new KernelHandler(ex, { log: () => {}, abortDrainMs: 1 });
    const log = new Log();
    await Promise.all([
      h.shell(log.request('execute_request', exec('bad', { stop_on_error: false }), '1')),
      h.shell(log.request('execute_request', exec('next'), '2')),
    ]);
    expect(log.find('execute_reply', '2').status).toBe('ok');
    expect(ex.runs).toEqual(['bad', 'next']);
  });

  it('handles shell requests one at a time, so idle never shows while a cell runs', async () => {
    let release!: () => void;
    const ex = new StubExecutor(() => new Promise((r) => (release = () => r({ ok: true, value: null }))));
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    const first = h.shell(log.request('execute_request', exec('slow'), 'e'));
    const second = h.shell(log.request('kernel_info_request', {}, 'k'));
    await tick();
    expect(log.types()).toEqual(['status:busy', 'execute_input']);
    // the control channel does not wait
    await h.control(log.request('interrupt_request', {}, 'i'));
    expect(ex.interrupts).toBe(1);
    expect(log.types('i')).toEqual(['status:busy', 'interrupt_reply', 'status:idle']);
    release();
    await Promise.all([first, second]);
    const order = log.events
      .filter((e) => e[3] !== 'i')
      .map((e) => `${e[3]}:${e[1] === 'status' ? e[2].execution_state : e[1]}`);
    expect(order).toEqual([
      'e:busy',
      'e:execute_input',
      'e:execute_reply',
      'e:idle',
      'k:busy',
      'k:kernel_info_reply',
      'k:idle',
    ]);
  });

  it('updates displays in place through their display id', async () => {
    const ex = new StubExecutor((_c, s) => {
      s.display({ 'text/plain': '0%' }, { displayId: 'bar' });
      s.display({ 'text/plain': '100%' }, { displayId: 'bar', update: true });
      s.clearOutput(true);
      return { ok: true, value: null };
    });
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('p')));
    expect(log.find('display_data')).toEqual({
      data: { 'text/plain': '0%' },
      metadata: {},
      transient: { display_id: 'bar' },
    });
    expect(log.find('update_display_data')).toEqual({
      data: { 'text/plain': '100%' },
      metadata: {},
      transient: { display_id: 'bar' },
    });
    expect(log.find('clear_output')).toEqual({ wait: true });
  });

  it('offers stdin to the cell only when the request allows it', async () => {
    const answers: (string | null)[] = [];
    const ex = new StubExecutor(
      async (_c, s) => (answers.push(s.input ? await s.input('who? ', false) : null), { ok: true, value: null }),
    );
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('input()', { allow_stdin: true })));
    await h.shell(log.request('execute_request', exec('input()', { allow_stdin: false })));
    expect(answers).toEqual(['typed', null]);
    expect(log.find('input_request')).toEqual({ prompt: 'who? ' });
  });

  it('evaluates user_expressions after the cell', async () => {
    const ex = new StubExecutor((code) =>
      code === 'bad' ? error() : { ok: true, value: { 'text/plain': code.toUpperCase() } },
    );
    const h = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('x = 1', { user_expressions: { a: 'x', b: 'bad' } })));
    const ue = log.find('execute_reply').user_expressions;
    expect(ue.a).toEqual({ status: 'ok', data: { 'text/plain': 'X' }, metadata: {} });
    expect(ue.b).toMatchObject({ status: 'error', ename: 'NameError' });
  });

  it('answers with an error reply, and still goes idle, when the executor itself fails', async () => {
    const ex = new StubExecutor(() => {
      throw new Error('worker gone');
    });
    const logged: string[] = [];
    const h = new KernelHandler(ex, { log: (m) => logged.push(m) });
    const log = new Log();
    await h.shell(log.request('execute_request', exec('x')));
    expect(log.find('execute_reply')).toMatchObject({ status: 'error', ename: 'KernelError', evalue: 'worker gone' });
    expect(log.types().at(-1)).toBe('status:idle');
    expect(logged.join()).toContain('worker gone');
  });
});

describe('KernelHandler other requests', () => {
  const h = new KernelHandler(new StubExecutor(), { log: () => {} });

  it('kernel_info: status ok, protocol 5.3, Nabla language_info with the package version', async () => {
    const log = new Log();
    await h.shell(log.request('kernel_info_request'));
    const info = log.find('kernel_info_reply');
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    expect(info).toMatchObject({
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'nabla',
      implementation_version: version,
    });
    expect(info.language_info).toMatchObject({
      name: 'nabla',
      version,
      mimetype: 'text/x-nabla',
      file_extension: '.nabla',
    });
    expect(info.language_info.codemirror_mode).toBeTruthy();
    expect(info.language_info.pygments_lexer).toBeTruthy();
    expect(info.help_links[0].url).toMatch(/language\.md$/);
    expect(log.types()).toEqual(['status:busy', 'kernel_info_reply', 'status:idle']);
  });

  it('complete, inspect and is_complete pass through, with the cursor defaulting to the end in code points', async () => {
    const log = new Log();
    let seen = -1;
    const ex = new StubExecutor();
    ex.complete = async (_code, cursor) => ((seen = cursor), { matches: ['zeros'], start: cursor - 3, end: cursor });
    const h2 = new KernelHandler(ex, { log: () => {} });
    await h2.shell(log.request('complete_request', { code: '"😀"; zer' }));
    expect(seen).toBe(8); // 8 code points, 9 UTF-16 units
    expect(log.find('complete_reply')).toEqual({
      status: 'ok',
      matches: ['zeros'],
      cursor_start: 5,
      cursor_end: 8,
      metadata: {},
    });
    await h2.shell(log.request('inspect_request', { code: 'zeros', cursor_pos: 2, detail_level: 1 }, 'i1'));
    expect(log.find('inspect_reply', 'i1')).toEqual({
      status: 'ok',
      found: true,
      data: { 'text/plain': 'zeros(*shape)' },
      metadata: {},
    });
    await h2.shell(log.request('inspect_request', { code: 'nothing', cursor_pos: 2, detail_level: 0 }, 'i0'));
    expect(log.find('inspect_reply', 'i0')).toEqual({ status: 'ok', found: false, data: {}, metadata: {} });
    await h2.shell(log.request('is_complete_request', { code: 'fn f() {' }, 'c1'));
    expect(log.find('is_complete_reply', 'c1')).toEqual({ status: 'incomplete', indent: '  ' });
    await h2.shell(log.request('is_complete_request', { code: 'x = 1' }, 'c2'));
    expect(log.find('is_complete_reply', 'c2')).toEqual({ status: 'complete' });
  });

  it('comm_info replies as comm_info_reply with no comms; comm_open is closed at once', async () => {
    const log = new Log();
    await h.shell(log.request('comm_info_request', { target_name: 'jupyter.widget' }));
    expect(log.find('comm_info_reply')).toEqual({ status: 'ok', comms: {} });
    await h.shell(log.request('comm_open', { comm_id: 'c1', target_name: 'jupyter.widget', data: {} }));
    expect(log.find('comm_close')).toEqual({ comm_id: 'c1', data: {} });
  });

  it('shutdown replies, goes idle, then calls onShutdown with the restart flag', async () => {
    const log = new Log();
    const calls: boolean[] = [];
    const h2 = new KernelHandler(new StubExecutor(), { log: () => {}, onShutdown: (r) => calls.push(r) });
    await h2.control(log.request('shutdown_request', { restart: true }));
    expect(log.types()).toEqual(['status:busy', 'shutdown_reply', 'status:idle']);
    expect(log.find('shutdown_reply')).toEqual({ status: 'ok', restart: true });
    expect(calls).toEqual([true]);
  });

  it('history: tail, range and search (glob, unique, n), with or without outputs', async () => {
    const ex = new StubExecutor((code) =>
      code.startsWith('bad') ? error() : { ok: true, value: code.startsWith('x') ? null : { 'text/plain': code } },
    );
    const h2 = new KernelHandler(ex, { log: () => {} });
    const log = new Log();
    for (const code of ['x = 1', '1 + 2', 'bad', '1 + 2', '1 + 3'])
      await h2.shell(log.request('execute_request', exec(code, { stop_on_error: false }), code));
    const ask = async (q: Record<string, unknown>) => {
      const l = new Log();
      await h2.shell(l.request('history_request', { output: false, raw: true, ...q }));
      return l.find('history_reply').history;
    };
    expect(await ask({ hist_access_type: 'tail', n: 2 })).toEqual([
      [1, 4, '1 + 2'],
      [1, 5, '1 + 3'],
    ]);
    expect(await ask({ hist_access_type: 'tail', n: 1, output: true })).toEqual([[1, 5, ['1 + 3', '1 + 3']]]);
    expect(await ask({ hist_access_type: 'range', session: 1, start: 2, stop: 4 })).toEqual([
      [1, 2, '1 + 2'],
      [1, 3, 'bad'],
    ]);
    expect(await ask({ hist_access_type: 'range', session: 0, start: 3, stop: 4, output: true })).toEqual([
      [1, 3, ['bad', null]],
    ]);
    expect(await ask({ hist_access_type: 'range', session: 7, start: 1 })).toEqual([]);
    expect(await ask({ hist_access_type: 'search', pattern: '1 + *' })).toHaveLength(3);
    expect(await ask({ hist_access_type: 'search', pattern: '1 + *', unique: true })).toEqual([
      [1, 4, '1 + 2'],
      [1, 5, '1 + 3'],
    ]);
    expect(await ask({ hist_access_type: 'search', pattern: '1 + ?', n: 1 })).toEqual([[1, 5, '1 + 3']]);
  });

  it('ignores message types it does not know, but still reports busy and idle', async () => {
    const log = new Log();
    const logged: string[] = [];
    const h2 = new KernelHandler(new StubExecutor(), { log: (m) => logged.push(m) });
    await h2.shell(log.request('usage_request'));
    expect(log.types()).toEqual(['status:busy', 'status:idle']);
    expect(logged[0]).toContain('usage_request');
  });
});
