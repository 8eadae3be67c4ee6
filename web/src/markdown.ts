// Text cells: Markdown rendered by `marked` (CommonMark and GitHub's tables, lists, code), then sanitized by
// DOMPurify with the outputs' allow-list (sanitize.ts), so a pasted or imported cell cannot run script or load
// anything from elsewhere. Headings start one level down (`#` is an h2): the page's own title is the h1.
import { Marked } from 'marked';
import { el } from './dom';
import { sanitizedHtml } from './sanitize';

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    heading({ tokens, depth }) {
      const level = Math.min(depth + 1, 6);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
  },
});

/** A text cell's source as safe DOM; an empty cell says how to write in it. */
export function renderMarkdown(src: string): DocumentFragment {
  const frag = src.trim() ? sanitizedHtml(marked.parse(src) as string) : document.createDocumentFragment();
  // nothing left to see (an empty cell, or one whose only content the sanitizer removed)
  if (!frag.textContent?.trim() && !frag.querySelector('img, svg, hr, table')) {
    const p = el('p', 'empty');
    p.textContent = 'Empty text cell: double-click to write.';
    frag.replaceChildren(p);
  }
  return frag;
}
