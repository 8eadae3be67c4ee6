// An import of a notebook gives its cells (web/ipynb.ts does the conversion at build time).
declare module '*.ipynb' {
  const notebook: { title: string; cells: { type: 'code' | 'markdown'; source: string; tags: string[] }[] };
  export default notebook;
}
