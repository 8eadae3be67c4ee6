// The language as Jupyter names it, declared once: the kernel's kernel_info_reply and kernelspec
// (kernel/info.ts, kernel/install.ts) and the playground's .ipynb export (web/src/notebook.ts) all read
// these, so a notebook written by either says the same. Browser-safe data, no version: the version comes
// from package.json where it can be read (the kernel adds it).

/** nbformat's metadata.kernelspec, and the display name and language of kernel.json. */
export const KERNELSPEC = { name: 'nabla', display_name: 'Nabla', language: 'nabla' } as const;

/**
 * nbformat's metadata.language_info (less the version). Highlighting: Julia is the nearest language that
 * both CodeMirror and Pygments know (`#` comments, double-quoted strings, `'` as the adjoint rather than a
 * quote, `^` for power, `2i`-style imaginary literals), so JupyterLab, Notebook and nbconvert colour Nabla
 * cells without an extension of ours. In Python's mode `W'` would open a string that runs to the end of the line.
 */
export const LANGUAGE_INFO = {
  name: 'nabla',
  mimetype: 'text/x-nabla',
  file_extension: '.nabla',
  codemirror_mode: 'julia',
  pygments_lexer: 'julia',
  nbconvert_exporter: 'script',
} as const;
