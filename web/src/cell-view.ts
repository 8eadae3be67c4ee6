// One cell of the playground: a Monaco editor (code, or Markdown text shown rendered), its prompt, tools,
// outputs and the line under it (time, backend, kernel counts). What a cell does to the notebook around it
// (insert, move, run through the session, save) it asks of its host (notebook-view.ts).
import * as monaco from 'monaco-editor/editor';
import type { Diagnostic } from '../../diagnostic';
import { button, el } from './dom';
import { scheduleCheck } from './check-markers';
import { updateSyntaxMarkers } from './language';
import { renderMarkdown } from './markdown';
import { LANGUAGE_ID } from './monarch';
import { cellEditorOptions } from './cell-editor';
import { cellFile, type Cell, type CellOutput } from './notebook';
import { renderOutput, trust, type RenderContext } from './outputs';
import { clearRunMarks, markRunError } from './run-marks';
import type { CheckDiagnostic, RunReply } from './protocol';

/** Where a run's outputs go while it runs. */
export interface CellSinks {
  stream(name: 'stdout' | 'stderr', text: string): void;
  display(bundle: Record<string, unknown>, displayId?: string, update?: boolean): void;
}

/** What a cell asks of the notebook it is in. */
export interface CellHost {
  readonly renderContext: RenderContext;
  /** Runs code in the session; never rejects (a failure is a failed reply). */
  run(code: string, file: string, sinks: CellSinks): Promise<RunReply>;
  nextExecutionCount(): number;
  insertBelow(v: CellView): CellView;
  move(v: CellView, by: -1 | 1): void;
  remove(v: CellView): void;
  advance(v: CellView): void;
  activate(v: CellView): void;
  /** Something worth saving changed. */
  changed(): void;
  /** Replaces a named display wherever it is (progress bars); false when none has that id. */
  updateDisplay(displayId: string, bundle: Record<string, unknown>): boolean;
  markErrors(diagnostics: readonly Diagnostic[]): void;
  /** The static checker's findings for this cell's code, with the code of the code cells above it. */
  check(code: string, earlier: string[]): Promise<CheckDiagnostic[]>;
  /** The code of the code cells above `v`, in order (names they define are known to the checker). */
  codeAbove(v: CellView): string[];
  /** Re-checks every code cell (a run or a restart changes which names the session defines). */
  relintAll(): void;
}

export class CellView {
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

  constructor(
    readonly cell: Cell,
    private readonly host: CellHost,
  ) {
    this.root = el('div', `cell ${cell.type}`);
    this.root.dataset.cellId = cell.id;
    const side = el('div', 'side');
    this.prompt = el('div', 'prompt');
    const run = button(
      '▶',
      'run',
      cell.type === 'code' ? 'Run this cell (Shift+Enter)' : 'Show this text (Shift+Enter)',
    );
    run.addEventListener('click', () => void this.run());
    side.append(this.prompt, run);

    const main = el('div', 'main');
    const tools = el('div', 'tools');
    const up = button('↑', 'up', 'Move up');
    const down = button('↓', 'down', 'Move down');
    const add = button('+', 'add', 'Add a code cell below');
    const del = button('✕', 'delete', 'Delete this cell');
    up.addEventListener('click', () => host.move(this, -1));
    down.addEventListener('click', () => host.move(this, 1));
    add.addEventListener('click', () => host.insertBelow(this).focus());
    del.addEventListener('click', () => host.remove(this));
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
    this.editor = monaco.editor.create(editorEl, cellEditorOptions(cell, this.model));
    this.errorLines = this.editor.createDecorationsCollection();
    this.editor.onDidContentSizeChange(() => this.layout());
    this.model.onDidChangeContent(() => {
      this.cell.source = this.model.getValue();
      this.clearRunMarks();
      if (this.cell.type === 'code') {
        clearTimeout(this.lintTimer);
        this.lintTimer = setTimeout(() => this.lint(), 150);
      }
      host.changed();
    });
    this.editor.addAction({
      id: 'nabla.runAndAdvance',
      label: 'Run cell and select below',
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
      run: () => void this.run().then(() => host.advance(this)),
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
      run: () => void this.run().then(() => host.insertBelow(this).focus()),
    });
    this.editor.onDidFocusEditorText(() => host.activate(this));

    this.editing = cell.type === 'code' || cell.source.trim() === '';
    this.setEditing(this.editing);
    this.renderPrompt();
    for (const o of cell.outputs) this.outputsEl.append(renderOutput(o, host.renderContext));
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
    else if (!this.editor.hasTextFocus())
      this.editor.setPosition({ lineNumber: last, column: this.model.getLineMaxColumn(last) });
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
    const syntaxErrors = updateSyntaxMarkers(this.model, cellFile(this.cell));
    // the checker's markers: names the session and the cells above define are known
    scheduleCheck(
      (code, above) => this.host.check(code, above),
      this.model,
      () => this.host.codeAbove(this),
      syntaxErrors,
    );
  }

  renderPrompt(state?: 'running' | 'queued'): void {
    if (this.cell.type !== 'code') {
      this.prompt.textContent = '';
      return;
    }
    const n = state === 'running' ? '*' : state === 'queued' ? '·' : (this.cell.executionCount ?? ' ');
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
        if (update && displayId && this.host.updateDisplay(displayId, bundle)) return;
        this.push({
          output_type: 'display_data',
          data: bundle,
          metadata: {},
          ...(displayId ? { transient: { display_id: displayId } } : {}),
        });
      },
    };
    const reply = await this.host.run(this.model.getValue(), cellFile(this.cell), sinks);
    const r = reply.result;
    this.cell.executionCount = this.host.nextExecutionCount();
    if (r.ok && r.value)
      this.push({
        output_type: 'execute_result',
        data: r.value,
        metadata: {},
        execution_count: this.cell.executionCount,
      });
    if (!r.ok) {
      this.push({ output_type: 'error', ename: r.ename, evalue: r.evalue, traceback: r.traceback });
      this.host.markErrors(r.diagnostics);
    }
    this.renderPrompt();
    const ms = reply.ms;
    const parts = Object.entries(reply.kernels).map(([b, n]) => `${b} ${n}`);
    this.meta.textContent = `${r.ok ? 'ran' : 'failed'} in ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms on ${reply.backend}${parts.length ? ` · kernels: ${parts.join(', ')}` : ''}`;
    this.meta.dataset.backend = reply.backend;
    this.meta.dataset.kernels = JSON.stringify(reply.kernels);
    this.root.classList.toggle('failed', !r.ok);
    this.host.relintAll(); // the run may have defined names other cells use
    this.host.changed();
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
    this.outputsEl.append(renderOutput(o, this.host.renderContext));
  }

  redrawOutputs(): void {
    this.outputsEl.replaceChildren(...this.cell.outputs.map((o) => renderOutput(o, this.host.renderContext)));
  }

  clearOutputs(): void {
    this.cell.outputs = [];
    this.outputsEl.replaceChildren();
    this.meta.textContent = '';
    this.root.classList.remove('failed');
  }

  /** Marks a line of this cell as where an error happened (or, for a note, where it was called from). */
  markError(line: number, col: number, message: string, note: boolean): void {
    markRunError(this.editor, this.errorLines, line, col, message, note);
  }

  clearRunMarks(): void {
    clearRunMarks(this.model, this.errorLines);
  }

  dispose(): void {
    clearTimeout(this.lintTimer);
    this.editor.dispose();
    this.model.dispose();
    this.root.remove();
  }
}
