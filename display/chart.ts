import { NablaError, Tensor } from '../runtime';
import type { MimeBundle } from './bundle';

/**
 * Charts for `plot`, `scatter` and `plot(history)`: a Vega-Lite spec (JupyterLab and Notebook 7 render it
 * interactively) plus an SVG rendered here by Vega itself, so nbconvert and any front end without a Vega
 * renderer still show the picture, and text/plain says what the chart is.
 *
 * Vega and Vega-Lite are ES modules with top-level await, so they cannot be loaded synchronously from inside
 * a running cell: `loadCharts()` loads them once (the kernel's worker awaits it at start-up). Until it has
 * resolved, bundles carry the Vega-Lite spec without the SVG.
 */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** Points per series kept in a bundle; longer series are thinned evenly (first and last kept). */
export const MAX_POINTS = 5000;

export interface Series {
  x: number[];
  y: number[];
  label: string;
}

export interface ChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

export type VegaLiteSpec = Record<string, unknown>;

type VegaModule = typeof import('vega');
/** vega-scenegraph's SVG string renderer, as `renderModule('svg').headless` gives it (absent from vega's typings). */
type HeadlessSvgConstructor = new (loader: unknown) => {
  initialize(el: null, width: number, height: number, origin: [number, number], scaleFactor: number): unknown;
  background(color: unknown): unknown;
  render(scene: unknown): unknown;
  svg(): string;
};
type VegaLiteModule = typeof import('vega-lite');
let engine: { vega: VegaModule; vl: VegaLiteModule } | null = null;
let loading: Promise<void> | null = null;

export function loadCharts(): Promise<void> {
  loading ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => {
    engine = { vega, vl };
  });
  return loading;
}

export function chartsLoaded(): boolean {
  return engine !== null;
}

/**
 * Vega's own SVG, computed synchronously. `view.toSVG()` is async only because it awaits the dataflow and
 * image loading; with inline data and no images both finish within `run()`, so this builds the same string
 * renderer `toSVG` builds (vega-view's renderHeadless) and renders at once. test/display/chart.test.ts checks
 * the result equals `toSVG()`'s, which guards the use of the view's size fields across Vega upgrades.
 */
export function renderSvg(spec: VegaLiteSpec): string | null {
  if (!engine) return null;
  const { vega, vl } = engine;
  // Vega tags each datum it ingests (a symbol-keyed id); it gets a copy, so the spec in the bundle stays plain JSON
  const view = new vega.View(vega.parse(vl.compile(JSON.parse(JSON.stringify(spec))).spec), { renderer: 'none' });
  try {
    view.run();
    const v = view as unknown as { _viewWidth?: number; _viewHeight?: number; _origin?: [number, number] };
    const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
    const w = (v._viewWidth ?? view.width()) + pad.left + pad.right;
    const h = (v._viewHeight ?? view.height()) + pad.top + pad.bottom;
    const origin = v._origin ?? [0, 0];
    const Headless = (
      vega as unknown as { renderModule(type: 'svg'): { headless: HeadlessSvgConstructor } }
    ).renderModule('svg').headless;
    const r = new Headless(view.loader());
    r.initialize(null, Math.max(0, w), Math.max(0, h), [pad.left + origin[0], pad.top + origin[1]], 1);
    r.background(view.background());
    r.render((view.scenegraph() as unknown as { root: unknown }).root);
    return r.svg();
  } finally {
    view.finalize();
  }
}

/** The bundle for a Vega-Lite spec: the spec, its SVG when the engine is loaded, and a text description. */
export function chartBundle(spec: VegaLiteSpec, text: string): MimeBundle {
  const bundle: MimeBundle = { 'text/plain': text, [VEGALITE_MIME]: spec };
  const svg = renderSvg(spec);
  if (svg) bundle['image/svg+xml'] = svg;
  return bundle;
}

/** A Vega-Lite spec drawing each series as a line (`mark: 'line'`) or as points (`'point'`). */
export function seriesSpec(series: Series[], mark: 'line' | 'point', opts: ChartOptions = {}): VegaLiteSpec {
  const values: { x: number | null; y: number | null; series: string }[] = [];
  for (const s of series) {
    const keep = thin(s.x.length);
    for (const i of keep) values.push({ x: finite(s.x[i]), y: finite(s.y[i]), series: s.label });
  }
  const labelled = series.length > 1 || series.some((s) => s.label !== '');
  const encoding: Record<string, unknown> = {
    x: { field: 'x', type: 'quantitative', title: opts.xLabel ?? 'x' },
    y: { field: 'y', type: 'quantitative', title: opts.yLabel ?? 'y', scale: { zero: false } },
  };
  if (labelled) encoding.color = { field: 'series', type: 'nominal', title: null, sort: null };
  const few = values.length <= 60;
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: opts.title } : {}),
    width: opts.width ?? 400,
    height: opts.height ?? 250,
    data: { values },
    mark:
      mark === 'line' ? { type: 'line', point: few, tooltip: true } : { type: 'point', filled: true, tooltip: true },
    encoding,
  };
}

/** JSON has no NaN or infinities; Vega-Lite drops nulls from the marks. */
const finite = (v: number) => (Number.isFinite(v) ? v : null);

function thin(n: number): number[] {
  if (n <= MAX_POINTS) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: MAX_POINTS }, (_, k) => Math.round((k * (n - 1)) / (MAX_POINTS - 1)));
}

function describe(kind: string, series: Series[], opts: ChartOptions): string {
  const what = series.map((s) => `${s.label ? s.label + ': ' : ''}${s.x.length} points`).join(', ');
  return `<${kind}${opts.title ? ` "${opts.title}"` : ''}: ${what}>`;
}

/** The numbers of a tensor, list or other iterable of numbers (one-element tensors count as numbers). */
export function toNumbers(v: unknown, fn: string, what: string): number[] {
  if (v instanceof Tensor) {
    if (v.dtype === 'complex64')
      throw new NablaError(`${fn}: ${what} is complex; plot real(${what}) or abs(${what})`, fn, 'TypeError');
    return Array.from(v.toHost());
  }
  if (typeof v === 'object' && v !== null && (Array.isArray(v) || Symbol.iterator in v)) {
    return Array.from(v as Iterable<unknown>, (item, i) => {
      if (typeof item === 'number') return item;
      if (typeof item === 'boolean') return item ? 1 : 0;
      if (item instanceof Tensor && item.size === 1 && item.dtype !== 'complex64') return item.toHost()[0];
      throw new NablaError(`${fn}: item ${i} of ${what} is not a number`, fn, 'TypeError');
    });
  }
  throw new NablaError(`${fn}: ${what} must be a tensor or a list of numbers`, fn, 'TypeError');
}

export interface PlotOptions extends ChartOptions {
  /** One label, or one per series when y is a list of series. */
  label?: string | string[] | null;
}

/**
 * `plot(x, y, label=)`, `plot(y)` (x counts from 0), and `plot(history)` where history is a list of
 * numbers (one line per step) or a map from names to lists (one line each, e.g. {loss: ..., val: ...}).
 * y may also be a list of series, one line each, with a list of labels.
 */
export function plot(x: unknown, y?: unknown, opts: PlotOptions = {}): MimeBundle {
  const series = collectSeries('plot', x, y, opts.label);
  const o = { ...opts };
  if (y === undefined || y === null) o.xLabel ??= 'step';
  return chartBundle(seriesSpec(series, 'line', o), describe('line chart', series, o));
}

/** `scatter(x, y, label=)`: points instead of lines. */
export function scatter(x: unknown, y: unknown, opts: PlotOptions = {}): MimeBundle {
  if (y === undefined || y === null)
    throw new NablaError('scatter: give both x and y, e.g. scatter(x, y)', 'scatter', 'TypeError');
  const series = collectSeries('scatter', x, y, opts.label);
  return chartBundle(seriesSpec(series, 'point', opts), describe('scatter plot', series, opts));
}

function collectSeries(fn: string, x: unknown, y: unknown, label: PlotOptions['label']): Series[] {
  const labels = Array.isArray(label) ? label : label ? [label] : [];
  if (y === undefined || y === null) {
    // plot(history): a map (or plain object) of named series, or one series
    const entries = x instanceof Map ? [...x.entries()] : isPlainObject(x) ? Object.entries(x) : null;
    if (entries) {
      return entries.map(([k, v]) => {
        const ys = toNumbers(v, fn, String(k));
        return { x: ys.map((_, i) => i), y: ys, label: String(k) };
      });
    }
    const ys = toNumbers(x, fn, 'y');
    return [{ x: ys.map((_, i) => i), y: ys, label: labels[0] ?? '' }];
  }
  const xs = toNumbers(x, fn, 'x');
  const ySeries = isSeriesList(y) ? [...(y as Iterable<unknown>)] : [y];
  return ySeries.map((ys, k) => {
    const yv = toNumbers(ys, fn, ySeries.length > 1 ? `y[${k}]` : 'y');
    if (yv.length !== xs.length) {
      throw new NablaError(
        `${fn}: x has ${xs.length} values but ${ySeries.length > 1 ? `y[${k}]` : 'y'} has ${yv.length}; they must match`,
        fn,
        'ValueError',
      );
    }
    return { x: xs, y: yv, label: labels[k] ?? '' };
  });
}

/** A list whose items are themselves series (tensors or lists), as in plot(x, [y1, y2]). */
function isSeriesList(y: unknown): boolean {
  if (!Array.isArray(y) || y.length === 0) return false;
  return y.every((item) => (item instanceof Tensor && item.size !== 1) || Array.isArray(item));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}
