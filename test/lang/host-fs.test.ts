import { describe, expect, it } from 'vitest';
import { MEMORY_FILES_LIMIT_BYTES, MemoryFs } from '../../compiler/builtins/host-fs';

// The browser's stand-in for a file system (playground, JupyterLite): what a notebook writes, it reads back.
describe('files in memory (a browser worker has no file system)', () => {
  it('reads back what was written, text or bytes, and says ENOENT for a file never written', () => {
    const fs = new MemoryFs();
    fs.writeFileSync('/tmp/a.csv', 'x,y\n1,2\n');
    expect(new TextDecoder().decode(fs.readFileSync('/tmp/a.csv'))).toBe('x,y\n1,2\n');
    expect(fs.statSync('/tmp/a.csv')).toMatchObject({ size: 8 });
    expect(fs.statSync('/tmp/a.csv').isDirectory()).toBe(false);
    const bytes = new Uint8Array([1, 2, 3]);
    fs.writeFileSync('b.npy', bytes);
    bytes[0] = 9; // a later change to the caller's array is not the file's
    expect(Array.from(fs.readFileSync('b.npy'))).toEqual([1, 2, 3]);
    expect(() => fs.readFileSync('missing.npz')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('bounds what all files hold together, counting a rewritten file once', () => {
    const fs = new MemoryFs();
    const half = new Uint8Array(MEMORY_FILES_LIMIT_BYTES / 2);
    fs.writeFileSync('a', half);
    fs.writeFileSync('a', half); // replaces, does not add
    fs.writeFileSync('b', half);
    expect(() => fs.writeFileSync('c', new Uint8Array(1))).toThrow(/at most 268435456 bytes/);
  });
});
