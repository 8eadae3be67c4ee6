// What the playground lets through from an output's HTML, and from a Vega-Lite spec, before drawing it.
// Outputs can come from an imported notebook (anyone's file) or from localStorage, so this is the line
// between a shared notebook and the reader's page: DOMPurify with an allow-list (tags, attributes, URLs),
// never a hand-written filter. The server's Content-Security-Policy (web/serve.ts) is the second line.
import DOMPurify from 'dompurify';

/** Elements an output may contain: text formatting, tables (display/'s tensor tables), lists, static SVG. */
const ALLOWED_TAGS = [
  // HTML
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'progress',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
  'var',
  // static SVG: shapes, text, gradients; no <use> (it loads other documents), no <foreignObject>, and no
  // animation element (<set>/<animate…> can rewrite an href to javascript: after sanitizing)
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'title',
  'desc',
  'defs',
  'clippath',
  'lineargradient',
  'radialgradient',
  'stop',
  'marker',
  'pattern',
  'mask',
];

/** Attributes an output may carry; no event handler is among them, and URLs are checked below. */
const ALLOWED_ATTR = [
  'class',
  'title',
  'alt',
  'style',
  'href',
  'src',
  'width',
  'height',
  'colspan',
  'rowspan',
  'align',
  'valign',
  'value',
  'max',
  'min',
  'open',
  'lang',
  'dir',
  'role',
  'aria-label',
  // no `id` or `name`: an output must not shadow the page's own elements (DOM clobbering)
  // SVG presentation
  'viewbox',
  'xmlns',
  'x',
  'y',
  'x1',
  'x2',
  'y1',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'd',
  'points',
  'transform',
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'dx',
  'dy',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientunits',
  'gradienttransform',
  'preserveaspectratio',
  'clip-path',
  'clippathunits',
  'marker-end',
  'marker-start',
  'markerwidth',
  'markerheight',
  'refx',
  'refy',
  'orient',
  'patternunits',
  'mask',
  'visibility',
];

/** Images an output may show inline: raster or SVG data (an <img>'s SVG cannot run script or load anything). */
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i;
/** A CSS value that could load something (url(), image-set(), @import) or escape its box. */
const UNSAFE_STYLE = /url\s*\(|image-set|@import|expression|\\|position\s*:|behavior|-moz-binding/i;

let configured = false;
function configure(): void {
  if (configured) return;
  configured = true;
  DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
    const name = data.attrName.toLowerCase();
    if (name === 'style' && UNSAFE_STYLE.test(data.attrValue)) data.keepAttr = false;
    if (name === 'href' || name === 'src' || name === 'xlink:href') {
      if (!allowedUrl(data.attrValue, name === 'src' && node.nodeName.toLowerCase() === 'img')) data.keepAttr = false;
    }
  });
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    // a link opens in a new tab and tells the page it came from nothing
    if (node.nodeName.toLowerCase() === 'a' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/**
 * A URL an output may keep: same-origin (relative, or absolute on this page's origin, or a #fragment);
 * for an <img>'s src also a data: image. Anything else (another origin, javascript:, data: in a link) goes.
 */
export function allowedUrl(raw: string, isImageSrc: boolean): boolean {
  // browsers drop ASCII whitespace and control characters inside a scheme: `java\tscript:` is javascript:
  const value = raw.replace(/[\u0000-\u0020]+/g, '');
  if (value.startsWith('#')) return true;
  if (/^data:/i.test(value)) return isImageSrc && DATA_IMAGE.test(value);
  let url: URL;
  try {
    url = new URL(value, location.href);
  } catch {
    return false;
  }
  return url.origin === location.origin && (url.protocol === 'http:' || url.protocol === 'https:');
}

/** The HTML as DOM with only allowed elements, attributes and URLs left (DOMPurify, the allow-list above). */
export function sanitizedHtml(html: string): DocumentFragment {
  configure();
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    // the content of a dropped <style>/<script> is not shown as text either
    FORBID_CONTENTS: ['script', 'style', 'template', 'noscript', 'iframe', 'object', 'embed'],
    RETURN_DOM_FRAGMENT: true,
  }) as DocumentFragment;
}

/**
 * Whether a Vega-Lite spec can be drawn without loading anything: Vega's loader fetches any `url` (data,
 * lookups, image marks' `url` values in datasets alike), so a spec with a `url` key anywhere is refused.
 * Returns the reason it cannot, or null when it can.
 */
export function vegaSpecRefusal(spec: unknown): string | null {
  const seen = new Set<unknown>();
  const stack: unknown[] = [spec];
  let visited = 0;
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (++visited > 200_000) return 'the chart is too large to check';
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === 'url' || k === 'href')
        return `the chart asks to load "${String(x).slice(0, 80)}"; charts in the playground draw only data they carry`;
      stack.push(x);
    }
  }
  return null;
}
