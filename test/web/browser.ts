// Debian's Chromium, headless, driven by playwright-core (no browser is ever downloaded). ARCHITECTURE.md,
// "Facts about the platform": as root it needs --no-sandbox; --enable-unsafe-webgpu gives a WebGPU adapter
// (SwiftShader, on the CPU) so the page sees what a reader's GPU would offer.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildWeb } from '../../web/build';
import { serve, type Served } from '../../web/serve';

export const CHROMIUM = process.env.NABLA_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // containers often give /dev/shm only 64 MB, where Chromium's renderer crashes; use /tmp instead
  '--disable-dev-shm-usage',
];

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  return `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does) or set NABLA_CHROMIUM`;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** The playground built into a fresh temporary folder and served as `nabla serve` serves it, with a browser. */
export interface Site {
  tmp: string;
  served: Served;
  browser: Browser;
  /** closes the browser and the server and removes the folder */
  close(): Promise<void>;
}

export async function openSite(prefix: string): Promise<Site> {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  const outDir = join(tmp, 'dist');
  const [, browser] = await Promise.all([buildWeb({ outDir }), launch()]);
  const served = await serve({ port: 0, dir: outDir, build: false });
  return {
    tmp,
    served,
    browser,
    async close() {
      await browser.close();
      await served.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
