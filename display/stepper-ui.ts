import type { StepsData } from '../runtime/explain/steps';

/**
 * The stepper's user interface, declared once: given an element that holds the graph's SVG (Graphviz's, whose
 * node groups carry the DOT id as <title>) and the precomputed steps, it adds the buttons, the slider and the
 * panel, and redraws the picture for step k. Notebooks run it as an inline script (display/stepper.ts writes
 * this function's own source into the HTML), the playground imports it (web/src/outputs.ts), so the function
 * must stay self-contained: no imports at run time, no references outside its body. It styles through the
 * DOM (element.style, SVG attributes), never a <style> element or style attribute, so that a page with a
 * strict Content-Security-Policy draws it the same.
 */
export function mountStepper(root: HTMLElement, data: StepsData): { show(k: number): void; readonly k: number } {
  const doc = root.ownerDocument;
  const SVGNS = 'http://www.w3.org/2000/svg';
  const COLORS = { visited: '#dcfce7', current: '#fde047', partial: '#fed7aa', edge: '#dc2626' };
  const make = (tag: string, cls: string, text?: string): HTMLElement => {
    const e = doc.createElement(tag);
    e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  Object.assign(root.style, {
    fontFamily: 'system-ui, sans-serif',
    fontSize: '13px',
    border: '1px solid #d1d5db',
    borderRadius: '6px',
    padding: '6px',
    maxWidth: '100%',
  });
  const picture = (root.querySelector('.ns-graph') as HTMLElement | null) ?? root;
  // contain: a step repaints the picture's scroll box, never the page around it
  Object.assign(picture.style, { maxHeight: '460px', overflow: 'auto', background: '#fff', contain: 'content' });

  // the drawn nodes: each shape's own colours, to restore, and a text under it for the gradient
  interface Drawn {
    group: SVGGElement;
    shapes: SVGElement[];
    fills: (string | null)[];
    strokes: (string | null)[];
    grad: SVGTextElement | null;
    state: string;
    text: string;
  }
  const drawn = new Map<string, Drawn>();
  for (const g of Array.from(picture.querySelectorAll('g.node')) as SVGGElement[]) {
    const id = g.querySelector('title')?.textContent ?? '';
    if (!(id in data.nodes)) continue;
    const shapes = Array.from(g.querySelectorAll('polygon, ellipse, path')) as SVGElement[];
    const texts = Array.from(g.querySelectorAll('text')) as SVGTextElement[];
    let grad: SVGTextElement | null = null;
    if (texts.length) {
      grad = doc.createElementNS(SVGNS, 'text') as SVGTextElement;
      const x = texts[0].getAttribute('x') ?? '0';
      // just below the node: its last line of text, or an ellipse's bottom (a leaf's text sits higher in it)
      const ellipse = g.querySelector('ellipse');
      const bottom = ellipse ? Number(ellipse.getAttribute('cy')) + Number(ellipse.getAttribute('ry')) + 11 : -Infinity;
      const y = Math.max(bottom, ...texts.map((t) => Number(t.getAttribute('y') ?? 0) + 16));
      grad.setAttribute('x', x);
      grad.setAttribute('y', String(y));
      grad.setAttribute('text-anchor', 'middle');
      grad.setAttribute('font-size', '9');
      grad.setAttribute('font-family', 'monospace');
      grad.setAttribute('fill', '#166534');
      grad.setAttribute('stroke', '#ffffff');
      grad.setAttribute('stroke-width', '3');
      grad.setAttribute('paint-order', 'stroke');
      grad.setAttribute('class', 'ns-grad');
      grad.setAttribute('data-node', id);
      g.append(grad);
    }
    drawn.set(id, {
      group: g,
      shapes,
      fills: shapes.map((s) => s.getAttribute('fill')),
      strokes: shapes.map((s) => s.getAttribute('stroke')),
      grad,
      state: '',
      text: '',
    });
  }

  const bar = make('div', 'ns-controls');
  Object.assign(bar.style, { display: 'flex', gap: '8px', alignItems: 'center', margin: '6px 0' });
  const prev = make('button', 'ns-prev', '◀ previous') as HTMLButtonElement;
  const next = make('button', 'ns-next', 'next ▶') as HTMLButtonElement;
  const slider = make('input', 'ns-slider') as HTMLInputElement;
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(data.steps.length);
  slider.value = '0';
  slider.setAttribute('aria-label', 'backward step');
  Object.assign(slider.style, { flex: '1' });
  const counter = make('span', 'ns-counter');
  bar.append(prev, slider, next, counter);

  const panel = make('div', 'ns-panel');
  Object.assign(panel.style, {
    fontFamily: 'ui-monospace, monospace',
    fontSize: '12px',
    whiteSpace: 'pre-wrap',
    background: '#f9fafb',
    padding: '6px',
    borderRadius: '4px',
    minHeight: '5em',
  });
  const title = make('div', 'ns-title', data.title);
  Object.assign(title.style, { fontWeight: 'bold', marginBottom: '4px' });
  const legend = make(
    'div',
    'ns-legend',
    'yellow, red border: this step · green: its rule ran · orange: a sum still waiting for paths · under a node: its gradient so far · double border: a hook · dotted: no gradient flows',
  );
  Object.assign(legend.style, { color: '#6b7280', fontSize: '11px', marginBottom: '4px' });
  root.prepend(title, legend);
  root.append(bar, panel);

  let k = -1;
  const paint = (d: Drawn, state: string) => {
    if (d.state === state) return;
    d.state = state;
    d.shapes.forEach((s, i) => {
      const fill =
        state === 'current'
          ? COLORS.current
          : state === 'partial'
            ? COLORS.partial
            : state === 'visited'
              ? COLORS.visited
              : d.fills[i];
      if (fill !== null && d.fills[i] !== 'none') s.setAttribute('fill', fill);
      const stroke = state === 'current' ? COLORS.edge : d.strokes[i];
      if (stroke !== null) s.setAttribute('stroke', stroke);
      if (state === 'current') s.setAttribute('stroke-width', '3');
      else s.removeAttribute('stroke-width');
    });
    d.group.setAttribute('class', `node${state ? ' ns-' + state : ''}`);
  };
  const line = (cls: string, text: string) => panel.append(make('div', cls, text));

  function show(target: number): void {
    const n = Math.max(0, Math.min(data.steps.length, Math.round(target)));
    if (n === k) return;
    k = n;
    // what every node holds after steps 1..k: the latest summary each step wrote
    const grads = new Map<string, string>();
    const partial = new Set<string>();
    // green once its rule ran; a gradient that arrived for a node not yet visited is shown on its plain fill
    const visited = new Set<string>();
    for (let i = 0; i < k; i++) {
      const s = data.steps[i];
      visited.add(s.node);
      for (const id in s.grads) {
        grads.set(id, s.grads[id]);
        partial.delete(id);
      }
      for (const id of s.partial) partial.add(id);
    }
    const current = k > 0 ? data.steps[k - 1] : null;
    for (const [id, d] of drawn) {
      paint(
        d,
        current && current.node === id ? 'current' : partial.has(id) ? 'partial' : visited.has(id) ? 'visited' : '',
      );
      const text = grads.get(id) ?? '';
      if (d.grad && d.text !== text) {
        d.text = text;
        // short under the node (the panel has the whole value): the picture's width is Graphviz's, not ours
        d.grad.textContent = text.length > 30 ? text.slice(0, 29) + '…' : text;
      }
    }
    slider.value = String(k);
    counter.textContent = `step ${k} of ${data.steps.length}`;
    prev.disabled = k === 0;
    next.disabled = k === data.steps.length;
    panel.textContent = '';
    if (!current) {
      line('ns-head', `before backward: press next to run the first rule (${data.steps.length} steps)`);
      return;
    }
    root.setAttribute('data-current', current.node);
    line('ns-head', current.head);
    if (current.incoming) line('ns-incoming', `incoming: ${current.incoming}`);
    for (const note of current.notes) line('ns-note', note);
    for (const r of current.rules) {
      const row = make('div', 'ns-rule');
      const rule = make('span', 'ns-rule-text', r.text);
      Object.assign(rule.style, { color: '#1d4ed8' });
      row.append(rule, doc.createTextNode('  →  '), make('span', 'ns-rule-value', r.value));
      if (r.saved.length) {
        const saved = make('span', 'ns-saved', `   saved for backward: ${r.saved.join(', ')}`);
        Object.assign(saved.style, { color: '#6b7280' });
        row.append(saved);
      }
      panel.append(row);
    }
    if (!current.rules.length && !current.notes.length)
      line('ns-note', drawn.get(current.node)?.group ? 'an input: its gradient is the result' : '');
    const g = drawn.get(current.node)?.group;
    if (g && picture !== root && typeof g.getBoundingClientRect === 'function') {
      // keep the current node in the picture's own scroll box (never scroll the page)
      const box = picture.getBoundingClientRect();
      const r = g.getBoundingClientRect();
      if (r.top < box.top || r.bottom > box.bottom) picture.scrollTop += r.top - box.top - box.height / 2;
      if (r.left < box.left || r.right > box.right) picture.scrollLeft += r.left - box.left - box.width / 2;
    }
  }
  prev.addEventListener('click', () => show(k - 1));
  next.addEventListener('click', () => show(k + 1));
  slider.addEventListener('input', () => show(Number(slider.value)));
  // ← and → step too; handled keys stop here so that a notebook's own shortcuts do not also see them
  root.tabIndex = 0;
  root.addEventListener('keydown', (e) => {
    if (e.target === slider || (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft')) return;
    e.preventDefault();
    e.stopPropagation();
    show(k + (e.key === 'ArrowRight' ? 1 : -1));
  });
  show(0);
  return {
    show,
    get k() {
      return k;
    },
  };
}
