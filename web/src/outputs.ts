// Outputs under a cell, drawn from MIME bundles as Jupyter front ends draw them: the richest type the page
// can show wins (a chart's SVG, display/'s HTML tensor table, an image, text). Bundles come from display/
// (the same code the kernel uses), or from an imported notebook, so HTML is sanitized and SVG is shown as
// an image (which cannot run script).
import { chartsLoaded, loadCharts, renderSvg, STEPS_MIME, VEGALITE_MIME, type StepsPayload } from '../../display';
import type { CellOutput, MimeBundle } from './notebook';
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
      box.append(renderBundle(o.data));
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

/** The element for one bundle. */
export function renderBundle(b: MimeBundle): HTMLElement {
  const steps = b[STEPS_MIME];
  if (steps && typeof steps === 'object') return renderStepper(steps as StepsPayload, String(b['text/plain'] ?? ''));
  const svg = b['image/svg+xml'];
  const spec = VEGALITE_TYPES.map((t) => b[t]).find((v) => v && typeof v === 'object');
  if (typeof svg === 'string') return svgImage(svg, 'chart');
  if (spec) {
    // No SVG in the bundle (charts were not loaded when it was made): draw it here with display/'s Vega.
    const holder = el('div', 'chart pending');
    holder.textContent = String(b['text/plain'] ?? 'chart');
    const fail = (e: unknown) => {
      holder.classList.add('failed');
      holder.textContent = `${String(b['text/plain'] ?? 'chart')} (not drawn: ${(e as Error)?.message ?? e})`;
    };
    const draw = () => {
      try {
        const s = renderSvg(spec as Record<string, unknown>);
        if (s) holder.replaceWith(svgImage(s, 'chart'));
        else fail(new Error('the chart engine did not load'));
      } catch (e) {
        fail(e);
      }
    };
    if (chartsLoaded()) {
      try {
        const s = renderSvg(spec as Record<string, unknown>);
        if (s) return svgImage(s, 'chart');
      } catch (e) {
        fail(e);
        return holder;
      }
    }
    void loadCharts().then(draw, fail);
    return holder;
  }
  const html = b['text/html'];
  if (typeof html === 'string') {
    const div = el('div', 'html');
    div.append(sanitizedHtml(html));
    return div;
  }
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    const data = b[mime];
    if (typeof data === 'string') {
      const img = el('img', 'image') as HTMLImageElement;
      img.src = `data:${mime};base64,${data.replace(/\s+/g, '')}`;
      return img;
    }
  }
  const pre = el('pre', 'text');
  pre.textContent = String(b['text/plain'] ?? JSON.stringify(b));
  return pre;
}

function svgImage(svg: string, cls: string): HTMLElement {
  const img = el('img', cls) as HTMLImageElement;
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  img.alt = 'chart';
  return img;
}

const DROP_ELEMENTS = new Set(['script', 'iframe', 'object', 'embed', 'link', 'meta', 'base', 'form', 'frame', 'frameset']);

/** HTML with script removed: no script-bearing elements, no on* handlers, no javascript: URLs. */
export function sanitizedHtml(html: string): DocumentFragment {
  const t = document.createElement('template');
  t.innerHTML = html;
  const walk = (node: Element) => {
    for (const child of [...node.children]) {
      if (DROP_ELEMENTS.has(child.tagName.toLowerCase())) {
        child.remove();
        continue;
      }
      for (const a of [...child.attributes]) {
        const name = a.name.toLowerCase();
        const value = a.value.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
        if (name.startsWith('on') || ((name === 'href' || name === 'src' || name.endsWith(':href') || name === 'action') && value.startsWith('javascript:'))) {
          child.removeAttribute(a.name);
        }
      }
      walk(child);
    }
  };
  walk(t.content as unknown as Element);
  return t.content;
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
