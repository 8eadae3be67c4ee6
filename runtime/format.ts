import { isComplex } from './dtype';
import type { Tensor } from './tensor';

/**
 * PyTorch-style printing: `tensor([0.7878, 5.0000], grad_fn=<AddBackward0>)`. Integral values print as `1.`,
 * ordinary ones with 4 decimals, very large or small ones in scientific notation; long dimensions are elided.
 */
const EDGE = 3;
const THRESHOLD = 1000;

function numberStyle(values: number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const integral = finite.every((v) => Number.isInteger(v));
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (integral && max < 1e8) return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  if (max >= 1e8 || (min > 0 && min < 1e-4) || (max > 0 && max / (min || max) > 1000 && max >= 1e3))
    return (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

export function formatValues(t: Tensor): string {
  const h = t.toHost();
  const complex = isComplex(t.dtype);
  const n = t.size;
  const summarize = n > THRESHOLD;
  if (t.dtype === 'bool') {
    return render(t, (i) => (h[i] ? 'true' : 'false'), summarize);
  }
  if (complex) {
    const parts: number[] = [];
    for (let i = 0; i < 2 * n; i++) parts.push(h[i]);
    const f = numberStyle(parts);
    return render(
      t,
      (i) => {
        const im = h[2 * i + 1];
        return `${f(h[2 * i])}${im < 0 || Object.is(im, -0) ? '-' : '+'}${f(Math.abs(im))}j`;
      },
      summarize,
    );
  }
  const f = numberStyle(Array.from(h));
  return render(t, (i) => f(h[i]), summarize);
}

function render(t: Tensor, cell: (i: number) => string, summarize: boolean): string {
  const shape = t.shape;
  if (shape.length === 0) return cell(0);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const shown = (d: number) =>
    summarize && shape[d] > 2 * EDGE
      ? [...range(0, EDGE), -1, ...range(shape[d] - EDGE, shape[d])]
      : range(0, shape[d]);
  // first pass finds the widest cell, so every column lines up as in PyTorch
  let width = 0;
  const measure = (d: number, base: number): void =>
    shown(d).forEach((i) => {
      if (i < 0) return;
      if (d === shape.length - 1) width = Math.max(width, cell(base + i).length);
      else measure(d + 1, base + i * strides[d]);
    });
  measure(0, 0);
  const indent = ' '.repeat('tensor('.length);
  const walk = (d: number, base: number): string => {
    const parts = shown(d).map((i) =>
      i < 0 ? '...' : d === shape.length - 1 ? cell(base + i).padStart(width) : walk(d + 1, base + i * strides[d]),
    );
    const sep = d === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - 1 - d) + indent + ' '.repeat(d + 1);
    return '[' + parts.join(sep) + ']';
  };
  return walk(0, 0);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

export function formatTensor(t: Tensor): string {
  const extras: string[] = [];
  if (t.dtype === 'float64') extras.push('dtype=float64');
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.gradName}>`);
  else if (t.requiresGrad) extras.push('requires_grad=true');
  const body = formatValues(t);
  const shapeNote = t.size === 0 ? `, size=(${t.shape.join(', ')})` : '';
  return `tensor(${body}${shapeNote}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
