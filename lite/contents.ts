// The file browser's contents: a folder (notebooks/) copied under files/ and described by Jupyter Contents
// listings, api/contents/<dir>/all.json, which @jupyterlite/services' drive reads (`contentsAllJsonFile`).
// A reader's edits stay in the browser's storage; the listed files are the site's.
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const MIME: Record<string, string> = {
  '.ipynb': 'application/x-ipynb+json',
  '.nabla': 'text/x-nabla',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
};

interface Entry {
  name: string;
  path: string;
  type: 'directory' | 'notebook' | 'file';
  mimetype: string | null;
  format: null;
  content: null;
  size: number | null;
  writable: true;
  created: string;
  last_modified: string;
}

export interface Contents {
  /** Folder path ('' for the top) → its listing. */
  listings: Map<string, Record<string, unknown>>;
  /** Path under files/ → the file to copy. */
  files: Map<string, string>;
}

/** Hidden files and folders (dot-names) are left out, as Jupyter's file browser does. */
export function contentsListings(dir: string): Contents {
  const listings = new Map<string, Record<string, unknown>>();
  const files = new Map<string, string>();
  const visit = (abs: string, path: string): Entry[] => {
    const entries: Entry[] = [];
    for (const name of readdirSync(abs)
      .filter((n) => !n.startsWith('.'))
      .sort()) {
      const p = path ? `${path}/${name}` : name;
      const st = statSync(join(abs, name));
      const when = st.mtime.toISOString();
      if (st.isDirectory()) {
        visit(join(abs, name), p);
        entries.push({
          name,
          path: p,
          type: 'directory',
          mimetype: null,
          format: null,
          content: null,
          size: null,
          writable: true,
          created: when,
          last_modified: when,
        });
      } else if (st.isFile()) {
        files.set(p, join(abs, name));
        const ext = extname(name).toLowerCase();
        const type = ext === '.ipynb' ? 'notebook' : 'file';
        entries.push({
          name,
          path: p,
          type,
          mimetype: MIME[ext] ?? 'application/octet-stream',
          format: null,
          content: null,
          size: st.size,
          writable: true,
          created: when,
          last_modified: when,
        });
      }
    }
    const when = statSync(abs).mtime.toISOString();
    listings.set(path, {
      name: path.split('/').pop() ?? '',
      path,
      type: 'directory',
      mimetype: null,
      format: 'json',
      content: entries,
      size: null,
      writable: true,
      created: when,
      last_modified: when,
    });
    return entries;
  };
  visit(dir, '');
  return { listings, files };
}
