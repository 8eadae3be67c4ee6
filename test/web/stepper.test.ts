// stepper(L) in real front ends, driven in Debian's Chromium: (a) the playground (built and served as in
// playground.test.ts), which draws the steps MIME type with its own code; (b) Jupyter: a notebook executed by
// nbconvert with the Nabla kernel, whose HTML keeps the text/html output with its inline script, and the same
// executed notebook, trusted, opened in Debian's Jupyter Notebook server (the stored output mounts the stepper
// with no kernel run); (c) the step time on a 500-node tape. Each walk presses next as a reader does and
// compares what the page shows with explain's listing of the same pass, printed by the same cell.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepperPage, valueBundle, type StepsPayload, STEPS_MIME } from '../../display';
import { installKernelspec } from '../../kernel/install';
import { loadGraphviz } from '../../runtime/explain';
import { buildWeb } from '../../web/build';
import { serve, type Served } from '../../web/serve';
import { listingBlocks, type ListingBlock } from '../explain/listing';
import { runNabla } from '../lang/run';
import { browserMissing, launch } from './browser';

const missing = browserMissing();
const PYTHON = '/usr/bin/python3';
const hasNbconvert = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import nbconvert, nbclient']).status === 0;
const hasNotebook = hasNbconvert && spawnSync(PYTHON, ['-c', 'import notebook, nbformat.sign']).status === 0;
const WAIT = { timeout: 30_000, interval: 100 };
const SCREENSHOT = new URL('../../docs/stepper.png', import.meta.url);

/** Two paths reach h, so its gradient is a sum: the walk sees it partial, then whole. */
const CELL = `x = param([1.0, 2.0])
w = param([0.5, -1.0])
h = tanh(x * w)
L = sum(h * h + 3 * h)
explain L
stepper(L)`;

interface Seen {
  current: string;
  label: string;
  block: ListingBlock;
  incoming: string;
  grad: string;
  partial: string[];
  visited: number;
}

/** Presses next until the end under the stepper at `root`, reading the panel and the picture after each press. */
async function walk(page: Page, root: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const total = Number((await page.locator(`${root} .ns-slider`).getAttribute('max')) ?? 0);
  expect(total).toBeGreaterThan(0);
  for (let k = 1; k <= total; k++) {
    await page.locator(`${root} .ns-next`).click();
    seen.push(
      await page.evaluate((sel) => {
        const r = document.querySelector(sel)!;
        const text = (q: string) => Array.from(r.querySelectorAll(q)).map((e) => e.textContent ?? '');
        const current = r.getAttribute('data-current') ?? '';
        const g = r.querySelector('g.node.ns-current');
        const lines = [
          ...text('.ns-note'),
          ...Array.from(r.querySelectorAll('.ns-rule')).map(
            (row) =>
              `${row.querySelector('.ns-rule-text')!.textContent}  →  ${row.querySelector('.ns-rule-value')!.textContent}`,
          ),
        ];
        return {
          current,
          label: g?.querySelector('title')?.textContent ?? '',
          block: { head: text('.ns-head')[0], lines },
          incoming: text('.ns-incoming')[0] ?? '',
          grad: r.querySelector(`.ns-grad[data-node="${current}"]`)?.textContent ?? '',
          partial: Array.from(r.querySelectorAll('g.node.ns-partial title')).map((t) => t.textContent ?? ''),
          visited: r.querySelectorAll('g.node.ns-visited').length,
        };
      }, root),
    );
    expect(await page.locator(`${root} .ns-counter`).textContent()).toBe(`step ${k} of ${total}`);
  }
  return seen;
}

/** A TCP port nothing listens on now, for a server that takes its port as a flag. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** What the walk must show: explain's blocks in order, the current node highlighted, its gradient drawn. */
function expectMatchesListing(seen: Seen[], listing: string): void {
  const blocks = listingBlocks(listing);
  expect(blocks.length).toBe(6);
  const ops = seen.filter((s) => !s.block.head.endsWith('(result)'));
  expect(ops.map((s) => s.block)).toEqual(blocks);
  // each node is visited once: before step k, k - 1 nodes have run their rule (green)
  expect(seen.map((s) => s.visited)).toEqual(seen.map((_, i) => i));
  for (const s of seen) {
    // the highlighted picture node is the step's node, and under it the gradient the panel says arrived
    expect(s.label).toBe(s.current);
    expect(s.incoming).toMatch(/^incoming: dL\/d.* = /);
    expect(s.incoming.slice(s.incoming.indexOf(' = ') + 3)).toBe(s.grad);
  }
  // h's gradient is partial (orange) after the first path reached it, and whole at its own step
  expect(seen.some((s) => s.partial.length > 0)).toBe(true);
  const h = seen.find((s) => s.block.head.startsWith('h = tanh'))!;
  expect(h.block.lines[0]).toMatch(
    /^dL\/dh is the sum of 3 gradients that reached it {2}→ {2}\[2\] \[3\.924, 1\.072\]$/,
  );
  expect(h.grad).toBe('[2] [3.924, 1.072]');
  expect(h.partial).toEqual([]);
}

describe.skipIf(missing !== null)('stepper(L) in Chromium', () => {
  let tmp: string;
  let browser: Browser;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nabla-stepper-web-'));
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  describe('the playground', () => {
    let served: Served;
    beforeAll(async () => {
      const outDir = join(tmp, 'dist');
      await buildWeb({ outDir });
      served = await serve({ port: 0, dir: outDir, build: false });
    }, 180_000);
    afterAll(() => served?.close());

    it('draws the steps with its own code, and each press of next shows what explain lists', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(served.url);
      await page.waitForSelector('body.ready', { timeout: 60_000 });
      await page.click('#add-code');
      const id = await page.locator('.cell.active').getAttribute('data-cell-id');
      const idx = await page.evaluate((i) => (window as any).nablaPlayground.indexOf(i), id);
      await page.evaluate(([i, src]) => (window as any).nablaPlayground.editor(i).setValue(src), [idx, CELL] as const);
      const cell = `.cell[data-cell-id="${id}"]`;
      // Graphviz's wasm loads in the session worker at start; a cell run before that says to run it again
      await expect
        .poll(async () => {
          await page.evaluate((i) => (window as any).nablaPlayground.runCell(i), idx);
          return page.locator(`${cell} .nabla-stepper .ns-next`).count();
        }, WAIT)
        .toBe(1);
      // drawn from the MIME type, not the HTML: no inline script entered the page
      expect(await page.locator(`${cell} script`).count()).toBe(0);
      const listing = (await page.locator(`${cell} .output.stream`).first().textContent()) ?? '';
      expect(listing).toMatch(/^explain L: what backward\(L\) would compute/);
      expectMatchesListing(await walk(page, `${cell} .nabla-stepper`), listing);
      // previous, the arrow keys and the slider go back
      await page.locator(`${cell} .ns-prev`).click();
      expect(await page.locator(`${cell} .ns-counter`).textContent()).toMatch(/^step 7 of 8$/);
      await page.locator(`${cell} .nabla-stepper`).focus();
      await page.keyboard.press('ArrowLeft');
      expect(await page.locator(`${cell} .ns-counter`).textContent()).toMatch(/^step 6 of 8$/);
      await page.locator(`${cell} .ns-slider`).fill('0');
      expect(await page.locator(`${cell} .ns-head`).textContent()).toMatch(/^before backward/);
      expect(await page.locator(`${cell} .ns-grad`).allTextContents()).toEqual(expect.arrayContaining(['']));
      expect(errors).toEqual([]);
      await context.close();
    });
  });

  describe.skipIf(!hasNbconvert)('Jupyter (a notebook executed by nbconvert with the Nabla kernel)', () => {
    let server: ChildProcess | undefined;
    afterAll(async () => {
      // SIGTERM: the server shuts its kernels down and exits without asking to confirm
      if (server && server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((done) => server!.once('exit', done));
        server.kill('SIGTERM');
        const timer = setTimeout(() => server!.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    }, 30_000);

    it('runs the inline script of the text/html output, and each press of next shows what explain lists', async () => {
      const prefix = join(tmp, 'jupyter');
      installKernelspec({ prefix });
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        JUPYTER_PATH: join(prefix, 'share', 'jupyter'),
        JUPYTER_RUNTIME_DIR: join(prefix, 'runtime'),
        PYTHONDONTWRITEBYTECODE: '1',
      };
      delete env.NABLA_KERNEL_SESSION;
      const nb = join(tmp, 'stepper.ipynb');
      const notebook = {
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: 'nabla', display_name: 'Nabla', language: 'nabla' } },
        cells: [{ cell_type: 'code', id: 'c1', metadata: {}, source: CELL, outputs: [], execution_count: null }],
      };
      writeFileSync(nb, JSON.stringify(notebook));
      const r = spawnSync(
        PYTHON,
        ['-m', 'nbconvert', '--execute', '--to', 'html', '--ExecutePreprocessor.timeout=120', nb],
        { cwd: tmp, env, encoding: 'utf8', timeout: 240_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const html = join(tmp, 'stepper.html');
      expect(readFileSync(html, 'utf8')).toContain('function mountStepper(');
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${html}`);
      await page.waitForSelector('.nabla-stepper .ns-next', { timeout: 30_000 });
      const listing = await page.evaluate(() =>
        Array.from(document.querySelectorAll('pre'))
          .map((p) => p.textContent ?? '')
          .find((t) => t.startsWith('explain L'))!,
      );
      expect(listing).toBeTruthy();
      expectMatchesListing(await walk(page, '.nabla-stepper'), listing);
      // docs/stepper.png: step 3, where the first of h's three gradients has arrived (h drawn orange)
      await page.locator('.nabla-stepper .ns-slider').fill('3');
      expect(await page.locator('.nabla-stepper .ns-head').textContent()).toMatch(/^3 \* h /);
      expect(await page.locator('.nabla-stepper g.node.ns-partial').count()).toBe(1);
      const shot = join(tmp, 'stepper.png');
      await page.locator('.nabla-stepper').screenshot({ path: shot });
      if (process.env.NABLA_UPDATE_SCREENSHOTS) {
        copyFileSync(shot, SCREENSHOT);
        console.info(`[test/web] wrote ${SCREENSHOT.pathname}`);
      }
      expect(readFileSync(shot).length).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      await page.close();
    }, 300_000);

    it.skipIf(!hasNotebook)(
      'in Jupyter Notebook itself: the executed notebook, trusted, mounts the stepper from its stored output',
      async () => {
        const version = spawnSync(PYTHON, ['-m', 'notebook', '--version'], { encoding: 'utf8', timeout: 60_000 });
        expect(version.status, version.stderr).toBe(0);
        console.info(`[stepper] Jupyter Notebook ${version.stdout.trim()}`);
        const prefix = join(tmp, 'notebook-server');
        installKernelspec({ prefix });
        const dirs = {
          data: join(prefix, 'data'),
          config: join(prefix, 'config'),
          runtime: join(prefix, 'runtime'),
          notebooks: join(prefix, 'notebooks'),
        };
        for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
        // every Jupyter directory in the temp folder: the trust database and its secret live in JUPYTER_DATA_DIR,
        // so the trust command and the server must share it; nothing of the user's own Jupyter is read
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          JUPYTER_PATH: join(prefix, 'share', 'jupyter'),
          JUPYTER_DATA_DIR: dirs.data,
          JUPYTER_CONFIG_DIR: dirs.config,
          JUPYTER_RUNTIME_DIR: dirs.runtime,
          PYTHONDONTWRITEBYTECODE: '1',
        };
        delete env.NABLA_KERNEL_SESSION;
        const source = join(dirs.notebooks, 'source.ipynb');
        writeFileSync(
          source,
          JSON.stringify({
            nbformat: 4,
            nbformat_minor: 5,
            metadata: { kernelspec: { name: 'nabla', display_name: 'Nabla', language: 'nabla' } },
            cells: [{ cell_type: 'code', id: 'c1', metadata: {}, source: CELL, outputs: [], execution_count: null }],
          }),
        );
        const run = spawnSync(
          PYTHON,
          [
            '-m',
            'nbconvert',
            '--execute',
            '--to',
            'notebook',
            '--output',
            'stepper',
            '--ExecutePreprocessor.timeout=120',
            source,
          ],
          { cwd: dirs.notebooks, env, encoding: 'utf8', timeout: 240_000 },
        );
        expect(run.status, run.stderr).toBe(0);
        const nb = join(dirs.notebooks, 'stepper.ipynb');
        expect(readFileSync(nb, 'utf8')).toContain('function mountStepper(');
        const trust = spawnSync(PYTHON, ['-m', 'nbformat.sign', nb], { env, encoding: 'utf8', timeout: 60_000 });
        expect(trust.status, trust.stderr).toBe(0);
        expect(`${trust.stdout}${trust.stderr}`).toMatch(/Signing notebook|already signed/);

        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        let log = '';
        server = spawn(
          PYTHON,
          [
            '-m',
            'notebook',
            '--no-browser',
            '--ip=127.0.0.1',
            `--port=${port}`,
            '--port-retries=0',
            '--NotebookApp.token=',
            '--NotebookApp.password=',
            `--notebook-dir=${dirs.notebooks}`,
            '--allow-root',
          ],
          { cwd: dirs.notebooks, env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        server.stdout!.on('data', (b) => (log += b));
        server.stderr!.on('data', (b) => (log += b));
        await expect
          .poll(
            async () => {
              if (server!.exitCode !== null)
                throw new Error(`the notebook server exited (${server!.exitCode}):\n${log}`);
              const res = await fetch(`${url}/api/contents/stepper.ipynb?content=0`).catch(() => null);
              return res?.status ?? 0;
            },
            { timeout: 120_000, interval: 250 },
          )
          .toBe(200);

        const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${url}/notebooks/stepper.ipynb`, { timeout: 120_000 });
        // the page loads the stored notebook and, trusted, lets the text/html output's inline script run
        await page.waitForSelector('.nabla-stepper .ns-next', { timeout: 120_000 });
        expect(await page.evaluate(() => (window as any).IPython.notebook.trusted)).toBe(true);
        expect(await page.locator('.nabla-stepper').count()).toBe(1);
        const listing = await page.evaluate(() =>
          Array.from(document.querySelectorAll('.output_area pre'))
            .map((p) => p.textContent ?? '')
            .find((t) => t.startsWith('explain L'))!,
        );
        expect(listing).toBeTruthy();
        expectMatchesListing(await walk(page, '.nabla-stepper'), listing);
        expect(errors, log).toEqual([]);
        await page.close();
      },
      480_000,
    );
  });

  it('steps through a 500-node tape at interactive speed', async () => {
    await loadGraphviz();
    const r = runNabla(
      'x = param([0.5, -0.25, 1.0])\nh = x\nfor i in range(249) {\n  h = tanh(h) * 1.01\n}\nL = sum(h)\ns = stepper(L)',
    );
    if (!r.ok) throw new Error(r.traceback.join('\n'));
    const payload = valueBundle(r.session.lookup('s'))![STEPS_MIME] as StepsPayload;
    expect(Object.keys(payload.steps.nodes).length).toBe(500);
    const file = join(tmp, 'big.html');
    writeFileSync(file, stepperPage(payload));
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`file://${file}`);
    await page.waitForSelector('.ns-next');
    const ms = await page.evaluate(() => {
      const next = document.querySelector('.ns-next') as HTMLButtonElement;
      const times: number[] = [];
      for (let k = 0; k < 120; k++) {
        const t0 = performance.now();
        next.click();
        // style and layout of the changed picture are part of the step
        void document.body.getBoundingClientRect().height;
        void (document.querySelector('.ns-panel') as HTMLElement).offsetHeight;
        times.push(performance.now() - t0);
      }
      const slider = document.querySelector('.ns-slider') as HTMLInputElement;
      const t0 = performance.now();
      slider.value = slider.max;
      slider.dispatchEvent(new Event('input'));
      void document.body.getBoundingClientRect().height;
      const jump = performance.now() - t0;
      times.sort((a, b) => a - b);
      return {
        median: times[times.length >> 1],
        max: times[times.length - 1],
        jump,
        counter: document.querySelector('.ns-counter')!.textContent,
      };
    });
    console.log(
      `[stepper] 500-node tape in Chromium: median ${ms.median.toFixed(2)} ms per step, max ${ms.max.toFixed(2)} ms, slider jump to the end ${ms.jump.toFixed(2)} ms`,
    );
    expect(ms.counter).toBe(`step ${payload.steps.steps.length} of ${payload.steps.steps.length}`);
    // loose on purpose (the machine is shared): the bar is 30 ms; the number above is the measurement
    expect(ms.median).toBeLessThan(200);
    await page.close();
  }, 180_000);
});
