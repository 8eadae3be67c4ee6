import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as nb from '../../runtime';
import { chartsLoaded, loadCharts, plot, renderSvg, scatter, seriesSpec, VEGALITE_MIME } from '../../display';
import { MAX_POINTS } from '../../display/chart';

type Spec = {
  data: { values: { x: number | null; y: number | null; series: string }[] };
  mark: { type: string };
  encoding: Record<string, { title?: unknown }>;
};
const spec = (b: Record<string, unknown>) => b[VEGALITE_MIME] as Spec;

describe('charts', () => {
  beforeAll(() => loadCharts(), 60_000);

  it('plot(x, y, label) is a Vega-Lite line chart with Vega-rendered SVG and a text description', () => {
    const b = plot(nb.tensor([0, 1, 2]), [0, 1, 4], { label: 'x²' });
    expect(Object.keys(b).sort()).toEqual(['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain']);
    expect(b['text/plain']).toBe('<line chart: x²: 3 points>');
    const s = spec(b);
    expect(s.mark.type).toBe('line');
    expect(s.data.values).toEqual([
      { x: 0, y: 0, series: 'x²' },
      { x: 1, y: 1, series: 'x²' },
      { x: 2, y: 4, series: 'x²' },
    ]);
    expect(s.encoding.color).toBeDefined();
    expect(Object.getOwnPropertySymbols(s.data.values[0])).toEqual([]); // rendering did not tag the bundle's data
    const svg = b['image/svg+xml'] as string;
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('x²'); // the legend
  });

  it('renders the same SVG synchronously as vega-view renders asynchronously', async () => {
    const vega = await import('vega');
    const vl = await import('vega-lite');
    const s = seriesSpec(
      [
        { x: [1, 2, 3], y: [3, 1, 2], label: 'a' },
        { x: [1, 2, 3], y: [1, 2, 3], label: 'b' },
      ],
      'line',
      { title: 'T' },
    );
    const view = new vega.View(vega.parse(vl.compile(s as never).spec), { renderer: 'none' });
    const expected = await view.toSVG();
    view.finalize();
    expect(renderSvg(s)).toBe(expected);
  });

  it('plot(history) draws one line per named series, counting steps from 0', () => {
    const b = plot(
      new Map<string, unknown>([
        ['loss', [3, 2, 1]],
        ['val', nb.tensor([3.5, 2.5, 2])],
      ]),
    );
    const s = spec(b);
    expect(new Set(s.data.values.map((v) => v.series))).toEqual(new Set(['loss', 'val']));
    expect(s.data.values.filter((v) => v.series === 'val').map((v) => v.x)).toEqual([0, 1, 2]);
    expect(s.encoding.x.title).toBe('step');
    expect(b['text/plain']).toBe('<line chart: loss: 3 points, val: 3 points>');
    expect(spec(plot([5, 4, 3])).data.values.map((v) => v.x)).toEqual([0, 1, 2]);
  });

  it('plot(x, [y1, y2], label=[...]) overlays series', () => {
    const s = spec(plot([1, 2], [[1, 2], nb.tensor([2, 1])], { label: ['up', 'down'] }));
    expect(s.data.values.map((v) => v.series)).toEqual(['up', 'up', 'down', 'down']);
  });

  it('scatter draws points; non-finite values become nulls that Vega-Lite skips', () => {
    const b = scatter([1, 2, 3], [1, NaN, Infinity]);
    const s = spec(b);
    expect(s.mark.type).toBe('point');
    expect(s.data.values.map((v) => v.y)).toEqual([1, null, null]);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.encoding.color).toBeUndefined(); // one unlabelled series needs no legend
  });

  it('says what is wrong with bad input, naming the function', () => {
    expect(() => plot([1, 2], [1])).toThrow(/plot: x has 2 values but y has 1/);
    expect(() => plot([1, 'a'])).toThrow(/plot: item 1 of y is not a number/);
    expect(() => scatter([1], null)).toThrow(/scatter: give both x and y/);
    expect(() => plot(nb.complex(nb.tensor([1]), nb.tensor([1])))).toThrow(/complex; plot real/);
    expect(() => plot(5)).toThrow(/must be a tensor or a list/);
  });

  it('thins long series to MAX_POINTS, keeping the first and last', () => {
    const n = MAX_POINTS * 3 + 7;
    const ys = Array.from({ length: n }, (_, i) => i);
    const values = spec(plot(ys)).data.values;
    expect(values).toHaveLength(MAX_POINTS);
    expect(values[0].y).toBe(0);
    expect(values.at(-1)!.y).toBe(n - 1);
  });

  it('without the engine loaded, bundles carry the spec and text but no SVG', async () => {
    vi.resetModules();
    const fresh = await import('../../display/chart');
    expect(fresh.chartsLoaded()).toBe(false);
    const b = fresh.plot([1, 2, 3]);
    expect(b[VEGALITE_MIME]).toBeDefined();
    expect(b['image/svg+xml']).toBeUndefined();
    expect(chartsLoaded()).toBe(true);
  });
});
