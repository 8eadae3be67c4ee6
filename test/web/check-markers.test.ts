// The checker's markers in the playground (issue 13, item 6): while a reader types, the session worker
// checks the cell with the names the session and the cells above define, and Monaco shows what it finds;
// a run of a cell with such errors is refused, listing them all. Debian's Chromium through playwright-core.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, openSite, type Site } from './browser';

const missing = browserMissing();
if (missing) console.warn(`[test/web] SKIPPING the check-marker tests: ${missing}`);

/** For expect.poll: other test files run beside this one on 2 cores. */
const WAIT = { timeout: 30_000, interval: 100 };

let site: Site;
let page: Page;
const pageErrors: string[] = [];

interface Marker {
  owner: string;
  line: number;
  col: number;
  endCol: number;
  message: string;
}

/** Adds a code cell below the active one (the + Code button), focused; returns its index. */
async function addCell(): Promise<number> {
  const before = await page.locator('.cell').count();
  await page.click('#add-code');
  await expect.poll(() => page.locator('.cell').count(), WAIT).toBe(before + 1);
  const id = await page.locator('.cell.active').getAttribute('data-cell-id');
  return page.evaluate((i) => (window as any).nablaPlayground.indexOf(i), id);
}

async function type(text: string): Promise<void> {
  await page.keyboard.type(text);
  await page.keyboard.press('Escape'); // closes a suggestion
}

const markers = (i: number): Promise<Marker[]> =>
  page.evaluate((k) => {
    const p = (window as any).nablaPlayground;
    return p.monaco.editor.getModelMarkers({ resource: p.editor(k).getModel().uri }).map((m: any) => ({
      owner: m.owner,
      line: m.startLineNumber,
      col: m.startColumn,
      endCol: m.endColumn,
      message: m.message,
    }));
  }, i);

describe.skipIf(missing !== null)('the checker in the playground', () => {
  beforeAll(async () => {
    site = await openSite('nabla-check-web-');
    page = await (await site.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(site.served.url);
    await page.waitForSelector('body.ready', { timeout: 60_000 });
  }, 180_000);

  afterAll(() => site?.close());

  it('marks a misspelt name while typing, at its column, suggesting the builtin', async () => {
    const i = await addCell();
    await type('y = tahn(1.0)');
    await expect
      .poll(() => markers(i), WAIT)
      .toEqual([
        { owner: 'nabla-check', line: 1, col: 5, endCol: 9, message: expect.stringContaining("did you mean 'tanh'") },
      ]);
    // the quick fix (Ctrl+.) replaces the name with the first suggestion
    await page.evaluate((k) => (window as any).nablaPlayground.editor(k).setPosition({ lineNumber: 1, column: 6 }), i);
    await page.keyboard.press('Control+Period');
    await expect.poll(() => page.locator('.context-view').textContent(), WAIT).toContain("Change to 'tanh'");
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.evaluate((k) => (window as any).nablaPlayground.editor(k).getValue(), i), WAIT)
      .toBe('y = tanh(1.0)');
    await expect.poll(() => markers(i), WAIT).toEqual([]);
  });

  it('gives no marker for a name an earlier cell defines, run or not, and marks one no cell defines', async () => {
    const a = await addCell();
    await type('w = 2.0');
    await page.keyboard.press('Control+Enter'); // runs: the session now defines w
    await expect.poll(() => page.locator('.cell').nth(a).locator('.prompt').textContent(), WAIT).toMatch(/^\[\d+\]$/);
    const b = await addCell();
    await type('fn half(v) = v / 2'); // not run: the checker reads its source
    const c = await addCell();
    await type('print(half(w), half(q))');
    await expect
      .poll(() => markers(c), WAIT)
      .toEqual([{ owner: 'nabla-check', line: 1, col: 21, endCol: 22, message: "'q' is not defined" }]);
    expect(await markers(b)).toEqual([]);
  });

  it('refuses to run a cell with errors, listing all of them, and keeps the variables', async () => {
    const i = await addCell();
    await type('print("not run")\nw = 0\nz = sum(exp(w), dim=0) + tahn(w)');
    await page.keyboard.press('Control+Enter');
    const cell = page.locator('.cell').nth(i);
    const err = cell.locator('.output.error');
    await expect.poll(() => err.count(), WAIT).toBe(1);
    const text = (await err.textContent()) ?? '';
    expect(text).toMatch(/CheckError/);
    expect(text).toMatch(/:3:17: error: sum\(\) has no parameter named 'dim'/);
    expect(text).toMatch(/:3:26: error: 'tahn' is not defined; did you mean 'tanh'/);
    expect(await cell.locator('.output.stream').count()).toBe(0);
    const j = await addCell();
    await type('w + 1');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('.cell').nth(j).locator('.output.result').textContent(), WAIT).toMatch(/^3/);
    expect(pageErrors).toEqual([]);
  });
});
