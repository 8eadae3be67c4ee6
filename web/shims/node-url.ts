// Browser stand-in for `node:url`, used only by web/build.ts for imports listed there.
export function fileURLToPath(u: string | URL): string {
  return decodeURIComponent(new URL(String(u)).pathname);
}
export function pathToFileURL(p: string): URL {
  return new URL(`file://${encodeURI(p)}`);
}
export default { fileURLToPath, pathToFileURL };
