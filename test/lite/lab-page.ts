// Driving the JupyterLite site's JupyterLab in Chromium: the app is exposed as window.jupyterapp
// (exposeAppInBrowser), so notebooks are opened and run through JupyterLab's own commands, and outputs are
// read from its notebook model (what the reader sees rendered is checked on the DOM where it matters).
import type { Page } from 'playwright-core';

export interface CellOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** Waits until JupyterLab has started (the launcher or a document is up). */
export async function waitForLab(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (window as unknown as { jupyterapp?: { shell?: unknown } }).jupyterapp?.shell !== undefined,
    null,
    { timeout: 120_000 },
  );
  await page.waitForSelector('.jp-Launcher, .jp-NotebookPanel', { timeout: 120_000 });
}

/**
 * Runs a JupyterLab command. Its result is not awaited with `wait: false` (a run command resolves when the
 * cell ends, which a cell that never ends does not).
 */
export async function command(page: Page, id: string, args: Record<string, unknown> = {}, wait = true): Promise<void> {
  await page.evaluate(
    async ([id, args, wait]) => {
      const app = (window as any).jupyterapp;
      const done = app.commands.execute(id, args);
      if (wait) await done;
    },
    [id, args, wait] as const,
  );
}

/** Waits until the current notebook's kernel is connected and idle. */
export async function waitForIdleKernel(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      const kernel = panel?.sessionContext?.session?.kernel;
      return kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
    },
    null,
    { timeout, polling: 200 },
  );
}

/**
 * Puts `code` into the active cell and runs it through the notebook's run command; resolves when the cell
 * has an execution count again and the kernel is idle. Returns the cell's outputs.
 */
export async function runCell(page: Page, code: string, timeout = 120_000): Promise<CellOutput[]> {
  const index = await page.evaluate((code) => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    const nb = panel.content;
    const cell = nb.activeCell;
    cell.model.sharedModel.setSource(code);
    cell.model.executionCount = null;
    return nb.activeCellIndex as number;
  }, code);
  await command(page, 'notebook:run-cell-and-insert-below', {}, false);
  await page.waitForFunction(
    (i) => {
      const panel = (window as any).jupyterapp.shell.currentWidget;
      const cell = panel.content.widgets[i];
      const kernel = panel.sessionContext.session?.kernel;
      return cell.model.executionCount !== null && kernel?.status === 'idle';
    },
    index,
    { timeout, polling: 100 },
  );
  return cellOutputs(page, index);
}

export async function cellOutputs(page: Page, index: number): Promise<CellOutput[]> {
  return page.evaluate((i) => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    return panel.content.widgets[i].model.outputs.toJSON();
  }, index);
}

/** Every code cell of the current notebook: its tags and outputs. */
export async function notebookCells(
  page: Page,
): Promise<{ tags: string[]; executionCount: number | null; outputs: CellOutput[] }[]> {
  return page.evaluate(() => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    return panel.content.widgets
      .filter((w: any) => w.model.type === 'code')
      .map((w: any) => ({
        tags: (w.model.getMetadata('tags') as string[] | undefined) ?? [],
        executionCount: w.model.executionCount,
        outputs: w.model.outputs.toJSON(),
      }));
  });
}

export const textOf = (o: CellOutput): string =>
  o.output_type === 'stream'
    ? [o.text ?? ''].flat().join('')
    : o.output_type === 'error'
      ? (o.traceback ?? []).join('\n')
      : [(o.data?.['text/plain'] as string | string[]) ?? ''].flat().join('');

/** The numbers printed in a text, in order (a float32 run and a stored float64-era run agree to rounding). */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?/g)].map((m) => Number(m[0]));
}
