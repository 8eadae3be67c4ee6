// The notebook on the page: the list of cell views, what cells ask of it (insert, move, delete, run through
// the session, save), and the notebook-wide operations (replace, restart, run all). Saving goes to
// localStorage (or the stand-in where the browser refuses it), a moment after the last change.
import type { Diagnostic } from '../../diagnostic';
import { failed, placeless } from '../../diagnostic';
import { CellView, type CellHost, type CellSinks } from './cell-view';
import { $ } from './dom';
import { EXAMPLES } from './examples';
import {
  cellFile,
  errorPlaces,
  newCell,
  save,
  STORAGE_KEY,
  utf16Column,
  type Cell,
  type Notebook,
  type StorageLike,
} from './notebook';
import { trust, type RenderContext } from './outputs';
import type { CheckDiagnostic, RunReply } from './protocol';
import type { SessionClient } from './session-client';
import { setStatus } from './status';

/** What the notebook needs of the backend panel (backend-panel.ts). */
export interface BackendChoice {
  /** The backend the reader chose (null: the automatic choice). */
  readonly choice: string | null;
  /** The running backend's name, as the session worker last said it. */
  readonly chosen: string | null;
  apply(name: string, announce?: boolean): Promise<boolean>;
}

/** localStorage, or an in-memory stand-in where the browser refuses it (file://, some private modes). */
export function pageStorage(): StorageLike {
  try {
    const s = window.localStorage;
    s.getItem(STORAGE_KEY);
    return s;
  } catch {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
  }
}

export class NotebookView implements CellHost {
  readonly views: CellView[] = [];
  private executionCounter = 0;
  private active: CellView | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly client: SessionClient,
    private readonly backend: BackendChoice,
    readonly storage: StorageLike,
  ) {}

  readonly renderContext: RenderContext = {
    label: (text) =>
      text.replace(/cell-([a-zA-Z0-9_-]+)/g, (whole, id: string) => {
        const i = this.views.findIndex((v) => v.cell.id === id);
        return i < 0 ? whole : `cell ${i + 1}`;
      }),
    reveal: (file, line, col) => {
      const v = this.views.find((x) => cellFile(x.cell) === file);
      if (!v) return;
      v.editor.revealLineInCenterIfOutsideViewport(line);
      v.focus();
      v.editor.setPosition({ lineNumber: line, column: utf16Column(v.model.getLineContent(line), col) });
    },
  };

  async run(code: string, file: string, sinks: CellSinks): Promise<RunReply> {
    try {
      return await this.client.call('run', { code, file }, sinks);
    } catch (e) {
      const m = String((e as Error)?.message ?? e);
      return {
        result: failed([placeless('InternalError', m)]),
        ms: 0,
        backend: this.backend.chosen ?? '?',
        kernels: {},
      };
    }
  }

  check(code: string, earlier: string[]): Promise<CheckDiagnostic[]> {
    return this.client.call('check', { code, earlier });
  }

  codeAbove(v: CellView): string[] {
    return this.views
      .slice(0, this.views.indexOf(v))
      .filter((x) => x.cell.type === 'code')
      .map((x) => x.model.getValue());
  }

  relintAll(): void {
    for (const v of this.views) if (v.cell.type === 'code') v.lint();
  }

  nextExecutionCount(): number {
    return ++this.executionCounter;
  }

  markErrors(diagnostics: readonly Diagnostic[]): void {
    for (const p of errorPlaces(diagnostics)) {
      const v = this.views.find((x) => cellFile(x.cell) === p.file);
      if (v && p.line >= 1 && p.line <= v.model.getLineCount())
        v.markError(p.line, p.col, p.message, p.severity === 'note');
    }
  }

  updateDisplay(displayId: string, bundle: Record<string, unknown>): boolean {
    let found = false;
    for (const v of this.views) {
      for (const o of v.cell.outputs) {
        if (o.output_type === 'display_data' && o.transient?.display_id === displayId) {
          o.data = bundle;
          trust(o); // the session's own bundle now
          found = true;
        }
      }
      if (found) {
        v.redrawOutputs();
        return true;
      }
    }
    return false;
  }

  notebook(): Notebook {
    return { cells: this.views.map((v) => v.cell), backend: this.backend.choice };
  }

  insertCell(index: number, cell: Cell): CellView {
    const v = new CellView(cell, this);
    $('cells').insertBefore(v.root, this.views[index]?.root ?? null);
    this.views.splice(index, 0, v);
    requestAnimationFrame(() => v.layout());
    this.changed();
    return v;
  }

  /** A new cell after the active one (or at the end). */
  insertAtCursor(cell: Cell): CellView {
    return this.insertCell(this.active ? this.views.indexOf(this.active) + 1 : this.views.length, cell);
  }

  insertBelow(v: CellView): CellView {
    return this.insertCell(this.views.indexOf(v) + 1, newCell());
  }

  remove(v: CellView): void {
    const i = this.views.indexOf(v);
    if (i < 0) return;
    this.views.splice(i, 1);
    v.dispose();
    if (this.views.length === 0) this.insertCell(0, newCell());
    this.changed();
  }

  move(v: CellView, by: -1 | 1): void {
    const views = this.views;
    const i = views.indexOf(v);
    const j = i + by;
    if (j < 0 || j >= views.length) return;
    views.splice(i, 1);
    views.splice(j, 0, v);
    $('cells').insertBefore(v.root, by < 0 ? views[j + 1].root : (views[j + 1]?.root ?? null));
    this.changed();
  }

  advance(v: CellView): void {
    const i = this.views.indexOf(v);
    const next = this.views[i + 1] ?? this.insertCell(i + 1, newCell());
    next.focus();
  }

  activate(v: CellView): void {
    this.active?.root.classList.remove('active');
    this.active = v;
    v.root.classList.add('active');
  }

  replaceNotebook(nb: Notebook): void {
    for (const v of this.views.splice(0)) v.dispose();
    this.restartSession(false, nb.backend);
    for (const c of nb.cells) this.insertCell(this.views.length, c);
    if (this.views.length === 0) this.insertCell(0, newCell());
    this.changed();
  }

  /** A fresh session: a new worker (which also stops a cell still running), on `backend` or the current choice. */
  restartSession(clear: boolean, backend = this.backend.choice): void {
    this.client.restart();
    void this.backend.apply(backend ?? 'auto', false);
    this.executionCounter = 0;
    for (const v of this.views) {
      v.cell.executionCount = null;
      if (clear) v.clearOutputs();
      v.clearRunMarks();
      v.renderPrompt();
    }
    this.relintAll();
    setStatus('Restarted: a fresh session (no variables).');
  }

  async runAll(): Promise<boolean> {
    const views = this.views;
    for (const v of views) if (v.cell.type === 'code') v.renderPrompt('queued');
    for (let i = 0; i < views.length; i++) {
      const ok = await views[i].run();
      if (!ok) {
        for (const w of views.slice(i + 1)) w.renderPrompt();
        setStatus(`Run all stopped at cell ${i + 1}: it failed.`);
        return false;
      }
    }
    setStatus(`Ran ${views.filter((v) => v.cell.type === 'code').length} cells.`);
    return true;
  }

  clearAll(): void {
    for (const v of this.views) {
      v.clearOutputs();
      v.clearRunMarks();
    }
    this.changed();
  }

  changed(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveNow(), 300);
  }

  saveNow(): void {
    clearTimeout(this.saveTimer);
    const what = save(this.storage, this.notebook());
    if (what === 'sources')
      setStatus("Outputs are too large for this browser's storage: saved the cells without them.");
    if (what === 'nothing') setStatus('This browser would not save the notebook (storage full or disabled).');
  }

  exampleNotebook(id: string): Notebook {
    const ex = EXAMPLES.find((e) => e.id === id) ?? EXAMPLES[0];
    return { cells: ex.cells.map((c) => newCell(c.source, c.type)), backend: this.backend.choice };
  }
}
