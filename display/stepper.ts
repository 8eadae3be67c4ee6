import type { StepsData } from '../runtime/explain/steps';
import { MIME_BUNDLE, type MimeBundle } from './bundle';
import { mountStepper } from './stepper-ui';

/**
 * The stepper's display bundle: one output with three forms. `text/plain` is explain's listing (terminals,
 * text-only front ends); `text/html` is a self-contained fragment (the graph as inline SVG, the steps as JSON
 * and a small script: display/stepper-ui.ts's own source) for JupyterLab, Notebook, VS Code and static
 * renderers that run trusted scripts; STEPS_MIME carries the steps and the SVG for front ends that draw it
 * with their own code and allow no inline script (the playground).
 */
export const STEPS_MIME = 'application/vnd.nabla.backward-steps+json';

export interface StepsPayload {
  svg: string;
  steps: StepsData;
}

let counter = 0;

/** FNV-1a of the output: ids stay the same when a notebook is re-executed (no clock in stored outputs). */
function contentHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Graphviz's SVG without its XML prologue and doctype, to sit inside HTML. */
export const inlineSvg = (svg: string) => svg.slice(Math.max(0, svg.indexOf('<svg')));

/** JSON that can sit inside a <script> element: no `</script>` or `<!--` can appear in it. */
const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export function stepperHtml(p: StepsPayload): string {
  // the counter keeps two steppers of one page apart, the hash two pages' outputs
  const id = `nabla-stepper-${contentHash(p.svg + p.steps.listing)}-${(counter++).toString(36)}`;
  // esbuild's keepNames (tsx) may leave calls to its __name helper in the function's source: give it one
  const script = `(function () { var __name = function (f) { return f; }; var mount = ${mountStepper.toString()};
var root = document.getElementById(${JSON.stringify(id)}); if (!root || root.getAttribute('data-mounted')) return; root.setAttribute('data-mounted', '1');
mount(root, JSON.parse(document.getElementById(${JSON.stringify(id + '-data')}).textContent)); })();`;
  return `<div id="${id}" class="nabla-stepper"><div class="ns-graph">${inlineSvg(p.svg)}</div></div>\n<script type="application/json" id="${id}-data">${scriptJson(p.steps)}</script>\n<script>${script}</script>`;
}

/** What stepper(L) returns: shown as the stepper by notebooks and the playground, as the listing elsewhere. */
export class Stepper {
  constructor(
    readonly payload: StepsPayload,
    readonly file: string | null = null,
  ) {}

  get steps(): number {
    return this.payload.steps.steps.length;
  }

  [MIME_BUNDLE](): MimeBundle {
    return {
      'text/plain': this.payload.steps.listing,
      'text/html': stepperHtml(this.payload),
      [STEPS_MIME]: this.payload,
    };
  }

  toString(): string {
    return `<stepper: ${this.steps} backward step${this.steps === 1 ? '' : 's'}${this.file ? `, written to ${this.file}` : ''}>`;
  }
}

/** A whole page for the CLI's file=: the fragment in a minimal document. */
export function stepperPage(p: StepsPayload): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${p.steps.title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</title></head>\n<body>\n${stepperHtml(p)}\n</body></html>\n`;
}
