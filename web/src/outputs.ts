// Outputs under a cell, drawn from MIME bundles as Jupyter front ends draw them: the richest type the page
// can show wins (a chart's SVG, display/'s HTML tensor table, an image, text). Bundles come from display/
// (the same code the kernel uses), or from an imported notebook, so HTML is sanitized (sanitize.ts) and SVG is
// shown as an image (which cannot run script or load anything).
import { chartsLoaded, loadCharts, renderSvg, STEPS_MIME, VEGALITE_MIME, type StepsPayload } from '../../display';
import type { CellOutput, MimeBundle } from './notebook';
import { sanitizedHtml, vegaSpecRefusal } from './sanitize';
import { renderStepper } from './stepper';

const VEGALITE_TYPES = [VEGALITE_MIME, 'application/vnd.vegalite.v4+json', 'application/vnd.vegalite.v6+json'];

export interface RenderContext {
  /** Rewrites file names in tracebacks (`cell-c1ab…` → `cell 3`). */
  label(text: string): string;
  /** Called when a traceback place is clicked. */
  reveal?(file: string, line: number, col: number): void;
}

export function renderOutput(o: CellOutput, ctx: RenderContext): HTMLElement {
  switch (o.output_type) {
    case 'stream': {
      const pre = el('pre', `output stream ${o.name}`);
      pre.textContent = o.text;
      return pre;
    }
    case 'error':
      return renderError(o, ctx);
    case 'display_data':
    case 'execute_result': {
      const box = el('div', `output ${o.output_type === 'execute_result' ? 'result' : 'display'}`);
      box.append(renderBundle(o.data, isTrusted(o)));
      return box;
    }
  }
}

function renderError(o: Extract<CellOutput, { output_type: 'error' }>, ctx: RenderContext): HTMLElement {
  const box = el('div', 'output error');
  const lines = o.traceback.length ? o.traceback : [`${o.ename}: ${o.evalue}`];
  const head = lines[0].split('\n', 1)[0];
  if (!head.includes(o.ename)) {
    const name = el('div', 'ename');
    name.textContent = `${o.ename}: ${o.evalue}`;
    box.append(name);
  }
  for (const entry of lines) {
    const pre = el('pre', 'traceback');
    const m = /^(.+?):(\d+):(\d+): /.exec(entry);
    if (m && ctx.reveal) {
      const link = el('a', 'place') as HTMLAnchorElement;
      link.textContent = ctx.label(m[0].slice(0, -2));
      link.href = '#';
      link.title = 'show this line';
      const [file, line, col] = [m[1], Number(m[2]), Number(m[3])];
      link.addEventListener('click', (e) => {
        e.preventDefault();
        ctx.reveal?.(file, line, col);
      });
      pre.append(link, document.createTextNode(': ' + ctx.label(entry.slice(m[0].length))));
    } else {
      pre.textContent = ctx.label(entry);
    }
    box.append(pre);
  }
  return box;
}

/**
 * Outputs this page's own session produced. Anything else (an imported notebook's stored outputs, outputs
 * restored from localStorage) is untrusted, as in Jupyter: its HTML is shown sanitized, a chart that would
 * load data is refused, and a note says to run the cell to recompute it.
 */
const trustedOutputs = new WeakSet<CellOutput>();
export function trust(o: CellOutput): CellOutput {
  trustedOutputs.add(o);
  return o;
}
export function isTrusted(o: CellOutput): boolean {
  return trustedOutputs.has(o);
}

/**
 * How each MIME type is drawn, richest first: the first type a bundle carries wins. A type the playground
 * draws with its own code goes before text/html, so that a bundle meant for Jupyter front ends (HTML with
 * its own script, which is never run here) is shown by the page's code instead.
 */
type Renderer = (value: unknown, b: MimeBundle, trusted: boolean) => HTMLElement | null;
export const RENDERERS: [mimes: readonly string[], render: Renderer][] = [
  [
    [STEPS_MIME],
    (v, b) => (v && typeof v === 'object' ? renderStepper(v as StepsPayload, String(b['text/plain'] ?? '')) : null),
  ],
  [['image/svg+xml'], (v) => (typeof v === 'string' ? svgImage(v, 'chart') : null)],
  [VEGALITE_TYPES, (v, b) => (v && typeof v === 'object' ? vegaChart(v as Record<string, unknown>, b) : null)],
  [['text/html'], (v, _b, trusted) => (typeof v === 'string' ? htmlOutput(v, trusted) : null)],
  ...(['image/png', 'image/jpeg', 'image/gif'] as const).map((mime): [string[], Renderer] => [
    [mime],
    (v) => (typeof v === 'string' ? rasterImage(mime, v) : null),
  ]),
];

/** The element for one bundle (`trusted`: made by this page's session, see trust()). */
export function renderBundle(b: MimeBundle, trusted = false): HTMLElement {
  for (const [mimes, render] of RENDERERS) {
    for (const mime of mimes) {
      if (!(mime in b)) continue;
      const e = render(b[mime], b, trusted);
      if (e) return e;
    }
  }
  const pre = el('pre', 'text');
  pre.textContent = String(b['text/plain'] ?? JSON.stringify(b));
  return pre;
}

function vegaChart(spec: Record<string, unknown>, b: MimeBundle): HTMLElement {
  const holder = el('div', 'chart pending');
  holder.textContent = String(b['text/plain'] ?? 'chart');
  const fail = (e: unknown) => {
    holder.classList.add('failed');
    holder.textContent = `${String(b['text/plain'] ?? 'chart')} (not drawn: ${(e as Error)?.message ?? e})`;
  };
  // Vega's loader would fetch a `url` from wherever the spec says: such a chart is not drawn at all
  const refusal = vegaSpecRefusal(spec);
  if (refusal) {
    fail(new Error(refusal));
    return holder;
  }
  // No SVG in the bundle (charts were not loaded when it was made): draw it here with display/'s Vega.
  const draw = () => {
    try {
      const s = renderSvg(spec);
      if (s) holder.replaceWith(svgImage(s, 'chart'));
      else fail(new Error('the chart engine did not load'));
    } catch (e) {
      fail(e);
    }
  };
  if (chartsLoaded()) {
    try {
      const s = renderSvg(spec);
      if (s) return svgImage(s, 'chart');
    } catch (e) {
      fail(e);
      return holder;
    }
  }
  void loadCharts().then(draw, fail);
  return holder;
}

function htmlOutput(html: string, trusted: boolean): HTMLElement {
  const div = el('div', 'html');
  div.append(sanitizedHtml(html));
  if (trusted) return div;
  const box = el('div', 'untrusted');
  const note = el('div', 'trust-note');
  note.textContent =
    'Stored output from a file, shown without its scripts, styles and external content: run the cell to recompute it.';
  box.append(div, note);
  return box;
}

function rasterImage(mime: string, data: string): HTMLElement {
  const img = el('img', 'image') as HTMLImageElement;
  img.src = `data:${mime};base64,${data.replace(/\s+/g, '')}`;
  return img;
}

function svgImage(svg: string, cls: string): HTMLElement {
  // as an image, SVG can run no script and load nothing
  const img = el('img', cls) as HTMLImageElement;
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  img.alt = 'chart';
  return img;
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
