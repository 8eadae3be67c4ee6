import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LANGUAGE_INFO } from '../grammar/language-info';
import { PROTOCOL_VERSION } from './wire';

/** The package's own metadata: versions shown to Jupyter come from here, never from a literal (STYLE). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
  homepage?: string;
};

export const NABLA_VERSION = pkg.version;

/** Links in the front end's Help menu: the hosted reference when package.json names a homepage, else the local file. */
function helpLinks(): { text: string; url: string }[] {
  const docs = pkg.homepage
    ? `${pkg.homepage.replace(/\/$/, '')}/blob/main/docs/language.md`
    : pathToFileURL(`${packageRoot}docs/language.md`).href;
  return [{ text: 'Nabla language reference', url: docs }];
}

/** The kernel_info_reply content; language_info is the one the playground's export writes too (grammar/language-info.ts). */
export function kernelInfo(): Record<string, unknown> {
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'nabla',
    implementation_version: NABLA_VERSION,
    language_info: { ...LANGUAGE_INFO, version: NABLA_VERSION },
    banner: `Nabla ${NABLA_VERSION}: a differentiable-programming language (∇)`,
    help_links: helpLinks(),
    debugger: false,
  };
}
