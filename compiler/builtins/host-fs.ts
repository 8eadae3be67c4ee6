/**
 * The file system of save/load/read_csv/write_csv: Node's where the host has one (CLI, Jupyter kernel, REPL);
 * elsewhere (the playground's and JupyterLite's workers) files kept in memory for the session's life, so a
 * notebook that writes a file and reads it back runs the same in the browser. Reached through
 * process.getBuiltinModule, so the compiler still bundles for the browser.
 */
export interface HostFs {
  statSync(path: string): { isDirectory(): boolean; size: number };
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array | string): void;
}

/** What the memory files of one session may hold in all: a browser tab's memory is the reader's. */
export const MEMORY_FILES_LIMIT_BYTES = 1 << 28;

const notFound = () => Object.assign(new Error('no such file or directory'), { code: 'ENOENT' });

export class MemoryFs implements HostFs {
  private readonly files = new Map<string, Uint8Array>();
  private bytes = 0;

  statSync(path: string) {
    const f = this.files.get(path);
    if (!f) throw notFound();
    return { isDirectory: () => false, size: f.length };
  }

  readFileSync(path: string): Uint8Array {
    const f = this.files.get(path);
    if (!f) throw notFound();
    return f;
  }

  writeFileSync(path: string, data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data.slice();
    const total = this.bytes - (this.files.get(path)?.length ?? 0) + bytes.length;
    if (total > MEMORY_FILES_LIMIT_BYTES) {
      throw new Error(
        `the page keeps files in memory, at most ${MEMORY_FILES_LIMIT_BYTES} bytes in all, and this would make ${total}`,
      );
    }
    this.files.set(path, bytes);
    this.bytes = total;
  }
}

let memory: MemoryFs | null = null;

export function hostFs(): HostFs {
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
    'node:fs',
  );
  return (fs as HostFs | undefined) ?? (memory ??= new MemoryFs());
}
