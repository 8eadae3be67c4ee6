import { describe, expect, it } from 'vitest';
import * as nb from '../../runtime';
import { escapeHtml, MIME_BUNDLE, tensorBundle, tensorHtml, tensorSummary, valueBundle } from '../../display';

const cells = (html: string) => [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
const rows = (html: string) => (html.match(/<tr>/g) ?? []).length;

describe('tensor bundles', () => {
  it('pairs the runtime text form with an HTML table headed by shape and dtype', () => {
    const t = nb.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = tensorBundle(t);
    expect(b['text/plain']).toBe(t.toString());
    const html = b['text/html'] as string;
    expect(html).toContain('shape [2, 3] · float32');
    expect(cells(html)).toEqual(['1.', '2.', '3.', '4.', '5.', '6.']);
    expect(rows(html)).toBe(3); // header + 2
  });

  it('names grad_fn for a recorded result and requires_grad for a leaf', () => {
    const w = nb.param([1.5, -2]);
    expect(tensorSummary(w)).toBe('shape [2] · float32 · requires_grad=true');
    const y = nb.mul(w, w);
    expect(tensorSummary(y)).toBe('shape [2] · float32 · grad_fn=MulBackward0');
    expect(cells(tensorHtml(y))).toEqual(['2.2500', '4.0000']);
  });

  it('shows a scalar as one cell and an empty tensor as empty', () => {
    expect(cells(tensorHtml(nb.tensor(3.25)))).toEqual(['3.2500']);
    expect(tensorHtml(nb.zeros([0, 3]))).toContain('<i>empty</i>');
  });

  it('labels the rows of a higher-rank tensor with their leading indices', () => {
    const html = tensorHtml(nb.zeros([2, 2, 3]));
    expect(html).toContain('shape [2, 2, 3]');
    expect(html).toContain('>0, 1</th>');
    expect(html).toContain('>1, 1</th>');
    expect(cells(html)).toHaveLength(12);
  });

  it('elides the middle of long dimensions, keeping 5 at each end', () => {
    const html = tensorHtml(nb.zeros([100, 100]));
    expect(rows(html)).toBe(1 + 11);
    expect(html).toContain('>99</th>');
    expect(html).not.toContain('>50</th>');
    expect(html).toContain('…');
    expect(html).toContain('⋮');
  });

  it('formats bool, complex, very small and non-finite values as the text form does', () => {
    expect(cells(tensorHtml(nb.gt(nb.tensor([1, 2]), nb.tensor([2, 1]))))).toEqual(['false', 'true']);
    expect(cells(tensorHtml(nb.tensor([1e-6, 2e-6])))).toEqual(['1.0000e-06', '2.0000e-06']);
    expect(cells(tensorHtml(nb.tensor([0.5, Infinity, NaN])))).toEqual(['0.5000', 'inf', 'nan']);
    const z = nb.complex(nb.tensor([1, 0.5]), nb.tensor([-2, 0.25]));
    expect(cells(tensorHtml(z))).toEqual(['1.0000-2.0000j', '0.5000+0.2500j']);
    expect(tensorSummary(z)).toBe('shape [2] · complex64');
  });

  it('escapes text it puts in HTML', () => {
    expect(escapeHtml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });
});

describe('valueBundle', () => {
  it('gives tensors their table, other plain values nothing (the session then uses its text)', () => {
    expect(valueBundle(nb.tensor([1]))?.['text/html']).toContain('<table');
    for (const v of [1, 'a', null, [1, 2], new Map()]) expect(valueBundle(v)).toBeNull();
  });

  it('lets any object supply its own bundle through the registered symbol, adding text/plain if missing', () => {
    expect(MIME_BUNDLE).toBe(Symbol.for('nabla.mimeBundle'));
    const model = { [MIME_BUNDLE]: () => ({ 'text/html': '<b>mlp</b>' }), toString: () => '<mlp>' };
    expect(valueBundle(model)).toEqual({ 'text/plain': '<mlp>', 'text/html': '<b>mlp</b>' });
    const full = { [MIME_BUNDLE]: () => ({ 'text/plain': 'own', 'image/svg+xml': '<svg/>' }) };
    expect(valueBundle(full)).toEqual({ 'text/plain': 'own', 'image/svg+xml': '<svg/>' });
  });
});
