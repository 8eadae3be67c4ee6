// openSession (compiler/open-session.ts): the one way front ends open the language. Engines load the first
// time a program names a builtin that draws with them, from its tokens (not its text), and only then.
import { describe, expect, it } from 'vitest';
import { openSession } from '../../compiler';
import { chartsLoaded } from '../../display';
import { backendReport } from '../../runtime';
import { graphvizLoaded } from '../../runtime/explain';

function sink() {
  const out = { text: '', err: '', bundles: [] as Record<string, unknown>[] };
  return {
    out,
    sinks: {
      stdout: (t: string) => void (out.text += t),
      stderr: (t: string) => void (out.err += t),
      display: (b: Record<string, unknown>) => void out.bundles.push(b),
    },
  };
}

describe('openSession', () => {
  it('loads Vega only when a program calls plot, and then the chart has its SVG', async () => {
    const { out, sinks } = sink();
    const s = openSession({ out: sinks });
    // the name in a string or a comment is not a use
    expect((await s.run('print("plot(x)")  # plot(y)')).ok).toBe(true);
    expect(chartsLoaded()).toBe(false);
    const r = await s.run('plot([1, 2, 3])');
    expect(r.ok).toBe(true);
    expect(chartsLoaded()).toBe(true);
    expect(
      out.bundles.some(
        (b) => typeof b['image/svg+xml'] === 'string' && (b['image/svg+xml'] as string).includes('<svg'),
      ),
    ).toBe(true);
    expect(out.err).toBe('');
  }, 120_000);

  it('has Graphviz in when a program that calls graph() runs', async () => {
    const { sinks } = sink();
    const s = openSession();
    const r = await s.run('x = tensor([1.0, 2.0], requires_grad=true)\nL = sum(x * x)\ng = graph(L)\nprint(g)', sinks);
    expect(r.ok).toBe(true);
    expect(graphvizLoaded()).toBe(true);
  }, 120_000);

  it('selects the backend it is given, and refuses one that cannot run here before anything runs', () => {
    expect(openSession({ backend: 'js' }).backend?.chosen).toBe('js');
    expect(backendReport().chosen).toBe('js');
    expect(() => openSession({ backend: 'webgl2' })).toThrow(
      /backend 'webgl2' cannot run here: WebGL2 exists only in browsers/,
    );
    expect(() => openSession({ backend: 'nope' })).toThrow(/unknown backend 'nope'/);
    expect(openSession({ backend: 'auto' }).backend?.why).toMatch(/first available|NABLA_BACKEND/);
  });

  it("keeps the Session's contract: a failed run is data with its diagnostics, and state persists", async () => {
    const s = openSession();
    expect((await s.run('a = 41')).ok).toBe(true);
    const r = await s.run('b = a + nope');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ kind: 'NameError', places: [{ line: 1, col: 9, label: '' }] });
    const v = await s.run('a + 1');
    expect(v.ok && v.value?.['text/plain']).toBe('42');
  });
});
