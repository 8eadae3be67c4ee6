import { Tensor } from '../runtime';
import type { MimeBundle } from './bundle';
import { escapeHtml } from './html';

/**
 * A tensor as a notebook shows it: PyTorch's text form (the runtime's own toString) and a compact HTML table
 * headed by shape, dtype and grad_fn. Tensors of rank > 2 list their leading indices as row labels, so any
 * rank fits one table; long dimensions keep their first and last EDGE entries, as PyTorch's printing does.
 */
const MAX_LINES = 12;
const EDGE = 5;

export function tensorBundle(t: Tensor): MimeBundle {
  return { 'text/plain': t.toString(), 'text/html': tensorHtml(t) };
}

/** "shape [2, 3] · float32 · grad_fn=AddBackward0" (requires_grad for a leaf that records). */
export function tensorSummary(t: Tensor): string {
  const parts = [`shape [${t.shape.join(', ')}]`, t.dtype];
  if (t.gradFn) parts.push(`grad_fn=${t.gradFn.gradName}`);
  else if (t.requiresGrad) parts.push('requires_grad=true');
  return parts.join(' · ');
}

/** Indices shown along a dimension of length n; -1 marks the elided middle. */
function shownIndices(n: number): number[] {
  if (n <= MAX_LINES) return range(n);
  return [...range(EDGE), -1, ...range(EDGE).map((i) => n - EDGE + i)];
}

export function tensorHtml(t: Tensor): string {
  const caption = `<caption style="caption-side:top;text-align:left;white-space:nowrap"><b>tensor</b> ${escapeHtml(tensorSummary(t))}</caption>`;
  const open = '<table class="nabla-tensor" style="font-family:monospace;text-align:right">';
  if (t.size === 0) return `${open}${caption}<tr><td><i>empty</i></td></tr></table>`;
  const host = t.toHost();
  const fmt = cellFormatter(t, host);
  if (t.rank === 0) return `${open}${caption}<tr><td>${escapeHtml(fmt(0))}</td></tr></table>`;

  const shape = t.shape;
  const cols = shape[shape.length - 1];
  const lead = shape.slice(0, -1);
  const leadSize = lead.reduce((a, b) => a * b, 1);
  const th = (s: string) => `<th style="color:#888;font-weight:normal">${s}</th>`;
  const colIdx = shownIndices(cols);
  const header = `<tr>${lead.length ? th('') : ''}${colIdx.map((j) => th(j < 0 ? '…' : String(j))).join('')}</tr>`;
  const rows = shownIndices(leadSize).map((r) => {
    if (r < 0) return `<tr>${th('⋮')}${colIdx.map(() => '<td style="text-align:center">⋮</td>').join('')}</tr>`;
    const label = lead.length ? th(unravel(r, lead).join(', ')) : '';
    const cells = colIdx.map((j) => `<td>${j < 0 ? '…' : escapeHtml(fmt(r * cols + j))}</td>`);
    return `<tr>${label}${cells.join('')}</tr>`;
  });
  return `${open}${caption}<thead>${header}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * One number style for the whole tensor, chosen as runtime/format.ts chooses it (integral values as `1.`,
 * 4 decimals, scientific notation for very large or small magnitudes), so table and text agree.
 */
function cellFormatter(t: Tensor, h: ArrayLike<number>): (i: number) => string {
  if (t.dtype === 'bool') return (i) => (h[i] ? 'true' : 'false');
  const num = numberStyle(h);
  if (t.dtype === 'complex64') {
    return (i) => {
      const im = h[2 * i + 1];
      return `${num(h[2 * i])}${im < 0 || Object.is(im, -0) ? '-' : '+'}${num(Math.abs(im))}j`;
    };
  }
  return (i) => num(h[i]);
}

function numberStyle(values: ArrayLike<number>): (v: number) => string {
  let integral = true;
  let max = 0;
  let min = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) integral = false;
    const a = Math.abs(v);
    if (a > 0) {
      max = Math.max(max, a);
      min = Math.min(min, a);
    }
  }
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (integral && max < 1e8) return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  const sci = max >= 1e8 || (min < 1e-4 && min > 0) || (max >= 1e3 && max / min > 1000);
  if (sci) return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}
