import { LangError } from '../operators';

/**
 * Writes `text` to `path` for a builtin's file= option (graph, plot, scatter). Through process.getBuiltinModule,
 * so the compiler still bundles for the browser, where there is no file system and the option says so.
 */
export function writeTextFile(fn: string, path: string, text: string): void {
  checkFilePath(fn, path);
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => any } }).process?.getBuiltinModule?.(
    'node:fs',
  );
  if (!fs) throw new LangError(`${fn}: file= needs a file system (use it from the CLI or a notebook kernel)`);
  try {
    fs.writeFileSync(path, text);
  } catch (e) {
    throw new LangError(`${fn}: could not write ${path}: ${(e as Error).message}`, 'ValueError');
  }
}

/** An empty file= is a mistake, not a request to write nothing (graph and the charts say so alike). */
export function checkFilePath(fn: string, path: string): void {
  if (path === '')
    throw new LangError(
      `${fn}: file= is empty; give a path such as file="${fn}.svg", or leave file= out`,
      'ValueError',
    );
}
