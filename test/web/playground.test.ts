// The playground in a real browser: build it (web/build.ts), serve it (web/serve.ts), drive Debian's
// Chromium through playwright-core. Each check uses the page as a reader does (typing, Shift+Enter, the
// backend switch, Export/Import), reading answers from the DOM, Monaco's markers and the page's
// `window.nablaPlayground` handle.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { buildBrowserModule, buildWeb, type BuildResult } from '../../web/build';
import { serve, type Served } from '../../web/serve';
import { browserMissing, launch } from './browser';
import { docsCorpus, expectedTokens, matches, syntheticCorpus } from './tokens';

const missing = browserMissing();
if (missing) console.warn(`[test/web] SKIPPING the browser tests: ${missing}`);

const PYTHON = '/usr/bin/python3';
/** For expect.poll: CI runs other test files beside this one on 2 cores. */
const WAIT = { timeout: 20_000, interval: 50 };
const SCREENSHOT = new URL('../../docs/playground.png', import.meta.url);

let tmp: string;
let built: BuildResult;
let served: Served;
let browser: Browser;
/** One page shared by the editing tests (they add their own cells). */
let main: Page;
const requests: string[] = [];
const pageErrors: string[] = [];

interface Opened {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

async function open(context?: BrowserContext): Promise<Opened> {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true }));
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(served.url);
  await page.waitForSelector('body.ready', { timeout: 30_000 });
  return { context: ctx, page, errors };
}

/** Adds a code cell below the active one (the + Code button), focused; returns its id. */
async function addCell(page: Page): Promise<string> {
  const before = await page.locator('.cell').count();
  await page.click('#add-code');
  await expect.poll(() => page.locator('.cell').count(), WAIT).toBe(before + 1);
  const id = await page.locator('.cell.active').getAttribute('data-cell-id');
  expect(id).toBeTruthy();
  return id!;
}

/** Types lines into the focused editor (Escape closes any suggestion before each newline). */
async function typeLines(page: Page, lines: string[]): Promise<void> {
  for (const [k, line] of lines.entries()) {
    if (k > 0) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
      // Monaco keeps the indentation of the line before; these cells have none
      await page.keyboard.press('Home');
    }
    await page.keyboard.type(line);
  }
  await page.keyboard.press('Escape');
}

const cellIndex = (page: Page, id: string) => page.evaluate((i) => (window as any).nablaPlayground.indexOf(i), id);
const cellSel = (id: string) => `.cell[data-cell-id="${id}"]`;

describe.skipIf(missing !== null)('the playground in Chromium', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nabla-web-'));
    const outDir = join(tmp, 'dist');
    [built, browser] = await Promise.all([buildWeb({ outDir }), launch()]);
    // the kernel-table worker of the GPU backend test, served beside the page it runs in
    await buildBrowserModule(
      fileURLToPath(new URL('./kernel-harness.ts', import.meta.url)),
      join(outDir, 'kernel-harness.js'),
    );
    served = await serve({ port: 0, dir: outDir, build: false });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on('request', (r) => requests.push(r.url()));
    const opened = await open(context);
    main = opened.page;
    pageErrors.push(...opened.errors);
    main.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('builds with no Node-only module in the page, and serves only what it built', async () => {
    // the one Node-only importer (the Node GPU agent's Dawn loader), given stand-ins, and nothing else
    for (const s of built.shimmed) expect(s).toMatch(/ ← runtime\/backends\/gpujs\/dawn\.ts$/);
    const inputs = built.inputs.join('\n');
    for (const dir of ['compiler/', 'runtime/', 'grammar/', 'display/', 'web/src/']) expect(inputs).toContain(dir);
    expect(inputs).not.toMatch(/^(kernel|cli)\//m);
    expect(inputs).not.toMatch(/node_modules\/(tsx|tslab|zeromq|esbuild|vitest)\//);
    expect(built.files).toEqual(
      expect.arrayContaining([
        'index.html',
        'app.js',
        'app.css',
        'editor.worker.js',
        'session.worker.js',
        'gpu.worker.js',
      ]),
    );
    expect(
      built.files.some((f) => f.endsWith('.ttf')),
      'the codicon font is served locally',
    ).toBe(true);

    const get = (path: string, method = 'GET') => fetch(new URL(path, served.url), { method });
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    // cross-origin isolation, which SharedArrayBuffer (the webgpu backend's channel) needs
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await main.evaluate(() => crossOriginIsolated)).toBe(true);
    expect((await get('/app.js', 'HEAD')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/nothing-here')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/package.json')).status).toBeGreaterThanOrEqual(403);
    expect((await get('/', 'POST')).status).toBe(405);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('works offline: every request of the page stays on its own server', () => {
    expect(requests.length).toBeGreaterThan(3);
    const foreign = requests.filter(
      (u) => !u.startsWith(served.url) && !u.startsWith('data:') && !u.startsWith('blob:'),
    );
    expect(foreign).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("highlights every keyword as a keyword, and every token as grammar/'s lexer classes it", async () => {
    const builtins = new Set(createSession().builtins.defs.keys());
    for (const source of [syntheticCorpus(), docsCorpus()]) {
      const lines: { offset: number; type: string }[][] = await main.evaluate(
        (src) => (window as any).nablaPlayground.monaco.editor.tokenize(src, 'nabla'),
        source,
      );
      const wrong: string[] = [];
      for (const t of expectedTokens(source, builtins)) {
        const line = lines[t.line] ?? [];
        const at = [...line].reverse().find((m) => m.offset <= t.col);
        if (!at || !matches(at.type, t.cls))
          wrong.push(`line ${t.line + 1} '${t.text}': grammar says ${t.cls}, Monaco ${at?.type}`);
      }
      expect(wrong).toEqual([]);
    }
    // and the list itself: each keyword alone (contextual ones before a block)
    const keywords: string[] = await main.evaluate(() => (window as any).nablaPlayground.KEYWORDS);
    expect(keywords.length).toBeGreaterThan(15);
    const types: string[] = await main.evaluate((kws) => {
      const m = (window as any).nablaPlayground.monaco;
      return kws.map((k: string) => m.editor.tokenize(`${k} {`, 'nabla')[0][0].type);
    }, keywords);
    expect(types).toEqual(keywords.map(() => 'keyword.nabla'));
  });

  it('runs a typed cell with Shift+Enter and shows its text and tensor outputs', async () => {
    const id = await addCell(main);
    await typeLines(main, ['x = param([1.0, 2.0, 3.0])', 'print("total:", sum(x).item())', 'grad(sum(x^2), x)']);
    const idx = await cellIndex(main, id);
    const text = await main.evaluate((i) => (window as any).nablaPlayground.editor(i).getValue(), idx);
    expect(text).toBe('x = param([1.0, 2.0, 3.0])\nprint("total:", sum(x).item())\ngrad(sum(x^2), x)');
    const cells = await main.locator('.cell').count();
    await main.keyboard.press('Shift+Enter');
    const cell = main.locator(cellSel(id));
    await expect.poll(() => cell.locator('.output.stream').textContent(), WAIT).toBe('total: 6\n');
    const table = cell.locator('.output.result table.nabla-tensor');
    await expect.poll(() => table.count(), WAIT).toBe(1);
    expect(await table.locator('td').allTextContents()).toEqual(['2.', '4.', '6.']);
    expect(await cell.locator('.prompt').textContent()).toMatch(/^\[\d+\]$/);
    expect(await cell.locator('.meta').textContent()).toMatch(/^ran in .* ms on \w+/);
    // Shift+Enter moved on to a new cell below, focused
    expect(await main.locator('.cell').count()).toBe(cells + 1);
    expect(await main.locator('.cell.active').getAttribute('data-cell-id')).not.toBe(id);
  });

  it('puts a marker on the line of a syntax error while typing, and marks it when run', async () => {
    const id = await addCell(main);
    await typeLines(main, ['a = 1', 'b = a +* 2', 'c = 3']);
    const idx = await cellIndex(main, id);
    const markers = () =>
      main.evaluate((i) => {
        const p = (window as any).nablaPlayground;
        const uri = p.editor(i).getModel().uri;
        return p.monaco.editor
          .getModelMarkers({ resource: uri })
          .map((m: any) => ({ owner: m.owner, line: m.startLineNumber, message: m.message }));
      }, idx);
    await expect.poll(markers, WAIT).toEqual([{ owner: 'nabla', line: 2, message: expect.stringMatching(/\S/) }]);
    const cell = main.locator(cellSel(id));
    await expect.poll(() => cell.locator('.squiggly-error').count(), WAIT).toBeGreaterThan(0);

    await main.keyboard.press('Control+Enter');
    await expect.poll(() => cell.locator('.output.error').count(), WAIT).toBe(1);
    expect(await cell.locator('.output.error').textContent()).toMatch(/SyntaxError.*:2:\d+/s);
    const decorated = (line: number) =>
      main.evaluate(
        ([i, l]) =>
          (window as any).nablaPlayground
            .editor(i)
            .getLineDecorations(l)
            .some((d: any) => d.options.className === 'nabla-error-line'),
        [idx, line],
      );
    expect(await decorated(2)).toBe(true);
    expect(await decorated(1)).toBe(false);
    // fixing the line clears the marks
    await main.evaluate((i) => (window as any).nablaPlayground.editor(i).setValue('a = 1\nb = a * 2\nc = 3'), idx);
    await expect.poll(markers, WAIT).toEqual([]);
    expect(await decorated(2)).toBe(false);
  });

  it('marks a runtime error on its line, and the caller in the cell that called it', async () => {
    const def = await addCell(main);
    await typeLines(main, ['fn f(x) = x @ randn(5, 5)']);
    await main.keyboard.press('Control+Enter');
    const use = await addCell(main);
    await typeLines(main, ['y = 1', 'z = f(randn(2, 3))']);
    await main.keyboard.press('Control+Enter');
    const err = main.locator(`${cellSel(use)} .output.error`);
    await expect.poll(() => err.count(), WAIT).toBe(1);
    expect(await err.textContent()).toMatch(/ShapeError/);
    const [defIdx, useIdx] = [await cellIndex(main, def), await cellIndex(main, use)];
    const decorations = (i: number) =>
      main.evaluate((k) => {
        const ed = (window as any).nablaPlayground.editor(k);
        return ed
          .getModel()
          .getAllDecorations()
          .filter((d: any) => /nabla-(error|note)-line/.test(d.options.className ?? ''))
          .map((d: any) => `${d.options.className}@${d.range.startLineNumber}`);
      }, i);
    expect(await decorations(defIdx)).toEqual(['nabla-error-line@1']);
    expect(await decorations(useIdx)).toEqual(['nabla-note-line@2']);
    // the traceback names cells by their place in the notebook, and its places are links
    expect(await err.locator('a.place').first().textContent()).toBe(`cell ${defIdx + 1}:1:11`);
  });

  it('completes and documents names from the builtin table', async () => {
    const id = await addCell(main);
    await typeLines(main, ['s = su']);
    await main.keyboard.press('Control+Space');
    const rows = main.locator('.suggest-widget .monaco-list-row');
    await expect.poll(() => rows.allTextContents().then((t) => t.join('|')), WAIT).toMatch(/sum/);
    await main.keyboard.press('Escape');
    const idx = await cellIndex(main, id);
    await main.evaluate((i) => (window as any).nablaPlayground.editor(i).setValue('s = sum(ones(3))'), idx);
    await main.locator(`${cellSel(id)} .view-line span`, { hasText: /^sum$/ }).hover();
    const hover = main.locator('.monaco-hover:not(.hidden) .monaco-hover-content').first();
    await expect
      .poll(() => hover.textContent(), WAIT)
      .toMatch(/sum\(x, axis=none, keepdim=false\).*Sum of the elements/s);
    // the same text as the kernel's inspect_reply
    const inspect = createSession().inspect('sum', 1, 0).data['text/plain'] as string;
    expect(inspect).toContain('Sum of the elements');
    await main.mouse.move(0, 0);
  });

  it('draws chart bundles (Vega-Lite without SVG, and SVG) under a cell', async () => {
    const before = await main.locator('.output img.chart').count();
    await main.evaluate(() => {
      const p = (window as any).nablaPlayground;
      const spec = {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: {
          values: [
            { x: 0, y: 1 },
            { x: 1, y: 3 },
            { x: 2, y: 2 },
          ],
        },
        mark: 'line',
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      };
      p.display(0, { 'text/plain': 'a line', 'application/vnd.vegalite.v5+json': spec });
      p.display(0, {
        'text/plain': 'a dot',
        'image/svg+xml':
          '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><circle cx="10" cy="10" r="8"/></svg>',
      });
    });
    await expect.poll(() => main.locator('.output img.chart').count(), WAIT).toBe(before + 2);
    const src = await main.locator('.output img.chart').nth(before).getAttribute('src');
    expect(decodeURIComponent(src!)).toMatch(/^data:image\/svg\+xml.*<svg/s);
    expect(pageErrors).toEqual([]);
  });

  it('computes the same gradient on every backend as on js: webgpu (a GPU worker) and webgl2 included, each running its own kernels', async () => {
    const { page, context, errors } = await open();
    const options = await page
      .locator('#backend option')
      .evaluateAll((os) =>
        os.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled })),
      );
    const usable = options.filter((o) => !o.disabled && o.value !== 'auto').map((o) => o.value);
    // Chromium here offers WebGPU (SwiftShader) and WebGL2: both GPU backends must be selectable
    expect(usable.sort()).toEqual(['cpu', 'js', 'webasm', 'webgl2', 'webgpu']);
    // but the automatic choice (first of webgpu > webgl2 > webasm > cpu > js) passes over both: here they are
    // SwiftShader, a CPU emulating a GPU, slower than webasm
    expect(await page.locator('#backend-current').textContent()).toBe('webasm');
    for (const name of ['webgpu', 'webgl2']) {
      expect(await page.locator(`#backend-list li[data-backend="${name}"]`).textContent()).toMatch(
        /available, not chosen automatically: its only (adapter|renderer) is a CPU emulation \(.*SwiftShader.*\)/i,
      );
    }
    const id = await addCell(page);
    const idx = await cellIndex(page, id);
    // 65,536 elements: past the Math-fn threshold of every gpu.js backend (runtime/backends/gpujs/policy.ts)
    const code =
      'x = param(linspace(-3, 3, 65536))\ny = sum(tanh(x) * x^2 + exp(-x^2) * sin(x))\ng = grad(y, x)\ng.shape';
    const results: Record<
      string,
      { g: number[]; kernels: Record<string, number>; ms: number; floatsRead?: number; uploads?: number }
    > = {};
    const traffic = async (name: string) => {
      const stats = await page.evaluate(() => (window as any).nablaPlayground.gpuStats());
      return name === 'webgl2' || name === 'webgpu' ? stats[name].traffic : null;
    };
    for (const name of ['js', ...usable.filter((n) => n !== 'js')]) {
      await page.selectOption('#backend', name);
      await expect.poll(() => page.locator('#backend-current').textContent(), WAIT).toBe(name);
      await page.evaluate(([i, c]) => (window as any).nablaPlayground.editor(i).setValue(c), [idx, code] as const);
      // run twice: the second run finds its kernels built (the first compiles shaders) and is the one timed
      let before = null;
      for (const _ of [1, 2]) {
        before = await traffic(name);
        await page.locator(`${cellSel(id)} .meta`).evaluate((m) => m.removeAttribute('data-backend'));
        await page.click(`${cellSel(id)} .side .run`);
        await expect
          .poll(() => page.locator(`${cellSel(id)} .meta`).getAttribute('data-backend'), { ...WAIT, timeout: 60_000 })
          .toBe(name);
      }
      expect(await page.locator(`${cellSel(id)} .output.error`).count()).toBe(0);
      const after = await traffic(name); // before values() below reads g back
      const g: number[] = await page.evaluate(() => (window as any).nablaPlayground.values('g'));
      const meta = page.locator(`${cellSel(id)} .meta`);
      const kernels = JSON.parse((await meta.getAttribute('data-kernels'))!);
      const ms = Number(/ran in ([\d.]+) ms/.exec((await meta.textContent())!)![1]);
      results[name] = {
        g,
        kernels,
        ms,
        ...(after && before
          ? { floatsRead: after.floatsRead - before.floatsRead, uploads: after.floatsUploaded - before.floatsUploaded }
          : {}),
      };
    }
    const ref = results.js.g;
    expect(ref).toHaveLength(65536);
    for (const [name, r] of Object.entries(results)) {
      const worst = Math.max(...r.g.map((v, i) => Math.abs(v - ref[i]) / Math.max(1, Math.abs(ref[i]))));
      expect(worst, `${name} vs js`).toBeLessThan(1e-4);
      // the backend's own kernels took part of the work (a backend that left everything to js fails here)
      if (name !== 'js') expect(r.kernels[name] ?? 0, `${name} kernel calls`).toBeGreaterThan(0);
    }
    // resident tensors: on both GPU backends the run's ops and their backward kept every 65,536-element result
    // on the GPU, nothing as large came back, and x (made on the host) went up once, not at each use
    for (const name of ['webgl2', 'webgpu'])
      console.info(
        `[test/web] ${name}: ${results[name].floatsRead} floats read back, ${results[name].uploads} sent during the run`,
      );
    for (const name of ['webgl2', 'webgpu']) {
      expect(results[name].floatsRead, `${name}: floats read back during the run`).toBeLessThan(65536);
      expect(results[name].uploads, `${name}: floats sent during the run`).toBeLessThan(2 * 65536);
    }
    // and the GPU ones ran on the GPU: gpu.js built its WebGL2 / WebGPU kernels and degraded none
    const gpu = await page.evaluate(() => (window as any).nablaPlayground.gpuStats());
    expect(gpu.webgl2.classes).toEqual(['WebGL2Kernel']);
    expect(gpu.webgl2.built).toBeGreaterThan(1);
    expect(gpu.webgpu.agent.classes).toEqual(['WebGPUKernel']);
    expect(gpu.webgpu.agent.cache.built).toBeGreaterThan(1);
    expect(gpu.webgpu.device).toMatch(/^WebGPU adapter: /);
    for (const name of ['webgpu', 'webgl2']) {
      const li = page.locator(`#backend-list li[data-backend="${name}"]`);
      expect(await li.getAttribute('class')).toBe('usable');
    }
    console.info(
      `[test/web] the gradient of 65,536 elements in Chromium (SwiftShader for the GPU backends), second run: ` +
        Object.entries(results)
          .map(
            ([name, r]) =>
              `${name} ${r.ms} ms (${Object.entries(r.kernels)
                .map(([b, n]) => `${b} ${n}`)
                .join(', ')})`,
          )
          .join('; '),
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs the kernel table on webgl2 and on webgpu in workers and agrees with js, declining what a GPU cannot compute', async () => {
    const { page, context, errors } = await open();
    // the table of test/backends/kernel-cases.ts, fewer shapes than in Node (each new key compiles a shader)
    const requests = ['webgl2', 'webgpu'].flatMap((backend) => [
      { backend, table: 'finite', shapes: [[7], [2, 3, 1, 5]] },
      { backend, table: 'specials', shapes: [[2, 3, 4]] },
      { backend, table: 'large' },
    ]);
    const reports: any[] = await page.evaluate(async (reqs) => {
      // a harness worker wired to the page's GPU worker as the session worker is (session-client.ts)
      const gpuWorker = new Worker('./gpu.worker.js', { type: 'module' });
      const harness = new Worker('./kernel-harness.js', { type: 'module' });
      const channel = new MessageChannel();
      gpuWorker.postMessage({ port: channel.port2 }, [channel.port2]);
      harness.postMessage({ gpuPort: channel.port1 }, [channel.port1]);
      const out: unknown[] = [];
      for (const r of reqs)
        out.push(
          await new Promise((resolve) => {
            harness.onmessage = (e) => resolve(e.data);
            harness.postMessage(r);
          }),
        );
      harness.terminate();
      gpuWorker.terminate();
      return out;
    }, requests);
    for (const r of reports) {
      expect(r.error, r.error).toBeUndefined();
      const label = `${r.backend} ${r.table}`;
      expect(r.misses, label).toEqual([]);
      expect(r.classes, label).toEqual([r.backend === 'webgl2' ? 'WebGL2Kernel' : 'WebGPUKernel']);
      // every call went either to the GPU or, declined by the guard, to js
      expect(r.onBackend + (r.guard?.declined ?? 0), label).toBe(r.cases);
      if (r.table === 'finite') expect(r.onBackend, label).toBeGreaterThan(r.cases * 0.9);
      if (r.table === 'specials') expect(r.guard.declined, label).toBeGreaterThan(r.cases / 2);
      if (r.table === 'large') expect(r.onBackend, label).toBe(r.cases);
    }
    console.info(
      `[test/web] kernel table in Chromium: ${reports.map((r) => `${r.backend} ${r.table} ${r.onBackend}/${r.cases} on the GPU in ${r.ms} ms`).join('; ')}`,
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('keeps the cells in localStorage across a reload', async () => {
    const { page, context } = await open();
    const id = await addCell(page);
    await typeLines(page, ['kept = "across reloads"']);
    await page.evaluate(() => (window as any).nablaPlayground.save());
    await page.reload();
    await page.waitForSelector('body.ready');
    const sources: string[] = await page.evaluate(() =>
      (window as any).nablaPlayground.cells.map((c: any) => c.source),
    );
    expect(sources).toContain('kept = "across reloads"');
    expect(await page.locator(cellSel(id)).count()).toBe(1);
    expect(await page.locator('#status').textContent()).toMatch(/Restored/);
    await context.close();
  });

  it('exports an .ipynb that nbformat validates and the nabla kernel runs, and imports it back', async (ctx) => {
    const { page, context } = await open();
    await page.selectOption('#examples', 'known-grads-brief');
    await expect.poll(() => page.locator('.cell').count(), WAIT).toBe(3);
    await page.click('#run-all');
    await expect.poll(() => page.locator('.output.stream').textContent(), WAIT).toMatch(/difference: tensor\(0\.\)/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    expect(download.suggestedFilename()).toBe('nabla-playground.ipynb');
    const exported = join(tmp, 'exported.ipynb');
    await download.saveAs(exported);
    const doc = JSON.parse(readFileSync(exported, 'utf8'));
    expect(doc.metadata.kernelspec).toMatchObject({ name: 'nabla', language: 'nabla' });

    const hasNbformat = spawnSync(PYTHON, ['-c', 'import nbformat'], { encoding: 'utf8' }).status === 0;
    if (!hasNbformat) {
      console.warn(
        `[test/web] SKIPPING nbformat validation and the kernel run: ${PYTHON} has no nbformat (apt-get install -y python3-nbformat)`,
      );
      await context.close();
      ctx.skip();
      return;
    }
    execFileSync(
      PYTHON,
      [
        '-c',
        'import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)); print("valid")',
        exported,
      ],
      { encoding: 'utf8' },
    );

    // Through Jupyter: nbconvert --execute against the installed kernelspec (kernel/ by the kernel engineer)
    let ran: string | null = null;
    let why = '';
    try {
      const kernel = (await import('../../kernel/index')) as { installKernelspec(o: { prefix: string }): string };
      kernel.installKernelspec({ prefix: join(tmp, 'jupyter') });
      const hasNbconvert = spawnSync(PYTHON, ['-c', 'import nbconvert'], { encoding: 'utf8' }).status === 0;
      if (!hasNbconvert) why = `${PYTHON} has no nbconvert (apt-get install -y python3-nbconvert)`;
      else {
        const out = join(tmp, 'executed.ipynb');
        const r = spawnSync(
          PYTHON,
          [
            '-m',
            'nbconvert',
            '--to',
            'notebook',
            '--execute',
            '--ExecutePreprocessor.timeout=60',
            '--output',
            out,
            exported,
          ],
          {
            encoding: 'utf8',
            env: { ...process.env, JUPYTER_PATH: join(tmp, 'jupyter', 'share', 'jupyter') },
            timeout: 90_000,
          },
        );
        expect(r.status, r.stderr).toBe(0);
        ran = out;
      }
    } catch (e) {
      if ((e as Error).name === 'AssertionError') throw e;
      why = `the kernel could not be installed: ${(e as Error).message}`;
    }
    if (ran) {
      const executed = JSON.parse(readFileSync(ran, 'utf8'));
      const text = JSON.stringify(executed.cells.flatMap((c: any) => c.outputs ?? []));
      expect(text).toMatch(/difference: tensor\(0\.\)/);
      // the same numbers as the page showed
      const pageTable = await page.locator('.output.result').first().textContent();
      expect(pageTable).toContain('-0.2399');
      expect(text).toContain('-0.2399');

      // and back: the kernel's outputs open in the playground
      await page.setInputFiles('#import-file', ran);
      await expect.poll(() => page.locator('#status').textContent(), WAIT).toMatch(/Opened executed\.ipynb \(3 cells/);
      expect(await page.locator('.output.stream').textContent()).toMatch(/difference: tensor\(0\.\)/);
      expect(await page.locator('.output.result table.nabla-tensor').count()).toBe(1);
    } else {
      console.warn(`[test/web] SKIPPING the kernel run of the exported notebook: ${why}`);
    }
    await context.close();
  });

  it('renders the playground for docs/playground.png', async () => {
    const { page, context, errors } = await open();
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.selectOption('#examples', 'grad-vs-backward');
    await page.click('#run-all');
    await expect.poll(() => page.locator('.output.error').count(), WAIT).toBe(1);
    await page.click('.backend summary');
    await page.waitForTimeout(300);
    const shot = join(tmp, 'playground.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.NABLA_UPDATE_SCREENSHOTS) {
      copyFileSync(shot, SCREENSHOT);
      console.info(`[test/web] wrote ${SCREENSHOT.pathname}`);
    }
    expect(readFileSync(shot).length).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    await context.close();
  });
});
