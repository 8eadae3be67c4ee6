// Browser stand-in for `node:path` (POSIX forms only), used only by web/build.ts for imports listed there.
export function join(...parts: string[]): string {
  return parts.filter(Boolean).join('/').replace(/\/+/g, '/');
}
export function dirname(p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}
export function basename(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() ?? '';
}
export const resolve = join;
export const sep = '/';
export default { join, dirname, basename, resolve, sep };
