import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  const docs = pkg.homepage ? `${pkg.homepage.replace(/\/$/, '')}/blob/main/docs/language.md` : pathToFileURL(`${packageRoot}docs/language.md`).href;
  return [{ text: 'Nabla language reference', url: docs }];
}

/**
 * The kernel_info_reply content. Highlighting: Julia is the nearest language that both CodeMirror and Pygments
 * know (`#` comments, double-quoted strings, `'` as the adjoint rather than a quote, `^` for power, `2i`-style
 * imaginary literals), so JupyterLab, Notebook and nbconvert colour Nabla cells without an extension of ours.
 * In Python's mode `W'` would open a string that runs to the end of the line.
 */
export function kernelInfo(): Record<string, unknown> {
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'nabla',
    implementation_version: NABLA_VERSION,
    language_info: {
      name: 'nabla',
      version: NABLA_VERSION,
      mimetype: 'text/x-nabla',
      file_extension: '.nabla',
      codemirror_mode: 'julia',
      pygments_lexer: 'julia',
      nbconvert_exporter: 'script',
    },
    banner: `Nabla ${NABLA_VERSION}: a differentiable-programming language (∇)`,
    help_links: helpLinks(),
    debugger: false,
  };
}
