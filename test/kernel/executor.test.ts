import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerExecutor } from '../../kernel/executor';
import type { RunSinks } from '../../kernel/types';

/**
 * The executor without Jupyter (STYLE 11): a real worker thread running test/kernel/fake-session.ts, the toy
 * language whose extras (hang, crash, grow, input) make the worker misbehave on purpose.
 */
const FAKE = new URL('./fake-session.ts', import.meta.url).href;

function recorder(input: RunSinks['input'] = null) {
  const events: string[] = [];
  const sinks: RunSinks = {
    stdout: (t) => void events.push(`out:${t}`),
    stderr: (t) => void events.push(`err:${t}`),
    display: (b, o) => void events.push(`display:${Object.keys(b).join(',')}:${o.displayId ?? ''}:${!!o.update}`),
    clearOutput: (w) => void events.push(`clear:${w}`),
    input,
  };
  return { events, sinks };
}

const quiet = () => recorder().sinks;

describe('WorkerExecutor', () => {
  let ex: WorkerExecutor;
  beforeAll(async () => {
    ex = new WorkerExecutor({ sessionModule: FAKE, interruptGraceMs: 800, log: () => {} });
    expect(await ex.ready).toEqual([]);
  }, 60_000);
  afterAll(() => ex.close());

  it('keeps state across runs and forwards output as the cell produces it', async () => {
    const r = recorder();
    expect(await ex.run('x = 41', r.sinks)).toEqual({ ok: true, value: null });
    expect(await ex.run('print(x)\neprint("e")\ndisplay(zeros(2, 2))\nx + 1', r.sinks)).toEqual({
      ok: true,
      value: { 'text/plain': '42' },
    });
    expect(r.events).toEqual(['out:41\n', 'err:e\n', 'display:text/plain,text/html::false']);
  });

  it('returns errors as data and keeps earlier state', async () => {
    const r = await ex.run('y = nope + 1', quiet());
    expect(r).toMatchObject({ ok: false, ename: 'NameError' });
    expect(await ex.run('x', quiet())).toEqual({ ok: true, value: { 'text/plain': '41' } });
  });

  it('stops an endless loop at its next interrupt check; the state survives', async () => {
    const running = ex.run('while true { }', quiet());
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    expect(ex.interrupt()).toBe(true);
    const r = await running;
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r).toMatchObject({ ok: false, ename: 'KeyboardInterrupt' });
    expect(await ex.run('x', quiet())).toEqual({ ok: true, value: { 'text/plain': '41' } });
  });

  it('ignores an interrupt with nothing running, and a late one cannot stop the next cell', async () => {
    expect(ex.interrupt()).toBe(false);
    const first = ex.run('x', quiet());
    ex.interrupt(); // may land after the cell finished
    await first;
    expect(await ex.run('for i in progress(range(3)) { }\nx', quiet())).toEqual({
      ok: true,
      value: { 'text/plain': '41' },
    });
  });

  it('answers input requests through the sink, and refuses when the front end cannot', async () => {
    const prompts: string[] = [];
    const r = recorder(async (prompt) => (prompts.push(prompt), 'Ada'));
    expect(await ex.run('name = input("who? ")\nname', r.sinks)).toEqual({
      ok: true,
      value: { 'text/plain': '"Ada"' },
    });
    expect(prompts).toEqual(['who? ']);
    expect(await ex.run('input("again")', quiet())).toMatchObject({
      ok: false,
      evalue: expect.stringContaining('allow_stdin'),
    });
  });

  it('interrupts a cell waiting for input', async () => {
    const running = ex.run('input("never answered")', recorder(() => new Promise<string>(() => {})).sinks);
    await new Promise((r) => setTimeout(r, 200));
    ex.interrupt();
    expect(await running).toMatchObject({ ok: false, ename: 'KeyboardInterrupt' });
  });

  it('delegates complete, inspect and is_complete, with code-point cursors', async () => {
    const code = '"😀" ; pri';
    expect(await ex.complete(code, [...code].length)).toEqual({ matches: ['print'], start: 6, end: 9 });
    expect(await ex.inspect('print(1)', 2, 0)).toMatchObject({ found: true });
    expect(await ex.isComplete('fn f(a) {')).toEqual({ status: 'incomplete', indent: '  ' });
  });

  it('replaces a worker that ignores an interrupt, and says the state is gone', async () => {
    const running = ex.run('hang()', quiet());
    await new Promise((r) => setTimeout(r, 100));
    ex.interrupt();
    const r = await running;
    expect(r).toMatchObject({ ok: false, ename: 'KeyboardInterrupt' });
    expect(!r.ok && r.evalue).toMatch(/did not stop within 0.8 s.*all variables and definitions are gone/);
    await ex.ready;
    expect(await ex.run('x', quiet())).toMatchObject({ ok: false, ename: 'NameError' });
    expect(await ex.run('x = 7\nx', quiet())).toEqual({ ok: true, value: { 'text/plain': '7' } });
  }, 60_000);

  it('survives the worker ending itself', async () => {
    const r = await ex.run('crash()', quiet());
    expect(r).toMatchObject({ ok: false, ename: 'InterpreterDied', evalue: expect.stringContaining('exit code 3') });
    await ex.ready;
    expect(await ex.run('1 + 2', quiet())).toEqual({ ok: true, value: { 'text/plain': '3' } });
  }, 60_000);
});

describe('WorkerExecutor limits and start-up failures', () => {
  it('ends only the worker when a cell exhausts its heap', async () => {
    const ex = new WorkerExecutor({ sessionModule: FAKE, heapLimitMb: 96, log: () => {} });
    try {
      await ex.ready;
      const r = await ex.run('grow()', quiet());
      expect(r).toMatchObject({
        ok: false,
        ename: 'InterpreterDied',
        evalue: expect.stringContaining('ran out of memory'),
      });
      await ex.ready;
      expect(await ex.run('1 + 1', quiet())).toEqual({ ok: true, value: { 'text/plain': '2' } });
    } finally {
      await ex.close();
    }
  }, 120_000);

  it('still starts when the language cannot be loaded, and says why on every run', async () => {
    const logged: string[] = [];
    const ex = new WorkerExecutor({ sessionModule: '/nonexistent/language.ts', log: (m) => logged.push(m) });
    try {
      const warnings = await ex.ready;
      expect(warnings.some((w) => w.includes('/nonexistent/language.ts'))).toBe(true);
      expect(logged.some((m) => m.includes('could not be loaded from /nonexistent/language.ts'))).toBe(true);
      const r = await ex.run('x = 1', quiet());
      expect(r).toMatchObject({
        ok: false,
        ename: 'KernelSetupError',
        evalue: expect.stringContaining('/nonexistent/language.ts'),
      });
      expect(await ex.complete('pr', 2)).toEqual({ matches: [], start: 2, end: 2 });
    } finally {
      await ex.close();
    }
  }, 60_000);

  it('settles a running cell when closed', async () => {
    const ex = new WorkerExecutor({ sessionModule: FAKE, log: () => {} });
    await ex.ready;
    const running = ex.run('while true { }', quiet());
    await new Promise((r) => setTimeout(r, 100));
    await ex.close();
    expect(await running).toMatchObject({ ok: false, evalue: 'the kernel shut down' });
  }, 60_000);
});
