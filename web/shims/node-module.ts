// Browser stand-in for `node:module`, used only by web/build.ts for imports listed there (Node-only code
// paths of runtime/ that a browser never takes). `require` here answers as if nothing were installed.
export function createRequire(_from: string | URL) {
  const require = ((id: string) => {
    throw new Error(`require('${id}') is not available in a browser`);
  }) as ((id: string) => never) & { resolve(id: string): never };
  require.resolve = (id: string) => {
    throw new Error(`cannot resolve '${id}' in a browser`);
  };
  return require;
}
export default { createRequire };
