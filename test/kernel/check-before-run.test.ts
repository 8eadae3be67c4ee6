import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerExecutor } from '../../kernel/executor';
import { KernelHandler, type Request } from '../../kernel/handler';

/**
 * The kernel checks each cell before running it (issue 13, item 6): Nabla itself in the kernel's worker
 * thread, driven through the handler as a front end's execute_request would be. A cell the checker finds
 * errors in gets one error listing all of them and does not run; the session keeps what earlier cells made.
 */
const NABLA = new URL('../../compiler/index.ts', import.meta.url).href;

type Event = [kind: 'iopub' | 'reply', msgType: string, content: Record<string, any>];

function request(code: string, events: Event[]): Request {
  return {
    msgType: 'execute_request',
    content: {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    },
    publish: (t, c) => void events.push(['iopub', t, c]),
    reply: (t, c) => void events.push(['reply', t, c]),
    input: async () => '',
  };
}

describe('the kernel checks a cell before running it', () => {
  let ex: WorkerExecutor;
  let handler: KernelHandler;
  beforeAll(async () => {
    ex = new WorkerExecutor({ sessionModule: NABLA, log: () => {} });
    await ex.ready;
    handler = new KernelHandler(ex, { log: () => {} });
  }, 120_000);
  afterAll(() => ex.close());

  const execute = async (code: string) => {
    const events: Event[] = [];
    await handler.shell(request(code, events));
    return events;
  };

  it('answers a cell with two static errors with one error listing both, runs none of it, and keeps earlier variables', async () => {
    const first = await execute('x = 3.0\nfn double(a) = 2 * a');
    expect(first.find((e) => e[1] === 'execute_reply')?.[2].status).toBe('ok');

    const bad = await execute('print("not run")\nx = 0\ny = tahn(x)\nz = sum(double(x), dim=0)');
    const errors = bad.filter((e) => e[1] === 'error');
    expect(errors).toHaveLength(1);
    expect(bad.filter((e) => e[1] === 'stream')).toEqual([]); // nothing ran, so nothing printed
    const { ename, evalue, traceback } = errors[0][2];
    expect(ename).toBe('CheckError');
    expect(evalue).toMatch(/^2 problems found before running/);
    expect(traceback).toHaveLength(3);
    expect(traceback[0]).toMatch(/^cell\[2\]:3:5: error: 'tahn' is not defined; did you mean 'tanh'/);
    expect(traceback[1]).toMatch(/^cell\[2\]:4:20: error: sum\(\) has no parameter named 'dim'; did you mean 'axis'\?/);
    expect(traceback[2]).toMatch(/nothing ran, and every variable is as it was/);
    expect(bad.find((e) => e[1] === 'execute_reply')?.[2]).toMatchObject({ status: 'error', ename: 'CheckError' });

    // x is still 3 (the refused cell's `x = 0` never ran), and double from the first cell still works
    const later = await execute('double(x)');
    expect(later.find((e) => e[1] === 'execute_result')?.[2].data['text/plain']).toBe('6');
  }, 120_000);

  it('lets a cell use what an earlier cell defined, and still reports run-time errors when they happen', async () => {
    await execute('w = tensor([1.0, 2.0])');
    const ok = await execute('sum(w * w)');
    expect(ok.find((e) => e[1] === 'execute_result')?.[2].data['text/plain']).toMatch(/5/);
    const runtime = await execute('print("before")\nzeros(2) @ zeros(3)');
    expect(
      runtime
        .filter((e) => e[1] === 'stream')
        .map((e) => e[2].text)
        .join(''),
    ).toBe('before\n');
    expect(runtime.find((e) => e[1] === 'error')?.[2].ename).not.toBe('CheckError');
  }, 120_000);
});
