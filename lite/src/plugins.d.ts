// The virtual module lite/build.ts generates from lite/package.json's "jupyterlab" field.
declare module 'nabla-lite:plugins' {
  export const extensions: unknown[];
  export const mimeExtensions: unknown[];
  export const disabled: string[];
}
