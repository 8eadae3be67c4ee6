// The playground page: notebook cells in Monaco editors, run by the same compiler and runtime as the CLI and
// the Jupyter kernel (compiler/, runtime/, display/ bundled for the browser by web/build.ts). The session
// runs in a worker (session.worker.ts, reached through session-client.ts); the page edits and draws.
import 'monaco-editor/features/register.all';
import * as monaco from 'monaco-editor/editor';
import './style.css';
import type { BackendReport } from '../../runtime/backend';
import { failed, placeless, type Diagnostic } from '../../diagnostic';
import { loadCharts } from '../../display';
import { KEYWORDS } from '../../grammar';
import type { BackendStatus } from './backends';
import { browserCapabilities } from './capabilities';
import { DEFAULT_EXAMPLE, EXAMPLES } from './examples';
import { registerNabla, RUN_OWNER, SYNTAX_OWNER, updateSyntaxMarkers } from './language';
import { LANGUAGE_ID } from './monarch';
import {
  cellFile,
  errorPlaces,
  fromIpynb,
  ipynbText,
  load,
  newCell,
  save,
  STORAGE_KEY,
  utf16Column,
  type Cell,
  type CellOutput,
  type Notebook,
  type StorageLike,
} from './notebook';
import { renderOutput, trust, type RenderContext } from './outputs';
import type { RunReply } from './protocol';
import { SessionClient } from './session-client';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new Worker(new URL('./editor.worker.js', import.meta.url)),
};

// ---------------------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------------------

const client = new SessionClient();
let executionCounter = 0;
let backendChoice: string | null = null;
const views: CellView[] = [];
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
/** localStorage, or an in-memory stand-in where the browser refuses it (file://, some private modes). */
const storage: StorageLike = (() => {
  try {
    const s = window.localStorage;
    s.getItem(STORAGE_KEY);
    return s;
  } catch {
    const m = new Map<string, string>();
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
  }
})();

// Vega for charts: loaded in the background; bundles made before it arrives are drawn when it does.
void loadCharts().catch(() => undefined);

// ---------------------------------------------------------------------------------------------------------
// A cell
// ---------------------------------------------------------------------------------------------------------

class CellView {
  readonly root: HTMLElement;
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  readonly model: monaco.editor.ITextModel;
  private readonly prompt: HTMLElement;
  private readonly outputsEl: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly rendered: HTMLElement;
  private readonly errorLines: monaco.editor.IEditorDecorationsCollection;
  private lintTimer: ReturnType<typeof setTimeout> | undefined;
  editing: boolean;

  constructor(readonly cell: Cell) {
    this.root = el('div', `cell ${cell.type}`);
    this.root.dataset.cellId = cell.id;
    const side = el('div', 'side');
    this.prompt = el('div', 'prompt');
    const run = button('▶', 'run', cell.type === 'code' ? 'Run this cell (Shift+Enter)' : 'Show this text (Shift+Enter)');
    run.addEventListener('click', () => void this.run());
    side.append(this.prompt, run);

    const main = el('div', 'main');
    const tools = el('div', 'tools');
    const up = button('↑', 'up', 'Move up');
    const down = button('↓', 'down', 'Move down');
    const add = button('+', 'add', 'Add a code cell below');
    const del = button('✕', 'delete', 'Delete this cell');
    up.addEventListener('click', () => moveCell(this, -1));
    down.addEventListener('click', () => moveCell(this, 1));
    add.addEventListener('click', () => insertCell(views.indexOf(this) + 1, newCell()).focus());
    del.addEventListener('click', () => deleteCell(this));
    tools.append(up, down, add, del);

    const editorEl = el('div', 'editor');
    this.rendered = el('div', 'rendered');
    this.rendered.title = 'Double-click to edit';
    this.rendered.addEventListener('dblclick', () => this.setEditing(true));
    this.meta = el('div', 'meta');
    this.outputsEl = el('div', 'outputs');
    main.append(tools, editorEl, this.rendered, this.meta, this.outputsEl);
    this.root.append(side, main);

    const uri = monaco.Uri.parse(`inmemory://nabla/${cellFile(cell)}.${cell.type === 'code' ? 'nabla' : 'md'}`);
    this.model = monaco.editor.createModel(cell.source, cell.type === 'code' ? LANGUAGE_ID : 'plaintext', uri);
    this.editor = monaco.editor.create(editorEl, {
      model: this.model,
      theme: 'nabla-light',
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      automaticLayout: false,
      fixedOverflowWidgets: true,
      fontSize: 14,
      lineHeight: 20,
      fontFamily: "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace",
      lineNumbers: cell.type === 'code' ? 'on' : 'off',
      lineNumbersMinChars: 3,
      glyphMargin: false,
      folding: false,
      lineDecorationsWidth: 8,
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      renderLineHighlight: 'none',
      wordWrap: cell.type === 'code' ? 'off' : 'on',
      tabSize: 2,
      padding: { top: 6, bottom: 6 },
      scrollbar: { vertical: 'hidden', horizontal: 'auto', alwaysConsumeMouseWheel: false, useShadows: false },
      unicodeHighlight: { ambiguousCharacters: false },
      quickSuggestions: { other: true, comments: false, strings: false },
      acceptSuggestionOnEnter: 'smart',
      ariaLabel: `Nabla cell`,
    });
    this.errorLines = this.editor.createDecorationsCollection();
    this.editor.onDidContentSizeChange(() => this.layout());
    this.model.onDidChangeContent(() => {
      this.cell.source = this.model.getValue();
      this.clearRunMarks();
      if (this.cell.type === 'code') {
        clearTimeout(this.lintTimer);
        this.lintTimer = setTimeout(() => this.lint(), 150);
      }
      scheduleSave();
    });
    this.editor.addAction({
      id: 'nabla.runAndAdvance',
      label: 'Run cell and select below',
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
      run: () => void this.run().then(() => advance(this)),
    });
    this.editor.addAction({
      id: 'nabla.runInPlace',
      label: 'Run cell',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => void this.run(),
    });
    this.editor.addAction({
      id: 'nabla.runAndInsert',
      label: 'Run cell and insert below',
      keybindings: [monaco.KeyMod.Alt | monaco.KeyCode.Enter],
      run: () => void this.run().then(() => insertCell(views.indexOf(this) + 1, newCell()).focus()),
    });
    this.editor.onDidFocusEditorText(() => setActive(this));

    this.editing = cell.type === 'code' || cell.source.trim() === '';
    this.setEditing(this.editing);
    this.renderPrompt();
    for (const o of cell.outputs) this.outputsEl.append(renderOutput(o, renderContext));
    if (cell.type === 'code') this.lint();
  }

  layout(): void {
    const editorEl = this.editor.getContainerDomNode();
    const height = Math.max(this.editor.getContentHeight(), 32);
    editorEl.style.height = `${height}px`;
    this.editor.layout({ width: editorEl.clientWidth, height });
  }

  focus(): void {
    this.setEditing(true);
    this.editor.focus();
    const last = this.model.getLineCount();
    if (this.model.getValueLength() === 0) this.editor.setPosition({ lineNumber: 1, column: 1 });
    else if (!this.editor.hasTextFocus()) this.editor.setPosition({ lineNumber: last, column: this.model.getLineMaxColumn(last) });
    this.root.scrollIntoView({ block: 'nearest' });
  }

  setEditing(on: boolean): void {
    this.editing = on || this.cell.type === 'code';
    this.root.classList.toggle('editing', this.editing);
    if (this.cell.type === 'markdown') {
      this.rendered.replaceChildren(renderMarkdown(this.cell.source));
    }
    if (this.editing) requestAnimationFrame(() => this.layout());
  }

  lint(): void {
    updateSyntaxMarkers(this.model, cellFile(this.cell));
  }

  renderPrompt(state?: 'running' | 'queued'): void {
    if (this.cell.type !== 'code') {
      this.prompt.textContent = '';
      return;
    }
    const n = state === 'running' ? '*' : state === 'queued' ? '·' : this.cell.executionCount ?? ' ';
    this.prompt.textContent = `[${n}]`;
    this.root.classList.toggle('running', state === 'running');
  }

  /** Runs the cell (a text cell is rendered); resolves true when it ran without an error. */
  async run(): Promise<boolean> {
    if (this.cell.type === 'markdown') {
      this.setEditing(false);
      return true;
    }
    this.renderPrompt('running');
    this.clearOutputs();
    const sinks = {
      stream: (name: 'stdout' | 'stderr', text: string) => this.stream(name, text),
      display: (bundle: Record<string, unknown>, displayId?: string, update?: boolean) => {
        if (update && displayId && updateDisplay(displayId, bundle)) return;
        this.push({ output_type: 'display_data', data: bundle, metadata: {}, ...(displayId ? { transient: { display_id: displayId } } : {}) });
      },
    };
    let reply: RunReply;
    try {
      reply = await client.call('run', { code: this.model.getValue(), file: cellFile(this.cell) }, sinks);
    } catch (e) {
      const m = String((e as Error)?.message ?? e);
      reply = { result: failed([placeless('InternalError', m)]), ms: 0, backend: report?.chosen ?? '?', kernels: {} };
    }
    const r = reply.result;
    this.cell.executionCount = ++executionCounter;
    if (r.ok && r.value) this.push({ output_type: 'execute_result', data: r.value, metadata: {}, execution_count: this.cell.executionCount });
    if (!r.ok) {
      this.push({ output_type: 'error', ename: r.ename, evalue: r.evalue, traceback: r.traceback });
      markErrorPlaces(r.diagnostics);
    }
    this.renderPrompt();
    const ms = reply.ms;
    const parts = Object.entries(reply.kernels).map(([b, n]) => `${b} ${n}`);
    this.meta.textContent = `${r.ok ? 'ran' : 'failed'} in ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms on ${reply.backend}${parts.length ? ` · kernels: ${parts.join(', ')}` : ''}`;
    this.meta.dataset.backend = reply.backend;
    this.meta.dataset.kernels = JSON.stringify(reply.kernels);
    this.root.classList.toggle('failed', !r.ok);
    scheduleSave();
    return r.ok;
  }

  private stream(name: 'stdout' | 'stderr', text: string): void {
    const last = this.cell.outputs[this.cell.outputs.length - 1];
    if (last?.output_type === 'stream' && last.name === name) {
      last.text += text;
      (this.outputsEl.lastElementChild as HTMLElement).textContent = last.text;
      return;
    }
    this.push({ output_type: 'stream', name, text });
  }

  /** Adds an output this page's session produced (so trusted: outputs.ts, trust()). */
  push(o: CellOutput): void {
    this.cell.outputs.push(trust(o));
    this.outputsEl.append(renderOutput(o, renderContext));
  }

  redrawOutputs(): void {
    this.outputsEl.replaceChildren(...this.cell.outputs.map((o) => renderOutput(o, renderContext)));
  }

  clearOutputs(): void {
    this.cell.outputs = [];
    this.outputsEl.replaceChildren();
    this.meta.textContent = '';
    this.root.classList.remove('failed');
  }

  /** Marks a line of this cell as where an error happened (or, for a note, where it was called from). */
  markError(line: number, col: number, message: string, note: boolean): void {
    const lineText = this.model.getLineContent(Math.min(line, this.model.getLineCount()));
    const column = utf16Column(lineText, col);
    const word = this.model.getWordAtPosition({ lineNumber: line, column });
    const markers = monaco.editor.getModelMarkers({ owner: RUN_OWNER, resource: this.model.uri });
    const covered = monaco.editor.getModelMarkers({ owner: SYNTAX_OWNER, resource: this.model.uri }).some((m) => m.startLineNumber === line);
    if (!covered) {
      markers.push({
        owner: RUN_OWNER,
        resource: this.model.uri,
        severity: note ? monaco.MarkerSeverity.Info : monaco.MarkerSeverity.Error,
        message,
        source: 'nabla',
        startLineNumber: line,
        startColumn: column,
        endLineNumber: line,
        endColumn: word ? word.endColumn : column + 1,
      });
      monaco.editor.setModelMarkers(this.model, RUN_OWNER, markers);
    }
    this.errorLines.append([
      {
        range: new monaco.Range(line, 1, line, 1),
        options: { isWholeLine: true, className: note ? 'nabla-note-line' : 'nabla-error-line', linesDecorationsClassName: note ? 'nabla-note-gutter' : 'nabla-error-gutter', stickiness: 1 },
      },
    ]);
  }

  clearRunMarks(): void {
    if (this.errorLines.length) this.errorLines.clear();
    monaco.editor.setModelMarkers(this.model, RUN_OWNER, []);
  }

  dispose(): void {
    clearTimeout(this.lintTimer);
    this.editor.dispose();
    this.model.dispose();
    this.root.remove();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The notebook
// ---------------------------------------------------------------------------------------------------------

const renderContext: RenderContext = {
  label: (text) => text.replace(/cell-([a-zA-Z0-9_-]+)/g, (whole, id: string) => {
    const i = views.findIndex((v) => v.cell.id === id);
    return i < 0 ? whole : `cell ${i + 1}`;
  }),
  reveal: (file, line, col) => {
    const v = views.find((x) => cellFile(x.cell) === file);
    if (!v) return;
    v.editor.revealLineInCenterIfOutsideViewport(line);
    v.focus();
    v.editor.setPosition({ lineNumber: line, column: utf16Column(v.model.getLineContent(line), col) });
  },
};

function markErrorPlaces(diagnostics: readonly Diagnostic[]): void {
  for (const p of errorPlaces(diagnostics)) {
    const v = views.find((x) => cellFile(x.cell) === p.file);
    if (v && p.line >= 1 && p.line <= v.model.getLineCount()) v.markError(p.line, p.col, p.message, p.severity === 'note');
  }
}

function updateDisplay(displayId: string, bundle: Record<string, unknown>): boolean {
  let found = false;
  for (const v of views) {
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

function notebook(): Notebook {
  return { cells: views.map((v) => v.cell), backend: backendChoice };
}

function insertCell(index: number, cell: Cell): CellView {
  const v = new CellView(cell);
  const list = $('cells');
  list.insertBefore(v.root, views[index]?.root ?? null);
  views.splice(index, 0, v);
  requestAnimationFrame(() => v.layout());
  scheduleSave();
  return v;
}

function deleteCell(v: CellView): void {
  const i = views.indexOf(v);
  if (i < 0) return;
  views.splice(i, 1);
  v.dispose();
  if (views.length === 0) insertCell(0, newCell());
  scheduleSave();
}

function moveCell(v: CellView, by: -1 | 1): void {
  const i = views.indexOf(v);
  const j = i + by;
  if (j < 0 || j >= views.length) return;
  views.splice(i, 1);
  views.splice(j, 0, v);
  $('cells').insertBefore(v.root, by < 0 ? views[j + 1].root : views[j + 1]?.root ?? null);
  scheduleSave();
}

function advance(v: CellView): void {
  const i = views.indexOf(v);
  const next = views[i + 1] ?? insertCell(i + 1, newCell());
  next.focus();
}

let active: CellView | null = null;
function setActive(v: CellView): void {
  active?.root.classList.remove('active');
  active = v;
  v.root.classList.add('active');
}

function replaceNotebook(nb: Notebook): void {
  for (const v of views.splice(0)) v.dispose();
  restartSession(false, nb.backend);
  for (const c of nb.cells) insertCell(views.length, c);
  if (views.length === 0) insertCell(0, newCell());
  scheduleSave();
}

/** A fresh session: a new worker (which also stops a cell still running), on `backend` or the current choice. */
function restartSession(clear: boolean, backend = backendChoice): void {
  client.restart();
  void applyBackend(backend ?? 'auto', false);
  executionCounter = 0;
  for (const v of views) {
    v.cell.executionCount = null;
    if (clear) v.clearOutputs();
    v.clearRunMarks();
    v.renderPrompt();
  }
  setStatus('Restarted: a fresh session (no variables).');
}

async function runAll(): Promise<boolean> {
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

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleSave(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 300);
}
function saveNow(): void {
  clearTimeout(saveTimer);
  const what = save(storage, notebook());
  if (what === 'sources') setStatus('Outputs are too large for this browser\'s storage: saved the cells without them.');
  if (what === 'nothing') setStatus('This browser would not save the notebook (storage full or disabled).');
}

function exampleNotebook(id: string): Notebook {
  const ex = EXAMPLES.find((e) => e.id === id) ?? EXAMPLES[0];
  return { cells: ex.cells.map((c) => newCell(c.source, c.type)), backend: backendChoice };
}

// ---------------------------------------------------------------------------------------------------------
// Backends
// ---------------------------------------------------------------------------------------------------------

let statuses: BackendStatus[] = [];
/** The session worker's last word on the backend it runs. */
let report: BackendReport | null = null;

async function applyBackend(name: string, announce = true): Promise<boolean> {
  try {
    const r = await client.call('select', { name });
    report = r;
    backendChoice = name === 'auto' ? null : name;
    ($('backend') as HTMLSelectElement).value = name;
    renderBackendInfo();
    if (announce) setStatus(`Backend: ${r.chosen}.`);
    scheduleSave();
    return true;
  } catch (e) {
    setStatus(`Cannot switch backend: ${(e as Error).message}`);
    ($('backend') as HTMLSelectElement).value = backendChoice ?? 'auto';
    return false;
  }
}

async function renderBackendSelect(): Promise<void> {
  const b = await client.call('backends', {});
  statuses = b.statuses;
  report = b.report;
  const select = $('backend') as HTMLSelectElement;
  const auto = document.createElement('option');
  auto.value = 'auto';
  auto.textContent = 'auto (best available)';
  select.replaceChildren(auto);
  for (const s of statuses) {
    const o = document.createElement('option');
    o.value = s.name;
    o.textContent = s.usable ? s.name : `${s.name} (unavailable)`;
    o.disabled = !s.usable;
    if (s.why) o.title = s.why;
    select.append(o);
  }
  select.value = backendChoice ?? 'auto';
}

let capabilities = '';
const browserOffer: Record<string, string> = {};
function renderBackendInfo(): void {
  const r = report;
  if (!r) return;
  $('backend-current').textContent = `${r.chosen}`;
  $('backend-current').title = r.why;
  const list = $('backend-list');
  list.replaceChildren(
    ...statuses.map((s) => {
      const li = el('li', s.usable ? 'usable' : 'unavailable');
      li.dataset.backend = s.name;
      const name = el('b', '');
      name.textContent = s.name;
      const what = el('span', '');
      const passed = r.skipped.find((k) => k.name === s.name);
      what.textContent = !s.usable ? ` — unavailable: ${s.why}` : s.name === r.chosen ? ' — running' : passed ? ` — available, not chosen automatically: ${passed.why}` : ' — available';
      li.append(name, what);
      // The runtime's reason is about Nabla; say too what this browser would offer such a backend.
      const offer = !s.usable && browserOffer[s.name];
      if (offer) {
        const note = el('div', 'offer');
        note.textContent = `this browser offers ${offer}`;
        li.append(note);
      }
      return li;
    }),
  );
  $('browser-caps').textContent = capabilities;
}

// ---------------------------------------------------------------------------------------------------------
// Import and export
// ---------------------------------------------------------------------------------------------------------

function exportIpynb(): void {
  const blob = new Blob([ipynbText(notebook())], { type: 'application/x-ipynb+json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'nabla-playground.ipynb';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

let undo: Notebook | null = null;
function replaceWithUndo(nb: Notebook, what: string): void {
  undo = JSON.parse(JSON.stringify(notebook())) as Notebook;
  replaceNotebook(nb);
  setStatus(`${what}.`, true);
}

async function importIpynb(file: File): Promise<void> {
  try {
    const nb = fromIpynb(await file.text());
    replaceWithUndo(nb, `Opened ${file.name} (${nb.cells.length} cells; run them to recompute)`);
  } catch (e) {
    setStatus(`Cannot open ${file.name}: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------------------

function setStatus(text: string, withUndo = false): void {
  const s = $('status');
  s.textContent = text;
  if (withUndo && undo) {
    const b = button('Undo', 'undo', 'Bring back the notebook this replaced');
    b.addEventListener('click', () => {
      const prev = undo;
      undo = null;
      if (prev) replaceNotebook(prev);
      setStatus('Brought back the previous notebook.');
    });
    s.append(' ', b);
  }
}

function el(tag: string, cls: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

function button(text: string, cls: string, title: string): HTMLButtonElement {
  const b = el('button', cls) as HTMLButtonElement;
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  return b;
}

/** A small, safe Markdown subset for text cells: headings, paragraphs, **bold**, *italic*, `code`, lists. */
function renderMarkdown(src: string): DocumentFragment {
  const frag = document.createDocumentFragment();
  const inline = (text: string, into: HTMLElement) => {
    const re = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*)/g;
    let last = 0;
    for (const m of text.matchAll(re)) {
      into.append(text.slice(last, m.index));
      const t = m[0];
      const node = t.startsWith('`') ? el('code', '') : t.startsWith('**') ? el('strong', '') : el('em', '');
      node.textContent = t.startsWith('**') ? t.slice(2, -2) : t.slice(1, -1);
      into.append(node);
      last = (m.index ?? 0) + t.length;
    }
    into.append(text.slice(last));
  };
  let list: HTMLElement | null = null;
  for (const block of src.split(/\n{2,}/)) {
    for (const line of block.split('\n')) {
      const h = /^(#{1,4})\s+(.*)$/.exec(line);
      const item = /^\s*[-*]\s+(.*)$/.exec(line);
      if (h) {
        list = null;
        const e = el(`h${h[1].length + 1}`, '');
        inline(h[2], e);
        frag.append(e);
      } else if (item) {
        if (!list) frag.append((list = el('ul', '')));
        const li = el('li', '');
        inline(item[1], li);
        list.append(li);
      } else if (line.trim()) {
        list = null;
        const last = frag.lastElementChild as HTMLElement | null;
        const p = last?.tagName === 'P' && last.dataset.open ? last : el('p', '');
        if (p !== last) {
          p.dataset.open = '1';
          frag.append(p);
        } else p.append(' ');
        inline(line, p);
      }
    }
    const last = frag.lastElementChild as HTMLElement | null;
    if (last) delete last.dataset.open;
    list = null;
  }
  if (!frag.childNodes.length) {
    const p = el('p', 'empty');
    p.textContent = 'Empty text cell: double-click to write.';
    frag.append(p);
  }
  return frag;
}

async function start(): Promise<void> {
  const { names } = await client.call('builtins', {});
  registerNabla({
    builtins: names,
    complete: (code, cursor) => client.call('complete', { code, cursor }),
    inspect: (code, cursor) => client.call('inspect', { code, cursor }),
  });
  const examples = $('examples') as HTMLSelectElement;
  for (const ex of EXAMPLES) {
    const o = document.createElement('option');
    o.value = ex.id;
    o.textContent = ex.title;
    examples.append(o);
  }
  examples.addEventListener('change', () => {
    const id = examples.value;
    examples.value = '';
    if (id) replaceWithUndo(exampleNotebook(id), `Opened the example "${EXAMPLES.find((e) => e.id === id)?.title}"`);
  });
  $('run-all').addEventListener('click', () => void runAll());
  $('add-code').addEventListener('click', () => insertCell(active ? views.indexOf(active) + 1 : views.length, newCell()).focus());
  $('add-text').addEventListener('click', () => insertCell(active ? views.indexOf(active) + 1 : views.length, newCell('', 'markdown')).focus());
  $('clear').addEventListener('click', () => {
    for (const v of views) {
      v.clearOutputs();
      v.clearRunMarks();
    }
    scheduleSave();
  });
  $('restart').addEventListener('click', () => restartSession(true));
  $('export').addEventListener('click', exportIpynb);
  const input = $('import-file') as HTMLInputElement;
  $('import').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    input.value = '';
    if (f) void importIpynb(f);
  });
  ($('backend') as HTMLSelectElement).addEventListener('change', (e) => void applyBackend((e.target as HTMLSelectElement).value));
  window.addEventListener('resize', () => views.forEach((v) => v.layout()));
  window.addEventListener('beforeunload', saveNow);

  const saved = load(storage);
  const nb = saved && saved.cells.length ? saved : exampleNotebook(DEFAULT_EXAMPLE);
  for (const c of nb.cells) insertCell(views.length, c);
  await renderBackendSelect();
  if (nb.backend) await applyBackend(nb.backend, false);
  renderBackendInfo();
  setStatus(saved ? 'Restored your notebook from this browser.' : 'Welcome! Shift+Enter runs a cell.');
  void browserCapabilities().then((c) => {
    capabilities = `This browser offers — WebGPU: ${c.webgpu}; WebGL2: ${c.webgl2}; ${c.wasm}.`;
    if (c.webgpu.startsWith('adapter:')) browserOffer.webgpu = `a WebGPU ${c.webgpu}`;
    if (c.webgl2.startsWith('renderer:')) browserOffer.webgl2 = 'WebGL2';
    renderBackendInfo();
  });
  document.body.classList.add('ready');
}

/** For tests and the curious (devtools): the page's moving parts. */
const api = {
  monaco,
  KEYWORDS,
  get cells() {
    return views.map((v) => v.cell);
  },
  editor: (i: number) => views[i].editor,
  /** Index of the cell with this id (-1 when none). */
  indexOf: (id: string) => views.findIndex((v) => v.cell.id === id),
  /** Shows a MIME bundle under cell i, as a cell's display() call would. */
  display: (i: number, bundle: Record<string, unknown>) => views[i].push({ output_type: 'display_data', data: bundle, metadata: {} }),
  runCell: (i: number) => views[i].run(),
  runAll,
  setBackend: (name: string) => applyBackend(name),
  backends: () => statuses,
  backend: () => report,
  /** A global's value as plain numbers (a tensor's host array), for comparing backends. */
  values: (name: string) => client.call('values', { name }),
  /** What the GPU backends ran: gpu.js kernel classes, cache and guard counts (protocol.ts GpuStats). */
  gpuStats: () => client.call('gpuStats', {}),
  restart: () => restartSession(true),
  notebook,
  ipynb: () => ipynbText(notebook()),
  loadExample: (id: string) => replaceNotebook(exampleNotebook(id)),
  examples: EXAMPLES.map((e) => e.id),
  save: saveNow,
};
(window as unknown as { nablaPlayground: typeof api }).nablaPlayground = api;

start().catch((e: Error) => setStatus(`The playground could not start: ${e.message}`));
