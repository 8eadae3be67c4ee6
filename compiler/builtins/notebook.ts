import * as display from '../../display';
import { iterate } from '../call';
import { LangError } from '../operators';
import { lengthOf, show, typeName, type Value } from '../values';
import { checkFilePath, writeTextFile } from './files';
import type { BuiltinContext, BuiltinTable } from './table';

/**
 * Output beyond print: rich displays, charts, progress bars, stderr, clearing and input. The charts and bars
 * are display/'s; this file adapts the language's values and options to them.
 */
function optionalText(v: Value, fn: string, what: string): string | undefined {
  if (v === null) return undefined;
  if (typeof v !== 'string') throw new LangError(`${fn}: ${what}= must be a string, got a ${typeName(v)}`, 'TypeError');
  return v;
}

function labels(v: Value, fn: string): string | string[] | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v as string[];
  throw new LangError(`${fn}: label= must be a string, or a list of strings (one per series)`, 'TypeError');
}

function writeSvg(fn: string, file: Value, bundle: display.MimeBundle): void {
  const path = optionalText(file, fn, 'file');
  if (path === undefined) return;
  checkFilePath(fn, path);
  const svg = bundle['image/svg+xml'];
  if (typeof svg !== 'string')
    throw new LangError(`${fn}: file= needs the chart engine, which is not loaded in this front end`);
  writeTextFile(fn, path, svg);
}

export function addNotebook(t: BuiltinTable, ctx: BuiltinContext): void {
  t.add(
    'io',
    'eprint',
    ['*values', 'end="\\n"'],
    'Like print, to the error stream (stderr in a terminal, red in a notebook).',
    (vals: Value[], end: Value) => {
      ctx.out().stderr(vals.map((v) => show(v)).join(' ') + (end === '\\n' ? '\n' : String(end)));
      return null;
    },
  );
  t.add(
    'io',
    'display',
    ['*values'],
    'Shows each value as its richest form now (a tensor as a table in a notebook), without waiting for the end of the cell.',
    (vals: Value[]) => {
      for (const v of vals) ctx.out().display(ctx.bundle(v));
      return null;
    },
  );
  const chart =
    (kind: 'plot' | 'scatter') =>
    (x: Value, y: Value, label: Value, title: Value, xlabel: Value, ylabel: Value, file: Value) => {
      const opts = {
        label: labels(label, kind),
        title: optionalText(title, kind, 'title'),
        xLabel: optionalText(xlabel, kind, 'xlabel'),
        yLabel: optionalText(ylabel, kind, 'ylabel'),
      };
      const bundle = kind === 'plot' ? display.plot(x, y ?? undefined, opts) : display.scatter(x, y, opts);
      writeSvg(kind, file, bundle);
      ctx.out().display(bundle);
      return null;
    };
  const chartParams = ['label=none', 'title=none', 'xlabel=none', 'ylabel=none', 'file=none'];
  t.add(
    'io',
    'plot',
    ['x', 'y=none', ...chartParams],
    'Draws lines: plot(x, y), plot(losses) against the step, plot(x, [y1, y2], label=["fit", "exact"]), or plot({loss: a, val: b}). Shown at once (Vega-Lite with an SVG fallback); file="f.svg" also writes the picture.',
    chart('plot'),
  );
  t.add(
    'io',
    'scatter',
    ['x', 'y', ...chartParams],
    "Draws points at (x, y); the options are plot's.",
    chart('scatter'),
  );
  t.add(
    'io',
    'progress',
    ['items', 'total=none', 'label=none'],
    'Wraps an iterable for a for loop and shows a bar that updates in place: for step in progress(range(2000)) { ... }.',
    (items: Value, total: Value, label: Value) => {
      if (total !== null && (typeof total !== 'number' || !(total >= 0)))
        throw new LangError('progress: total= must be a count, e.g. total=100', 'TypeError');
      const n = (total as number | null) ?? lengthOf(items);
      return new display.Progress(iterate(items), ctx.out(), {
        total: n,
        label: optionalText(label, 'progress', 'label'),
      }) as unknown as Value;
    },
  );
  t.add(
    'io',
    'clear_output',
    ['wait=false'],
    "Clears the cell's output; with wait=true, when the next output arrives (for redrawing a chart in a loop).",
    (wait: Value) => {
      ctx.out().clearOutput?.(wait === true);
      return null;
    },
  );
  t.add(
    'io',
    'input',
    ['prompt=""'],
    'A line of text typed by the user (in a notebook, a box under the cell).',
    (prompt: Value) => {
      const ask = ctx.out().input;
      if (!ask) throw new LangError('input: this front end cannot ask for input');
      return ask(String(prompt));
    },
  );
}
