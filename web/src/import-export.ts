// Notebooks in and out of the page: export as .ipynb (a download), import a .ipynb file, and replacing the
// notebook (an import, an example) with an Undo that brings the previous one back.
import { fromIpynb, ipynbText, type Notebook } from './notebook';
import type { NotebookView } from './notebook-view';
import { setStatus } from './status';

export class NotebookFiles {
  private undo: Notebook | null = null;

  constructor(private readonly notebook: NotebookView) {}

  exportIpynb(): void {
    const blob = new Blob([ipynbText(this.notebook.notebook())], { type: 'application/x-ipynb+json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'nabla-playground.ipynb';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  async importIpynb(file: File): Promise<void> {
    try {
      const nb = fromIpynb(await file.text());
      this.replaceWithUndo(nb, `Opened ${file.name} (${nb.cells.length} cells; run them to recompute)`);
    } catch (e) {
      setStatus(`Cannot open ${file.name}: ${(e as Error).message}`);
    }
  }

  replaceWithUndo(nb: Notebook, what: string): void {
    this.undo = JSON.parse(JSON.stringify(this.notebook.notebook())) as Notebook;
    this.notebook.replaceNotebook(nb);
    setStatus(`${what}.`, {
      label: 'Undo',
      cls: 'undo',
      title: 'Bring back the notebook this replaced',
      run: () => {
        const prev = this.undo;
        this.undo = null;
        if (prev) this.notebook.replaceNotebook(prev);
        setStatus('Brought back the previous notebook.');
      },
    });
  }
}
