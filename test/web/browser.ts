// Debian's Chromium, headless, driven by playwright-core (no browser is ever downloaded). ARCHITECTURE.md,
// "Facts about the platform": as root it needs --no-sandbox; --enable-unsafe-webgpu gives a WebGPU adapter
// (SwiftShader, on the CPU) so the page sees what a reader's GPU would offer.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
