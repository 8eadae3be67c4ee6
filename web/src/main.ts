// The playground page: notebook cells in Monaco editors, run by the same compiler and runtime as the CLI and
// the Jupyter kernel (compiler/, runtime/, display/ bundled for the browser by web/build.ts). The session
// runs in a worker (session.worker.ts, reached through session-client.ts); the page edits and draws. This
// file starts the page and wires its parts: a cell (cell-view.ts), the notebook (notebook-view.ts), the
// backend panel (backend-panel.ts), files in and out (import-export.ts), text cells (markdown.ts).
import 'monaco-editor/features/register.all';
import * as monaco from 'monaco-editor/editor';
import './style.css';
import { loadCharts } from '../../display';
import { KEYWORDS } from '../../grammar';
import { BackendPanel } from './backend-panel';
import { $ } from './dom';
import { DEFAULT_EXAMPLE, EXAMPLES } from './examples';
import { NotebookFiles } from './import-export';
import { registerCheckQuickFixes } from './check-markers';
import { registerNabla } from './language';
import { ipynbText, load, newCell } from './notebook';
import { NotebookView, pageStorage } from './notebook-view';
import { SessionClient } from './session-client';
import { setStatus } from './status';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: () => new Worker(new URL('./editor.worker.js', import.meta.url)),
};

const client = new SessionClient();
const backend: BackendPanel = new BackendPanel(client, () => notebook.changed());
const notebook: NotebookView = new NotebookView(client, backend, pageStorage());
const files = new NotebookFiles(notebook);
const views = notebook.views;

// Vega for charts: loaded in the background; bundles made before it arrives are drawn when it does.
void loadCharts().catch(() => undefined);

async function start(): Promise<void> {
  const { names } = await client.call('builtins', {});
  registerNabla({
    builtins: names,
    complete: (code, cursor) => client.call('complete', { code, cursor }),
    inspect: (code, cursor) => client.call('inspect', { code, cursor }),
  });
  registerCheckQuickFixes();
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
    if (id)
      files.replaceWithUndo(
        notebook.exampleNotebook(id),
        `Opened the example "${EXAMPLES.find((e) => e.id === id)?.title}"`,
      );
  });
  $('run-all').addEventListener('click', () => void notebook.runAll());
  $('add-code').addEventListener('click', () => notebook.insertAtCursor(newCell()).focus());
  $('add-text').addEventListener('click', () => notebook.insertAtCursor(newCell('', 'markdown')).focus());
  $('clear').addEventListener('click', () => notebook.clearAll());
  $('restart').addEventListener('click', () => notebook.restartSession(true));
  $('export').addEventListener('click', () => files.exportIpynb());
  const input = $('import-file') as HTMLInputElement;
  $('import').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    input.value = '';
    if (f) void files.importIpynb(f);
  });
  ($('backend') as HTMLSelectElement).addEventListener(
    'change',
    (e) => void backend.apply((e.target as HTMLSelectElement).value),
  );
  window.addEventListener('resize', () => views.forEach((v) => v.layout()));
  window.addEventListener('beforeunload', () => notebook.saveNow());

  const saved = load(notebook.storage);
  const nb = saved && saved.cells.length ? saved : notebook.exampleNotebook(DEFAULT_EXAMPLE);
  for (const c of nb.cells) notebook.insertCell(views.length, c);
  await backend.renderSelect();
  if (nb.backend) await backend.apply(nb.backend, false);
  backend.render();
  setStatus(saved ? 'Restored your notebook from this browser.' : 'Welcome! Shift+Enter runs a cell.');
  backend.probeBrowser();
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
  display: (i: number, bundle: Record<string, unknown>) =>
    views[i].push({ output_type: 'display_data', data: bundle, metadata: {} }),
  runCell: (i: number) => views[i].run(),
  runAll: () => notebook.runAll(),
  setBackend: (name: string) => backend.apply(name),
  backends: () => backend.statuses,
  backend: () => backend.report,
  /** A global's value as plain numbers (a tensor's host array), for comparing backends. */
  values: (name: string) => client.call('values', { name }),
  /** What the GPU backends ran: gpu.js kernel classes, cache and guard counts (protocol.ts GpuStats). */
  gpuStats: () => client.call('gpuStats', {}),
  restart: () => notebook.restartSession(true),
  notebook: () => notebook.notebook(),
  ipynb: () => ipynbText(notebook.notebook()),
  loadExample: (id: string) => notebook.replaceNotebook(notebook.exampleNotebook(id)),
  examples: EXAMPLES.map((e) => e.id),
  save: () => notebook.saveNow(),
};
(window as unknown as { nablaPlayground: typeof api }).nablaPlayground = api;

start().catch((e: Error) => setStatus(`The playground could not start: ${e.message}`));
