import { allocHost, type DType } from '../dtype';
import { valueError } from '../errors';
import { Tensor } from '../tensor';

/**
 * Numbers in CSV: a table of numbers becomes a [rows, cols] tensor; a tensor (1-d or 2-d) becomes lines of
 * numbers written with every digit needed to read them back exactly. A cell that is not a number is an error
 * naming the file, line and column.
 */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;

function cellValue(s: string): number | null {
  const c = s.trim();
  if (!NUMBER.test(c)) return null;
  const l = c.toLowerCase().replace(/^\+/, '');
  if (l === 'nan' || l === '-nan') return NaN;
  if (l.endsWith('inf') || l.endsWith('infinity')) return l.startsWith('-') ? -Infinity : Infinity;
  return Number(c);
}

export interface CsvOptions {
  /** true: the first line is a header; false: it is data; null/undefined: a header when a cell is not a number. */
  header?: boolean | null;
  delimiter?: string;
  dtype?: DType;
}

export function parseCsv(
  text: string,
  file: string,
  opts: CsvOptions = {},
): { values: Tensor; header: string[] | null } {
  const delim = opts.delimiter ?? ',';
  if (delim.length !== 1 || delim === '\n' || delim === '"')
    throw valueError(
      'read_csv',
      `the delimiter must be one character other than a newline or quote, got ${JSON.stringify(delim)}`,
    );
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length) throw valueError('read_csv', `${file}: the file is empty`);
  const split = (line: string) => line.split(delim).map((c) => c.replace(/^\s*"(.*)"\s*$/, '$1'));
  const first = split(lines[0]);
  const header = opts.header ?? first.some((c) => cellValue(c) === null);
  const rows = lines.slice(header ? 1 : 0);
  const cols = first.length;
  const out = new Float64Array(rows.length * cols);
  rows.forEach((line, r) => {
    const cells = split(line);
    const lineNo = r + (header ? 2 : 1);
    if (cells.length !== cols)
      throw valueError(
        'read_csv',
        `${file}:${lineNo}: ${cells.length} cells where the ${header ? 'header' : 'first line'} has ${cols}`,
      );
    cells.forEach((c, j) => {
      const v = cellValue(c);
      if (v === null)
        throw valueError(
          'read_csv',
          `${file}:${lineNo}: column ${j + 1} holds ${JSON.stringify(c.trim().slice(0, 40))}, which is not a number`,
        );
      out[r * cols + j] = v;
    });
  });
  const dtype = opts.dtype ?? 'float32';
  const host = allocHost(dtype, out.length);
  host.set(out);
  return {
    values: Tensor.fromHost(host, [rows.length, cols], dtype, 'read_csv'),
    header: header ? first.map((c) => c.trim()) : null,
  };
}

export function formatCsv(t: Tensor, header: readonly string[] | null, delimiter = ','): string {
  if (t.dtype === 'complex64')
    throw valueError('write_csv', 'a complex tensor has no CSV form; write real(x) and imag(x) as columns');
  if (t.rank > 2)
    throw valueError('write_csv', `a CSV holds a table: give a 1-d or 2-d tensor, got shape [${t.shape.join(', ')}]`);
  const [rows, cols] = t.rank === 2 ? t.shape : t.rank === 1 ? [t.shape[0], 1] : [1, 1];
  if (header && header.length !== cols)
    throw valueError('write_csv', `the header has ${header.length} names but the table has ${cols} columns`);
  const h = t.toHost();
  const num = (v: number) =>
    Number.isNaN(v)
      ? 'nan'
      : v === Infinity
        ? 'inf'
        : v === -Infinity
          ? '-inf'
          : t.dtype === 'float64'
            ? String(v)
            : shortestFloat32(v);
  const lines = header ? [header.join(delimiter)] : [];
  for (let i = 0; i < rows; i++) lines.push(Array.from(h.subarray(i * cols, (i + 1) * cols), num).join(delimiter));
  return lines.join('\n') + '\n';
}

/** The fewest digits that read back as the same float32 (a float32 printed as a double shows noise digits). */
function shortestFloat32(v: number): string {
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}
