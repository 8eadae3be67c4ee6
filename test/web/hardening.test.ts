// A shared notebook cannot run code in the playground (issue 18): an imported .ipynb carrying each payload
// the security probe used (SVG <set>/<animate> rewriting an href to javascript:, <script>, event handlers,
// <style>, an external <img>, a Vega-Lite chart loading data.url) runs no script, makes no request outside
// the page's origin, and does not restyle the page, before and after a reload; the server sends its
// Content-Security-Policy with every response; and the policy lets the playground itself run on every
// backend (no violation reported while cells run).
import { connect, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../web/serve';
import { browserMissing, openSite, type Site } from './browser';

const missing = browserMissing();
if (missing) console.warn(`[test/web] SKIPPING the browser hardening tests: ${missing}`);

const WAIT = { timeout: 30_000, interval: 50 };
/** An address no request may reach (TEST-NET-1, RFC 5737): any request to it is a failure of the test. */
const FOREIGN = 'http://192.0.2.1';

/** Each payload sets window.__pwned (or opens a dialog) if it ever runs. */
const HTML_PAYLOADS: Record<string, string> = {
  svgSet: `<svg width="300" height="40"><a><set attributeName="href" to="javascript:window.__pwned='svg-set'"/><text x="5" y="20">svg-set click</text></a></svg>`,
  svgAnimate: `<svg width="300" height="40"><a><animate attributeName="href" values="javascript:window.__pwned='svg-animate'"/><text x="5" y="20">svg-animate click</text></a></svg>`,
  svgXlink: `<svg width="300" height="40" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:window.__pwned='xlink'"><text x="5" y="20">xlink click</text></a><animateMotion/><animateTransform/></svg>`,
  script: `<script>window.__pwned='script'; alert(1)</script><p>script</p>`,
  onerror: `<img src="x" onerror="window.__pwned='onerror'">`,
  onclick: `<div class="clickme" onclick="window.__pwned='onclick'">onclick click</div>`,
  jsHref: `<a href="javascript:window.__pwned='href'">href click</a><a href=" java\tscript:window.__pwned='href2'">href2</a>`,
  dataHref: `<a href="data:text/html,<script>alert(1)</script>">data link</a>`,
  style: `<style>body { background: rgb(255, 0, 0) !important; } header { display: none !important; }</style><p>styled</p>`,
  externalImg: `<img src="${FOREIGN}/track.png"><img srcset="${FOREIGN}/set.png 1x">`,
  cssUrl: `<div style="background: url(${FOREIGN}/bg.png); position: fixed; inset: 0; z-index: 9999">overlay</div>`,
  iframe: `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe><object data="${FOREIGN}/o"></object>`,
  svgUse: `<svg><use href="${FOREIGN}/sprite.svg#a"/><image href="${FOREIGN}/i.png"/></svg>`,
  formAction: `<form action="${FOREIGN}/post"><button>submit</button></form>`,
};

function payloadNotebook(): Record<string, unknown> {
  const htmlCell = (name: string, html: string) => ({
    cell_type: 'code',
    id: `payload-${name}`,
    metadata: {},
    execution_count: 1,
    source: [`print("${name}")`],
    outputs: [{ output_type: 'display_data', metadata: {}, data: { 'text/html': [html], 'text/plain': [name] } }],
  });
  const cells: Record<string, unknown>[] = Object.entries(HTML_PAYLOADS).map(([n, h]) => htmlCell(n, h));
  cells.push({
    cell_type: 'code',
    id: 'payload-vega',
    metadata: {},
    execution_count: 2,
    source: ['print("vega")'],
    outputs: [
      {
        output_type: 'execute_result',
        metadata: {},
        execution_count: 2,
        data: {
          'application/vnd.vegalite.v5+json': {
            data: { url: `${FOREIGN}/data.json` },
            mark: 'point',
            encoding: { x: { field: 'a', type: 'quantitative' } },
          },
          'text/plain': ['vega chart'],
        },
      },
    ],
  });
  cells.push({
    cell_type: 'code',
    id: 'payload-svgmime',
    metadata: {},
    execution_count: 3,
    source: ['print("svg")'],
    outputs: [
      {
        output_type: 'display_data',
        metadata: {},
        data: {
          'image/svg+xml': [
            `<svg xmlns="http://www.w3.org/2000/svg"><script>parent.__pwned='svgmime'</script><image href="${FOREIGN}/x.png"/></svg>`,
          ],
        },
      },
    ],
  });
  cells.push({
    cell_type: 'markdown',
    id: 'payload-md',
    metadata: {},
    source: [
      `# title\n\nsome *text* and \`code\`\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src="${FOREIGN}/md.png" onerror="window.__pwned='md'"> <script>window.__pwned='md-script'</script>`,
    ],
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'nabla', display_name: 'Nabla', language: 'nabla' } },
    cells,
  };
}

let site: Site;

interface Watched {
  context: BrowserContext;
  page: Page;
  foreign: string[];
  dialogs: string[];
  errors: string[];
}

async function watchedPage(): Promise<Watched> {
  const context = await site.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const foreign: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  // every request the page or its workers make, failed or not
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(site.served.url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  await context.addInitScript(() => {
    (window as any).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__csp.push(
        `${e.violatedDirective} ${e.blockedURI} ${e.sample} ${(e.target as Element)?.outerHTML?.slice(0, 120) ?? ''}`,
      ),
    );
  });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(site.served.url);
  await page.waitForSelector('body.ready', { timeout: 60_000 });
  return { context, page, foreign, dialogs, errors };
}

/** The page's look that a <style> payload would change. */
const pageLook = (page: Page) =>
  page.evaluate(() => ({
    body: getComputedStyle(document.body).backgroundColor,
    header: getComputedStyle(document.querySelector('header')!).display,
    styles: document.querySelectorAll('#cells style').length,
  }));

/** Clicks everything in the outputs a reader could click (the payloads' links and handlers). */
async function clickOutputs(page: Page): Promise<void> {
  const targets = page.locator(
    '.outputs .html a, .outputs .html text, .outputs .html .clickme, .outputs .html button, .outputs .html div',
  );
  const n = await targets.count();
  for (let i = 0; i < n; i++)
    await targets
      .nth(i)
      .click({ force: true, timeout: 2_000 })
      .catch(() => undefined);
  // and where the overlay would have been: the Run all button
  await page.mouse.click(10, 10);
}

async function expectNothingRan(w: Watched): Promise<void> {
  await w.page.waitForTimeout(500); // let any load or animation that slipped through fire
  expect(await w.page.evaluate(() => (window as any).__pwned ?? null)).toBeNull();
  expect(w.dialogs).toEqual([]);
  expect(w.foreign).toEqual([]);
  expect(
    await w.page.evaluate(
      () =>
        document.querySelectorAll(
          '#cells script, #cells iframe, #cells object, #cells form, #cells set, #cells animate, #cells style',
        ).length,
    ),
  ).toBe(0);
}

describe.skipIf(missing !== null)('a shared notebook in the playground', () => {
  beforeAll(async () => {
    site = await openSite('nabla-harden-');
    writeFileSync(join(site.tmp, 'payloads.ipynb'), JSON.stringify(payloadNotebook()));
  }, 180_000);

  afterAll(() => site?.close());

  it('sends the Content-Security-Policy with every response, errors included', async () => {
    const csp = (r: Response) => r.headers.get('content-security-policy');
    for (const [path, method, status] of [
      ['/', 'GET', 200],
      ['/app.js', 'HEAD', 200],
      ['/nothing-here', 'GET', 404],
      ['/..%2f..%2fpackage.json', 'GET', 403],
      ['/', 'POST', 405],
      ['/%E0%A4%A', 'GET', 400],
    ] as const) {
      const r = await fetch(new URL(path, site.served.url), { method });
      expect(r.status, path).toBe(status);
      expect(csp(r), `${method} ${path}`).toBe(CONTENT_SECURITY_POLICY);
    }
    // Node's own answer to oversized headers (431) carries it too
    const raw = await new Promise<string>((ok, fail) => {
      const s: Socket = connect(site.served.port, '127.0.0.1', () =>
        s.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`),
      );
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => ok(text));
      s.on('close', () => ok(text));
      s.on('error', fail);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431/);
    expect(raw).toContain(`Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`);
    // what the policy says: no inline script, nothing from another origin
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\*|https?:/);
  });

  it('runs no script, loads nothing from elsewhere and keeps its look with every payload imported, and after a reload', async () => {
    const w = await watchedPage();
    const { page } = w;
    const look = await pageLook(page);
    await page.setInputFiles('#import-file', join(site.tmp, 'payloads.ipynb'));
    await expect.poll(() => page.locator('#status').textContent(), WAIT).toMatch(/Opened payloads\.ipynb/);
    const count = Object.keys(HTML_PAYLOADS).length;
    await expect.poll(() => page.locator('.outputs .untrusted').count(), WAIT).toBe(count);
    // the sanitized outputs still show their text, with the note saying they are from a file
    expect(await page.locator('.outputs').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('svg-set click')]),
    );
    expect(await page.locator('.trust-note').first().textContent()).toMatch(/run the cell/);
    // the Vega chart that would load data.url is refused, with the reason
    await expect
      .poll(() => page.locator('.chart.failed').textContent(), WAIT)
      .toMatch(/asks to load .*192\.0\.2\.1.*draw only data they carry/);
    await clickOutputs(page);
    await expectNothingRan(w);
    expect(await pageLook(page)).toEqual(look);
    // the Markdown cell is rendered by marked (a heading one level down, emphasis, code, a list, a table),
    // and what the sanitizer keeps of its HTML loads nothing: no script, no foreign image
    const md = page.locator('.cell[data-cell-id="payload-md"] .rendered');
    const tags = await md.evaluate((el) => [...el.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()));
    expect(tags.filter((t) => ['h1', 'h2', 'em', 'code', 'li', 'th', 'td', 'script'].includes(t))).toEqual([
      'h2',
      'em',
      'code',
      'li',
      'li',
      'th',
      'th',
      'td',
      'td',
    ]);
    expect(
      await md.evaluate((el) => [...el.querySelectorAll('img')].map((i) => i.getAttribute('src')).filter(Boolean)),
    ).toEqual([]);

    // stored outputs come back from localStorage after a reload: still untrusted
    await page.evaluate(() => (window as any).nablaPlayground.save());
    await page.reload();
    await page.waitForSelector('body.ready');
    await expect.poll(() => page.locator('.outputs .untrusted').count(), WAIT).toBe(count);
    await clickOutputs(page);
    await expectNothingRan(w);
    expect(await pageLook(page)).toEqual(look);

    // running a cell replaces its stored output with the session's own (trusted: no note)
    const idx: number = await page.evaluate(() => (window as any).nablaPlayground.indexOf('payload-script'));
    await page.evaluate((i) => (window as any).nablaPlayground.runCell(i), idx);
    const cell = page.locator('.cell[data-cell-id="payload-script"]');
    await expect.poll(() => cell.locator('.output.stream').textContent(), WAIT).toBe('script\n');
    expect(await cell.locator('.untrusted').count()).toBe(0);
    // The sanitizer removed every external load before the policy had to block one. (Chromium reports
    // script-src-attr when DOMPurify parses an on* attribute in its inert document: nothing runs there.)
    const violations: string[] = await page.evaluate(() => (window as any).__csp);
    expect(violations.filter((v) => !v.startsWith('script-src-attr '))).toEqual([]);
    expect(w.errors).toEqual([]);
    await w.context.close();
  }, 120_000);

  it('runs under its policy on every backend, charts and outputs included, with no violation', async () => {
    const w = await watchedPage();
    const { page } = w;
    const usable: string[] = await page
      .locator('#backend option')
      .evaluateAll((os) =>
        os
          .filter((o) => !(o as HTMLOptionElement).disabled && (o as HTMLOptionElement).value !== 'auto')
          .map((o) => (o as HTMLOptionElement).value),
      );
    expect(usable).toEqual(expect.arrayContaining(['js', 'webasm', 'cpu']));
    await page.click('#add-code');
    const id = await page.locator('.cell.active').getAttribute('data-cell-id');
    const idx: number = await page.evaluate((i) => (window as any).nablaPlayground.indexOf(i), id);
    // past every gpu.js backend's size thresholds, so each backend compiles and runs its own kernels
    const code =
      'x = param(linspace(-3, 3, 65536))\ng = grad(sum(tanh(x) * x^2), x)\nplot(linspace(0, 1, 5), [1, 2, 3, 2, 1])\ng[0:3]';
    for (const name of usable) {
      await page.selectOption('#backend', name);
      await expect.poll(() => page.locator('#backend-current').textContent(), WAIT).toBe(name);
      await page.evaluate(([i, c]) => (window as any).nablaPlayground.editor(i).setValue(c), [idx, code] as const);
      const ok = await page.evaluate((i) => (window as any).nablaPlayground.runCell(i), idx);
      expect(ok, name).toBe(true);
      const meta = await page.locator(`.cell[data-cell-id="${id}"] .meta`).getAttribute('data-kernels');
      expect(Object.keys(JSON.parse(meta!)), name).toContain(name);
    }
    await expect.poll(() => page.locator(`.cell[data-cell-id="${id}"] img.chart`).count(), WAIT).toBe(1);
    expect(await page.evaluate(() => (window as any).__csp), 'CSP violations').toEqual([]);
    expect(w.foreign).toEqual([]);
    expect(w.errors).toEqual([]);
    await w.context.close();
  }, 240_000);
});
