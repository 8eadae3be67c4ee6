import { escapeHtml } from '../../display';
import { LangError } from '../operators';
import { typeName, type Value } from '../values';
import { asTensor } from './convert';
import type { BuiltinContext, BuiltinTable } from './table';

/**
 * compare(mine, autograd): a hand-derived gradient per intermediate against autograd's, as the "backprop
 * ninja" lecture's cmp does: exact, close (|a - b| <= atol + rtol * |b| everywhere) and the largest
 * difference, one row per name, so the first wrong intermediate stands out.
 */
export interface CompareRow {
  name: string;
  exact: boolean;
  close: boolean;
  maxDiff: number;
  /** Why the row could not be compared (missing, none, shapes differ); empty when compared. */
  problem: string;
}

function entries(v: Value, which: string): Map<string, Value> {
  if (!(v instanceof Map))
    throw new LangError(`compare: ${which} must be a map from names to tensors, e.g. {"dh": dh}, got a ${typeName(v)}`);
  const m = new Map<string, Value>();
  for (const [k, x] of v) {
    if (typeof k !== 'string')
      throw new LangError(`compare: the keys of ${which} name the intermediates ("dh"), got a ${typeName(k)} key`);
    m.set(k, x);
  }
  return m;
}

export function compareRow(name: string, mine: Value, ref: Value, rtol: number, atol: number): CompareRow {
  const row = (problem: string): CompareRow => ({ name, exact: false, close: false, maxDiff: NaN, problem });
  if (ref === undefined) return row('autograd has no gradient of this name');
  if (ref === null) return row("autograd's gradient is none (no path from the loss, or retain_grad was not called)");
  if (mine === null) return row('yours is none');
  const a = asTensor(mine, 'compare', `value of "${name}" in mine`);
  const b = asTensor(ref, 'compare', `value of "${name}" in autograd`);
  if (a.shape.join() !== b.shape.join())
    return row(`shapes differ: yours is [${a.shape.join(', ')}], autograd's [${b.shape.join(', ')}]`);
  const x = a.toHost();
  const y = b.toHost();
  if (x.length !== y.length) return row(`dtypes differ: yours is ${a.dtype}, autograd's ${b.dtype}`);
  let exact = true;
  let close = true;
  let maxDiff = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (x[i] !== y[i]) exact = false;
    if (!(d <= atol + rtol * Math.abs(y[i]))) close = false;
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
  }
  return { name, exact, close, maxDiff, problem: '' };
}

const fmt = (v: number) => (Number.isNaN(v) ? '—' : v === 0 ? '0' : v.toExponential(2));

export function addCompare(t: BuiltinTable, ctx: BuiltinContext): void {
  t.add(
    'exercises',
    'compare',
    ['mine', 'autograd', 'rtol=1e-5', 'atol=1e-8'],
    'Compares gradients you derived by hand with autograd\'s, one row per intermediate: compare({"dh": dh, "dW": dW}, {"dh": h.grad, "dW": W.grad}) shows, for each name in mine, whether it is exact, close (|a - b| <= atol + rtol*|b|) and the largest difference, so the first wrong intermediate stands out. Shows the table and returns none.',
    (mine: Value, ref: Value, rtol: Value, atol: Value) => {
      if (typeof rtol !== 'number' || !(rtol >= 0))
        throw new LangError(
          `compare: rtol= must be a number >= 0, got ${typeof rtol === 'number' ? rtol : `a ${typeName(rtol)}`}`,
        );
      if (typeof atol !== 'number' || !(atol >= 0))
        throw new LangError(
          `compare: atol= must be a number >= 0, got ${typeof atol === 'number' ? atol : `a ${typeName(atol)}`}`,
        );
      const m = entries(mine, 'mine');
      const r = entries(ref, 'autograd');
      if (!m.size)
        throw new LangError('compare: mine is empty: put each gradient you derived under its name, {"dh": dh}');
      const rows = [...m].map(([name, v]) => compareRow(name, v, r.has(name) ? r.get(name) : undefined, rtol, atol));
      const width = Math.max(4, ...rows.map((x) => x.name.length));
      const text = rows
        .map(
          (x) =>
            `${x.name.padEnd(width)} | ${x.problem ? `✗ ${x.problem}` : `exact: ${String(x.exact).padEnd(5)} | close: ${String(x.close).padEnd(5)} | max diff: ${fmt(x.maxDiff)}`}`,
        )
        .join('\n');
      const unused = [...r.keys()].filter((k) => !m.has(k));
      const tail = unused.length ? `\n(autograd also has ${unused.join(', ')}, not in mine)` : '';
      const cell = (ok: boolean) => `<td style="color:${ok ? '#1a7f37' : '#cf222e'}">${ok ? '✓' : '✗'}</td>`;
      const html = `<table class="nabla-compare" style="font-family:monospace;border-collapse:collapse"><tr><th>name</th><th>exact</th><th>close</th><th>max diff</th></tr>${rows
        .map(
          (x) =>
            `<tr><td>${escapeHtml(x.name)}</td>${x.problem ? `<td colspan="3" style="color:#cf222e">✗ ${escapeHtml(x.problem)}</td>` : `${cell(x.exact)}${cell(x.close)}<td>${fmt(x.maxDiff)}</td>`}</tr>`,
        )
        .join('')}</table>${unused.length ? `<div>${escapeHtml(tail.trim())}</div>` : ''}`;
      ctx.out().display({ 'text/plain': text + tail, 'text/html': html });
      return null;
    },
  );
}
