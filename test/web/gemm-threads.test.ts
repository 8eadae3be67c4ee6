// The float32 matmul's second thread in the browser (runtime/backends/js/wasm/gemm-threads.ts): the
// playground, served cross-origin isolated by `nabla serve`, runs a big matmul on two threads in its session
// worker (the worker the runtime starts from a blob: URL, which the page's Content-Security-Policy allows),
// with the bits Node computes; and with no violation of the policy.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../compiler';
import { Tensor } from '../../runtime';
import { browserMissing, openSite, type Site } from './browser';

const missing = browserMissing();
if (missing) console.warn(`[test/web] SKIPPING the browser matmul-thread tests: ${missing}`);

const WAIT = { timeout: 60_000, interval: 100 };
const CODE = [
  'a = reshape(sin(arange(0, 300 * 200) * 0.001), [300, 200])',
  'b = reshape(cos(arange(0, 200 * 136) * 0.002), [200, 136])',
  'c = a @ b',
  'ct = transpose(b) @ transpose(a)',
  'print(backend())',
].join('\n');

let site: Site;
let page: Page;
const problems: string[] = [];

describe.skipIf(missing !== null)('the float32 matmul on two threads in Chromium', () => {
  beforeAll(async () => {
    site = await openSite('nabla-gemm-web-');
    page = await (await site.browser.newContext()).newPage();
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy|Refused/.test(m.text())) problems.push(m.text());
    });
    await page.goto(site.served.url);
    await page.waitForSelector('body.ready', { timeout: 60_000 });
  }, 180_000);

  afterAll(() => site?.close());

  it('splits a big matmul with a worker in the session, to the bits Node computes', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const at: number = await page.evaluate(() =>
      (window as any).nablaPlayground.cells.findIndex((c: { type: string }) => c.type === 'code'),
    );
    const id: string = await page.evaluate((i) => (window as any).nablaPlayground.cells[i].id, at);
    const cell = page.locator(`.cell[data-cell-id="${id}"]`);
    await page.evaluate(([i, c]) => (window as any).nablaPlayground.editor(i).setValue(c), [at, CODE] as const);
    // the worker starts on the first big product and answers a moment later: run until products are split
    let text = '';
    for (let i = 0; i < 20 && !/[1-9]\d* split so far/.test(text); i++) {
      await page.evaluate((i) => (window as any).nablaPlayground.runCell(i), at);
      await expect.poll(() => cell.locator('.output.stream').textContent(), WAIT).toMatch(/split so far/);
      text = (await cell.locator('.output.stream').textContent())!;
      await page.waitForTimeout(200);
    }
    expect(text).toMatch(
      /matmul \(float32 and float64, from 64×64×64 multiply-adds in compiled steps, 4,194,304 in eager calls\): 2 threads \(a worker thread runs half of each product; [1-9]\d* split so far(, \d+ run alone while the worker was starved of a core)?\)/,
    );
    expect(await cell.locator('.output.error').count()).toBe(0);

    const session = createSession();
    const r = session.run(CODE, { stdout: () => {}, stderr: () => {}, display: () => {} });
    expect(r.ok).toBe(true);
    for (const name of ['c', 'ct']) {
      const browserValues: number[] = await page.evaluate((n) => (window as any).nablaPlayground.values(n), name);
      const node = Array.from((session.lookup(name) as Tensor).toHost() as Float32Array);
      expect(browserValues).toHaveLength(300 * 136);
      expect(browserValues, name).toEqual(node);
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
