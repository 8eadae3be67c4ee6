// The playground's notebook as data: cells with their outputs, saved in localStorage and moved to and from
// Jupyter as .ipynb (nbformat 4.5, kernel "nabla"). No DOM and no Monaco here, so Node tests use it directly.

import { KERNELSPEC, LANGUAGE_INFO } from '../../grammar/language-info';
import { headline, type Diagnostic } from '../../diagnostic';

export type MimeBundle = Record<string, unknown>;

/** One output under a cell, in nbformat's own shapes so export is a copy. */
export type CellOutput =
  | { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | {
      output_type: 'display_data';
      data: MimeBundle;
      metadata: Record<string, unknown>;
      transient?: { display_id?: string };
    }
  | {
      output_type: 'execute_result';
      data: MimeBundle;
      metadata: Record<string, unknown>;
      execution_count: number | null;
    }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

export interface Cell {
  /** Stable for the cell's life: nbformat 4.5's cell id, and the file name errors point at. */
  id: string;
  type: 'code' | 'markdown';
  source: string;
  outputs: CellOutput[];
  executionCount: number | null;
}

export interface Notebook {
  cells: Cell[];
  /** The backend the reader chose last (null: the automatic choice). */
  backend: string | null;
}

export const STORAGE_KEY = 'nabla.playground.v1';
let idCounter = 0;
/** An nbformat cell id (`^[a-zA-Z0-9-_]+$`, 1–64 characters), unique within a page. */
export function newCellId(): string {
  const rnd = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  return `c${(++idCounter).toString(36)}${rnd}`;
}

export function newCell(source = '', type: Cell['type'] = 'code'): Cell {
  return { id: newCellId(), type, source, outputs: [], executionCount: null };
}

const VALID_ID = /^[a-zA-Z0-9-_]{1,64}$/;

// ---------------------------------------------------------------------------------------------------------
// .ipynb
// ---------------------------------------------------------------------------------------------------------

/** nbformat stores multi-line strings as a list of lines, each keeping its newline. */
function toLines(text: string): string[] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines ?? [];
}

function fromLines(v: unknown): string {
  if (Array.isArray(v)) return v.map(String).join('');
  return typeof v === 'string' ? v : '';
}

/** MIME values that are text are stored as line lists; JSON ones (Vega-Lite) as objects. */
function exportBundle(b: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [mime, v] of Object.entries(b)) {
    out[mime] = typeof v === 'string' && !mime.endsWith('json') ? toLines(v) : v;
  }
  return out;
}

function importBundle(b: unknown): MimeBundle {
  const out: MimeBundle = {};
  if (!b || typeof b !== 'object') return out;
  for (const [mime, v] of Object.entries(b as MimeBundle))
    out[mime] = Array.isArray(v) && !mime.endsWith('json') ? fromLines(v) : v;
  return out;
}

function exportOutput(o: CellOutput): Record<string, unknown> {
  switch (o.output_type) {
    case 'stream':
      return { output_type: 'stream', name: o.name, text: toLines(o.text) };
    case 'display_data':
      // transient is not part of a saved notebook (nbformat's schema rejects it)
      return { output_type: 'display_data', data: exportBundle(o.data), metadata: o.metadata ?? {} };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        data: exportBundle(o.data),
        metadata: o.metadata ?? {},
        execution_count: o.execution_count,
      };
    case 'error':
      return { output_type: 'error', ename: o.ename, evalue: o.evalue, traceback: o.traceback };
  }
}

function importOutput(o: Record<string, unknown>): CellOutput | null {
  switch (o.output_type) {
    case 'stream':
      return { output_type: 'stream', name: o.name === 'stderr' ? 'stderr' : 'stdout', text: fromLines(o.text) };
    case 'display_data':
      return {
        output_type: 'display_data',
        data: importBundle(o.data),
        metadata: (o.metadata as Record<string, unknown>) ?? {},
      };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        data: importBundle(o.data),
        metadata: (o.metadata as Record<string, unknown>) ?? {},
        execution_count: typeof o.execution_count === 'number' ? o.execution_count : null,
      };
    case 'error':
      return {
        output_type: 'error',
        ename: String(o.ename ?? 'Error'),
        evalue: String(o.evalue ?? ''),
        traceback: Array.isArray(o.traceback) ? o.traceback.map(String) : [],
      };
    default:
      return null;
  }
}

/** The notebook as an nbformat 4.5 document (a JSON object). */
export function toIpynb(nb: Notebook): Record<string, unknown> {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { ...KERNELSPEC },
      language_info: { ...LANGUAGE_INFO },
      nabla: { backend: nb.backend },
    },
    cells: nb.cells.map((c) =>
      c.type === 'markdown'
        ? { cell_type: 'markdown', id: c.id, metadata: {}, source: toLines(c.source) }
        : {
            cell_type: 'code',
            id: c.id,
            metadata: {},
            execution_count: c.executionCount,
            source: toLines(c.source),
            outputs: c.outputs.map(exportOutput),
          },
    ),
  };
}

export function ipynbText(nb: Notebook): string {
  return JSON.stringify(toIpynb(nb), null, 1) + '\n';
}

/**
 * Reads an .ipynb (nbformat 4; raw cells become markdown, unknown outputs are dropped). Throws an Error with
 * a sentence when the text is not a notebook.
 */
export function fromIpynb(text: string): Notebook {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`this file is not a notebook: it is not JSON (${(e as Error).message})`);
  }
  const d = doc as { nbformat?: unknown; cells?: unknown; metadata?: { nabla?: { backend?: unknown } } };
  if (!d || typeof d !== 'object' || !Array.isArray(d.cells))
    throw new Error('this file is not a notebook: it has no "cells" list');
  if (d.nbformat !== 4)
    throw new Error(
      `only nbformat 4 notebooks can be opened (this one is nbformat ${String(d.nbformat)}); convert it with 'jupyter nbconvert --to notebook'`,
    );
  const seen = new Set<string>();
  const cells: Cell[] = [];
  for (const raw of d.cells as Record<string, unknown>[]) {
    if (!raw || typeof raw !== 'object') continue;
    let id = typeof raw.id === 'string' && VALID_ID.test(raw.id) && !seen.has(raw.id) ? raw.id : newCellId();
    while (seen.has(id)) id = newCellId();
    seen.add(id);
    const source = fromLines(raw.source);
    if (raw.cell_type === 'code') {
      const outputs = Array.isArray(raw.outputs)
        ? raw.outputs.map((o) => importOutput(o as Record<string, unknown>)).filter((o): o is CellOutput => o !== null)
        : [];
      const executionCount = typeof raw.execution_count === 'number' ? raw.execution_count : null;
      cells.push({ id, type: 'code', source, outputs, executionCount });
    } else {
      cells.push({ id, type: 'markdown', source, outputs: [], executionCount: null });
    }
  }
  const backend = typeof d.metadata?.nabla?.backend === 'string' ? d.metadata.nabla.backend : null;
  return { cells, backend };
}

// ---------------------------------------------------------------------------------------------------------
// localStorage
// ---------------------------------------------------------------------------------------------------------

/** The part of the Web Storage API used here (Node tests pass a Map-backed one). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Saves the notebook; when outputs (SVG charts, large tables) overflow the storage quota, saves the sources
 * alone. Returns what was saved: 'all', 'sources' or 'nothing'.
 */
export function save(storage: StorageLike, nb: Notebook): 'all' | 'sources' | 'nothing' {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(nb));
    return 'all';
  } catch {
    try {
      const bare: Notebook = { ...nb, cells: nb.cells.map((c) => ({ ...c, outputs: [] })) };
      storage.setItem(STORAGE_KEY, JSON.stringify(bare));
      return 'sources';
    } catch {
      return 'nothing';
    }
  }
}

/** The saved notebook, or null when none was saved or it cannot be read. */
export function load(storage: StorageLike): Notebook | null {
  let text: string | null;
  try {
    text = storage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
  if (!text) return null;
  try {
    const nb = JSON.parse(text) as Notebook;
    if (!Array.isArray(nb.cells)) return null;
    const seen = new Set<string>();
    const cells = nb.cells
      .filter((c) => c && typeof c.source === 'string')
      .map((c) => {
        const id = typeof c.id === 'string' && VALID_ID.test(c.id) && !seen.has(c.id) ? c.id : newCellId();
        seen.add(id);
        return {
          id,
          type: c.type === 'markdown' ? ('markdown' as const) : ('code' as const),
          source: c.source,
          outputs: Array.isArray(c.outputs) ? c.outputs : [],
          executionCount: typeof c.executionCount === 'number' ? c.executionCount : null,
        };
      });
    return { cells, backend: typeof nb.backend === 'string' ? nb.backend : null };
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Error places
// ---------------------------------------------------------------------------------------------------------

export interface ErrorPlace {
  file: string;
  line: number;
  col: number;
  message: string;
  /** 'error' for the place that failed, 'note' for a caller ("called from here"). */
  severity: 'error' | 'note';
}

/**
 * Where to mark the editors after a failed run: the places of its diagnostics (../../diagnostic), read as
 * data. The error's own place says what went wrong; a caller's says it called from there. Columns count code
 * points, as everywhere in Nabla.
 */
export function errorPlaces(diagnostics: readonly Diagnostic[]): ErrorPlace[] {
  return diagnostics.flatMap((d) => {
    const { ename, evalue } = headline(d);
    return d.places.map((p): ErrorPlace => {
      const own = p.label === '';
      return {
        file: p.file,
        line: p.line,
        col: p.col,
        message: own ? (d.severity ? evalue : `${ename}: ${evalue}`) : p.label,
        severity: own ? 'error' : 'note',
      };
    });
  });
}

/** The file name a cell's code runs under, so errors (even from functions defined there) point back at it. */
export function cellFile(cell: Pick<Cell, 'id'>): string {
  return `cell-${cell.id}`;
}

// ---------------------------------------------------------------------------------------------------------
// Positions: Nabla counts code points, Monaco counts UTF-16 units
// ---------------------------------------------------------------------------------------------------------

/** The UTF-16 offset of a code-point offset into `text`. */
export function utf16Offset(text: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; n < codePoints && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return i;
}

/** The code-point offset of a UTF-16 offset into `text`. */
export function codePointOffset(text: string, utf16: number): number {
  let n = 0;
  for (let i = 0; i < utf16 && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return n;
}

/** The UTF-16 column (1-based) in `lineText` of a code-point column (1-based). */
export function utf16Column(lineText: string, codePointCol: number): number {
  return utf16Offset(lineText, codePointCol - 1) + 1;
}
