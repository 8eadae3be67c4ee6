// Notebooks from notebooks/ become playground examples: an import of a .ipynb yields its cells' type, source
// and tags, without outputs (executed notebooks carry charts and tables the page would only download to
// drop). Used as an esbuild plugin by web/build.ts and as a Vite plugin by vitest.config.ts, so the page
// and the tests see the same examples. Build-time only (Node).
import { readFile } from 'node:fs/promises';

export interface NotebookCells {
  title: string;
  cells: { type: 'code' | 'markdown'; source: string; tags: string[] }[];
}

type RawCell = { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } };

/** The cells of notebook JSON text, and its title (the first Markdown heading, else the file's name). */
export function notebookCells(text: string, file: string): NotebookCells {
  const nb = JSON.parse(text) as { cells: RawCell[] };
  const cells = nb.cells
    .filter((c) => c.cell_type === 'code' || c.cell_type === 'markdown')
    .map((c) => ({
      type: c.cell_type as 'code' | 'markdown',
      source: Array.isArray(c.source) ? c.source.join('') : c.source,
      tags: c.metadata?.tags ?? [],
    }));
  const heading = cells.find((c) => c.type === 'markdown' && /^#\s/m.test(c.source))?.source.match(/^#\s+(.*)$/m)?.[1];
  return { title: (heading ?? file.replace(/^.*\//, '').replace(/\.ipynb$/, '')).replace(/`/g, ''), cells };
}

const moduleText = (text: string, file: string) => `export default ${JSON.stringify(notebookCells(text, file))};`;

/** esbuild: `import nb from '…/x.ipynb'`. */
export const ipynbEsbuildPlugin = {
  name: 'nabla-ipynb',
  setup(build: {
    onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => Promise<{ contents: string; loader: 'js' }>): void;
  }) {
    build.onLoad({ filter: /\.ipynb$/ }, async ({ path }) => ({
      contents: moduleText(await readFile(path, 'utf8'), path),
      loader: 'js',
    }));
  },
};

/** Vite (vitest): the same import. */
export const ipynbVitePlugin = {
  name: 'nabla-ipynb',
  transform(code: string, id: string) {
    return id.endsWith('.ipynb') ? { code: moduleText(code, id), map: null } : null;
  },
};
