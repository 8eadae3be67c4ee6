// The JupyterLite site in Debian's Chromium: `nabla lite build` runs in this file's setup (into a temporary
// folder, with lite/'s own install, which .ci/run makes with `npm ci --prefix lite`), the site is served
// under a sub-path by the playground's server, and JupyterLab is driven through its own commands and keys.
// NABLA_LITE_SITE=DIR reuses a site built before (for working on these tests; the setup then checks it is
// one `nabla lite build` made).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLite, isLiteBuilt } from '../../lite/build';
import { serveLite } from '../../lite/serve';
import { serve, type Served } from '../../web/serve';
import { browserMissing, launch } from '../web/browser';
import {
  cellOutputs,
  command,
  notebookCells,
  numbersIn,
  runCell,
  textOf,
  waitForIdleKernel,
  waitForLab,
  type CellOutput,
} from './lab-page';

const root = fileURLToPath(new URL('../..', import.meta.url));
const notebooksDir = join(root, 'notebooks');
/** The site is served at /nabla/ of the server: a sub-path, as on a project's pages host. */
const SUB = 'nabla';
const WAIT = { timeout: 60_000, interval: 100 };

let tmp: string;
let siteDir: string;
let served: Served;
let origin: string;
let lab: string;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const pageErrors: string[] = [];
let firstOutputMs = 0;

beforeAll(async () => {
  const missing = browserMissing();
  if (missing) throw new Error(missing);
  tmp = mkdtempSync(join(tmpdir(), 'nabla-lite-'));
  if (process.env.NABLA_LITE_SITE) {
    siteDir = resolve(process.env.NABLA_LITE_SITE);
    if (!isLiteBuilt(siteDir)) throw new Error(`NABLA_LITE_SITE=${siteDir} holds no site made by 'nabla lite build'`);
  } else {
    siteDir = join(tmp, 'public', SUB);
    mkdirSync(join(tmp, 'public'), { recursive: true });
    await buildLite({ outDir: siteDir });
  }
  const publicDir = resolve(siteDir, '..');
  served = await serve({
    port: 0,
    dir: publicDir,
    build: false,
    site: { name: 'site', isBuilt: () => isLiteBuilt(siteDir), build: async () => undefined },
  });
  origin = served.url.replace(/\/$/, '');
  lab = `${served.url}${relative(publicDir, siteDir)}/lab/index.html`;
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(lab);
  await waitForLab(page);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Opens a new notebook on the Nabla kernel and waits for the kernel. */
async function newNotebook(): Promise<void> {
  await command(page, 'notebook:create-new', { kernelName: 'nabla' });
  await waitForIdleKernel(page);
}

// a loaded 2-core machine: each step waits on JupyterLab, a worker and a browser
describe('the JupyterLite site', { timeout: 240_000 }, () => {
  it('is cross-origin isolated, content-hashed, and lists its licenses', async () => {
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    const build = readdirSync(join(siteDir, 'build')).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
    expect(build.length).toBeGreaterThanOrEqual(3);
    for (const f of build) expect(f).toMatch(/-[A-Z0-9]{8}\.(js|css)$/);
    const licenses = JSON.parse(readFileSync(join(siteDir, 'build', 'third-party-licenses.json'), 'utf8')) as {
      packages: { name: string; licenseId: string; extractedText: string }[];
    };
    const names = licenses.packages.map((p) => p.name);
    for (const name of ['@jupyterlab/application', '@lumino/widgets', 'react', 'chevrotain', 'gpu.js'])
      expect(names).toContain(name);
    expect(licenses.packages.find((p) => p.name === 'react')?.extractedText).toMatch(/MIT License/);
  });

  it('shows Nabla in the launcher, with its logo', async () => {
    const cards = page.locator('.jp-LauncherCard', { hasText: 'Nabla' });
    await expect.poll(() => cards.count(), WAIT).toBeGreaterThanOrEqual(2); // notebook and console
    const logo = await cards.first().locator('img').getAttribute('src');
    expect(logo).toMatch(/nabla-64x64\.png$/);
  });

  it('computes a gradient in a new notebook', async () => {
    const t0 = Date.now();
    await newNotebook();
    const outputs = await runCell(page, 'x = param(1.5)\ngrad(x^2 * sin(x), x).item()');
    firstOutputMs = Date.now() - t0;
    const exact = 2 * 1.5 * Math.sin(1.5) + 1.5 ** 2 * Math.cos(1.5);
    const result = outputs.find((o) => o.output_type === 'execute_result');
    expect(result, JSON.stringify(outputs)).toBeTruthy();
    expect(Math.abs(Number(textOf(result!)) - exact)).toBeLessThan(1e-5);
    // the rendered output, not only the model
    await expect
      .poll(() => page.locator('.jp-Notebook .jp-OutputArea-output').last().innerText(), WAIT)
      .toContain(textOf(result!).trim());
  });

  it('highlights Nabla with the language generated from the grammar', async () => {
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(
        'for i in range(3) { y = sin(1.5) # note\n}',
      ),
    );
    const editor = page.locator('.jp-Notebook .jp-Cell.jp-mod-active .cm-content');
    // CodeMirror's highlight classes: the keyword, the builtin and the comment each get a styled span
    await expect.poll(() => editor.locator('span', { hasText: /^for$/ }).count(), WAIT).toBe(1);
    const style = (text: RegExp) =>
      editor
        .locator('span', { hasText: text })
        .first()
        .evaluate((e) => getComputedStyle(e).color);
    const plain = await editor
      .locator('span', { hasText: /^for$/ })
      .first()
      .evaluate((e) => getComputedStyle(e.parentElement!).color);
    expect(await style(/^for$/)).not.toBe(plain);
    expect(await style(/^# note$/)).not.toBe(plain);
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(''),
    );
  });

  it('updates a progress bar in place (update_display_data)', async () => {
    // count the output areas of the cell while it runs: always one, its text moving from 0% to 100%
    await page.evaluate(() => {
      const w = window as any;
      w.__progress = { texts: new Set<string>(), maxOutputs: 0 };
      const cell = w.jupyterapp.shell.currentWidget.content.activeCell.node as HTMLElement;
      w.__progressObserver = new MutationObserver(() => {
        const outs = cell.querySelectorAll('.jp-OutputArea-output');
        w.__progress.maxOutputs = Math.max(w.__progress.maxOutputs, outs.length);
        for (const o of outs) {
          const m = /(\d+)%/.exec((o as HTMLElement).innerText);
          if (m) w.__progress.texts.add(m[1]);
        }
      });
      w.__progressObserver.observe(cell, { subtree: true, childList: true, characterData: true });
    });
    const outputs = await runCell(page, 'for i in progress(range(300000), label="work") { }');
    const seen = await page.evaluate(() => {
      const w = window as any;
      w.__progressObserver.disconnect();
      return { texts: [...w.__progress.texts] as string[], maxOutputs: w.__progress.maxOutputs as number };
    });
    expect(outputs).toHaveLength(1);
    expect(textOf(outputs[0])).toMatch(/work\s+100%/);
    expect(seen.maxOutputs).toBe(1);
    expect(seen.texts).toContain('100');
    expect(seen.texts.length, `percentages seen: ${seen.texts}`).toBeGreaterThanOrEqual(2);
  });

  it("renders a plot with JupyterLab's Vega renderer", async () => {
    const outputs = await runCell(page, 'x = linspace(0, 1, 20)\nplot(x, [x^2, x^3], label=["x^2", "x^3"])');
    expect(outputs.some((o) => o.data && 'application/vnd.vegalite.v5+json' in o.data)).toBe(true);
    const chart = page.locator('.jp-Notebook .jp-RenderedVegaCommon5').last();
    await expect.poll(() => chart.locator('svg, canvas').count(), WAIT).toBeGreaterThan(0);
  });

  it('shows an error with its caret line', async () => {
    const outputs = await runCell(page, 'y = 1 +* 2');
    const error = outputs.find((o) => o.output_type === 'error');
    expect(error, JSON.stringify(outputs)).toBeTruthy();
    const tb = error!.traceback!.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
    expect(tb).toMatch(/cell\[\d+\]/);
    expect(tb).toMatch(/^\s*\^/m);
    await expect
      .poll(
        () =>
          page
            .locator('.jp-Notebook .jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]')
            .last()
            .innerText(),
        WAIT,
      )
      .toMatch(/\^/);
  });

  it('checks a cell before running it, as the Jupyter kernel does: one error listing both problems, nothing run, variables kept', async () => {
    await runCell(page, 'kept_value = 7');
    const outputs = await runCell(page, 'print("not run")\nkept_value = 0\ny = tahn(1.0)\nz = sum(ones(2), dim=0)');
    expect(
      outputs.filter((o) => o.output_type === 'stream'),
      JSON.stringify(outputs),
    ).toEqual([]);
    const error = outputs.find((o) => o.output_type === 'error');
    expect(error?.ename, JSON.stringify(outputs)).toBe('CheckError');
    const tb = error!.traceback!.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
    expect(tb).toMatch(/:3:5: error: 'tahn' is not defined; did you mean 'tanh'/);
    expect(tb).toMatch(/:4:18: error: sum\(\) has no parameter named 'dim'/);
    const again = await runCell(page, 'kept_value');
    expect(textOf(again.find((o) => o.output_type === 'execute_result')!)).toBe('7');
  });

  it('completes with Tab and inspects with Shift+Tab from the builtin table', async () => {
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(''),
    );
    const editor = page.locator('.jp-Notebook .jp-Cell.jp-mod-active .cm-content');
    await editor.click();
    await page.keyboard.type('linsp');
    await page.keyboard.press('Tab');
    // JupyterLab lists the kernel's matches (here one, from the builtin table); Enter takes it
    const completer = page.locator('.jp-Completer');
    await expect.poll(() => completer.isVisible(), WAIT).toBe(true);
    expect(await completer.innerText()).toContain('linspace');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await editor.innerText()).trim(), WAIT).toBe('linspace');
    await page.keyboard.press('Shift+Tab');
    const tooltip = page.locator('.jp-Tooltip');
    await expect.poll(() => tooltip.count(), WAIT).toBeGreaterThan(0);
    expect(await tooltip.first().innerText()).toMatch(/linspace\(start, stop, n, dtype=none\)[\s\S]*evenly spaced/);
    await page.keyboard.press('Escape');
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(''),
    );
  });

  it('interrupts `while true { }` and keeps the earlier variables', async () => {
    await runCell(page, 'kept = 41');
    const index = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex as number,
    );
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource('while true { }'),
    );
    await command(page, 'notebook:run-cell-and-insert-below', {}, false);
    await expect
      .poll(
        () => page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.status),
        WAIT,
      )
      .toBe('busy');
    await page.waitForTimeout(500);
    await command(page, 'kernelmenu:interrupt');
    await waitForIdleKernel(page, 60_000);
    const stopped = await cellOutputs(page, index);
    expect(stopped.map(textOf).join('\n')).toMatch(/KeyboardInterrupt/);
    const after = await runCell(page, 'kept + 1');
    expect(textOf(after.find((o) => o.output_type === 'execute_result')!)).toBe('42');
  });

  it('asks for input() and uses the answer', async () => {
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(
        'name = input("who? ")\nprint("hello " + name)',
      ),
    );
    const index = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex as number,
    );
    await command(page, 'notebook:run-cell-and-insert-below', {}, false);
    const box = page.locator('.jp-Stdin-input');
    await box.waitFor({ timeout: 60_000 });
    await box.fill('nabla');
    await box.press('Enter');
    await waitForIdleKernel(page);
    await expect.poll(async () => (await cellOutputs(page, index)).map(textOf).join(''), WAIT).toMatch(/hello nabla/);
  });

  it('answers is_complete for an open block', async () => {
    const r = await page.evaluate(async () => {
      const kernel = (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel;
      const open = await kernel.requestIsComplete({ code: 'for i in range(3) {' });
      const done = await kernel.requestIsComplete({ code: 'x = 1' });
      return [open.content.status, done.content.status];
    });
    expect(r).toEqual(['incomplete', 'complete']);
  });

  it('names the backend it chose, and why, in the status bar', async () => {
    const status = page.locator('.nabla-backend-status');
    await expect.poll(() => status.innerText(), WAIT).toMatch(/^Nabla: (webgpu|webgl2|webasm|cpu|js)$/);
    expect(await status.getAttribute('title')).toMatch(/\S+: .+/);
  });

  it('restarts the kernel: the variables are gone, the kernel runs again', async () => {
    // JupyterLab asks before restarting: the command resolves once the dialog is answered
    await command(page, 'kernelmenu:restart', {}, false);
    await page.locator('.jp-Dialog .jp-mod-accept').click({ timeout: 30_000 });
    await waitForIdleKernel(page);
    const outputs = await runCell(page, 'kept');
    expect(outputs.map(textOf).join('\n')).toMatch(/kept/);
    expect(outputs.some((o) => o.output_type === 'error')).toBe(true);
    const again = await runCell(page, '1 + 1');
    expect(textOf(again.find((o) => o.output_type === 'execute_result')!)).toBe('2');
  });
});

/** The notebooks of notebooks/ that the ZMQ kernel executes (kernelspec nabla), as paths in the site's tree. */
function nablaNotebooks(dir = notebooksDir, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) return nablaNotebooks(p, `${prefix}${name}/`);
      if (!name.endsWith('.ipynb')) return [];
      const nb = JSON.parse(readFileSync(p, 'utf8')) as { metadata?: { kernelspec?: { name?: string } } };
      return nb.metadata?.kernelspec?.name === 'nabla' ? [`${prefix}${name}`] : [];
    });
}

/**
 * Printed numbers of a cell: stdout and the results' text/plain (stderr, the progress bars' rates aside). A
 * rate a script prints with clock() ("6 steps/s") is the machine's speed, not a result: left out.
 */
function printedNumbers(outputs: CellOutput[]): number[] {
  return outputs
    .filter((o) => (o.output_type === 'stream' && o.name === 'stdout') || o.output_type === 'execute_result')
    .flatMap((o) => numbersIn(textOf(o).replace(/[-+]?[\d.]+(?:[eE][-+]?\d+)?\s*steps\/s/g, 'steps/s')));
}

/**
 * The stored outputs come from the ZMQ kernel in Node (webasm there too). A printed value is the same to
 * float32 rounding: 1e-3 relative, or both tiny; a count is equal (measured: every printed number is equal as
 * printed, pde/ included). pde/ trains for hundreds of float32 Adam and L-BFGS steps that would carry a
 * last-bit difference on; the runtime computes exp, sin, tanh, pow, ... with its own libm
 * (runtime/backends/js/libm.ts), not with the engine's Math.*, which differs between Node 20 and Chromium in
 * the last bit for 1–10% of arguments (scripts/math-determinism.ts), so no engine difference can enter.
 * (This test once allowed pde/ a factor of 4; its stored outputs had gone stale: re-executed with the code
 * of that time, Node printed what Chromium printed.)
 */
function close(a: number, b: number): boolean {
  if (a === b) return true;
  const integers = Number.isInteger(a) && Number.isInteger(b) && Math.abs(b) >= 1;
  if (integers) return false;
  return Math.abs(a - b) <= 1e-3 * Math.max(Math.abs(a), Math.abs(b)) || Math.max(Math.abs(a), Math.abs(b)) < 1e-5;
}

describe('every Nabla notebook of notebooks/ in the file browser, by Run All', () => {
  const paths = nablaNotebooks();

  it('lists all of notebooks/, subfolders included', async () => {
    const listing = JSON.parse(readFileSync(join(siteDir, 'api', 'contents', 'all.json'), 'utf8')) as {
      content: { name: string }[];
    };
    const names = listing.content.map((c) => c.name);
    for (const name of readdirSync(notebooksDir).filter((n) => !n.startsWith('.'))) expect(names).toContain(name);
    expect(paths.filter((p) => p.startsWith('pde/')).length).toBeGreaterThan(0);
    expect(paths.filter((p) => p.startsWith('exercises/')).length).toBeGreaterThan(0);
    await command(page, 'filebrowser:go-to-path', { path: '/pde' });
    await expect
      .poll(() => page.locator('.jp-DirListing-item', { hasText: 'poisson.ipynb' }).count(), WAIT)
      .toBeGreaterThan(0);
  });

  it.each(paths)(
    '%s runs with no unexpected error and prints its stored numbers',
    async (path) => {
      const stored = JSON.parse(readFileSync(join(notebooksDir, path), 'utf8')) as {
        cells: { cell_type: string; outputs?: CellOutput[]; metadata?: { tags?: string[] } }[];
      };
      const storedCode = stored.cells.filter((c) => c.cell_type === 'code');
      await command(page, 'docmanager:open', { path, factory: 'Notebook' });
      await page.waitForFunction((p) => (window as any).jupyterapp.shell.currentWidget?.context?.path === p, path, {
        timeout: 60_000,
      });
      await waitForIdleKernel(page);
      await command(page, 'notebook:clear-all-cell-outputs');
      const t0 = Date.now();
      // the command resolves when every cell has run (or was skipped after an error that stopped the run)
      await command(page, 'notebook:run-all-cells');
      await waitForIdleKernel(page);
      console.log(`[test/lite] ${path}: Run All took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const cells = await notebookCells(page);
      let equal = 0;
      let compared = 0;
      expect(cells).toHaveLength(storedCode.length);
      expect(
        cells.map((c) => c.executionCount === null),
        `${path}: cells left unrun`,
      ).not.toContain(true);
      cells.forEach((cell, i) => {
        const where = `${path}, code cell ${i + 1}`;
        const errors = cell.outputs.filter((o) => o.output_type === 'error');
        const stderr = cell.outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr');
        if (cell.tags.includes('raises-exception')) expect(errors.length, `${where} should raise`).toBeGreaterThan(0);
        else expect(errors.map(textOf), where).toEqual([]);
        if (!cell.tags.includes('warns') && !cell.tags.includes('raises-exception'))
          expect(stderr.map(textOf), where).toEqual([]);
        const want = printedNumbers(storedCode[i].outputs ?? []);
        const got = printedNumbers(cell.outputs);
        expect(got.length, `${where}: ${JSON.stringify(got)} vs stored ${JSON.stringify(want)}`).toBe(want.length);
        compared += got.length;
        equal += got.filter((g, k) => g === want[k]).length;
        got.forEach((g, k) =>
          expect(close(g, want[k]), `${where}, number ${k + 1}: ${g} vs stored ${want[k]}`).toBe(true),
        );
      });
      console.log(`[test/lite] ${path}: ${equal} of ${compared} printed numbers equal to the stored ones as printed`);
      await command(page, 'docmanager:close-all-files').catch(() => undefined);
    },
    900_000,
  );
});

describe('what the site asked for', { timeout: 240_000 }, () => {
  it('sent no request outside its origin, and threw no uncaught error', () => {
    expect(requests.length).toBeGreaterThan(20);
    const outside = requests.filter(
      (u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'),
    );
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
    console.log(`[test/lite] page open → first output of a new notebook: ${firstOutputMs} ms`);
  });

  it('`nabla lite serve` serves the same site at the root of its server, with COOP/COEP', async () => {
    const s = await serveLite({ port: 0, dir: siteDir, build: false });
    try {
      const r = await fetch(`${s.url}lab/index.html`);
      expect(r.status).toBe(200);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const p2 = await browser.newPage();
      await p2.goto(`${s.url}lab/index.html`);
      await waitForLab(p2);
      await expect.poll(() => p2.locator('.jp-LauncherCard', { hasText: 'Nabla' }).count(), WAIT).toBeGreaterThan(0);
      await p2.close();
    } finally {
      await s.close();
    }
  }, 180_000);
});
