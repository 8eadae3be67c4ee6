import { defineConfig } from 'vitest/config';
import { ipynbVitePlugin } from './web/ipynb';

export default defineConfig({
  // the playground's examples import notebooks/*.ipynb (web/ipynb.ts)
  plugins: [ipynbVitePlugin],
  test: {
    // forks is vitest's default pool; --expose-gc gives test/runtime/memory.test.ts its global.gc()
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    // end-to-end tests start the CLI or a kernel process; a cold start on a 2-core CI machine takes seconds
    testTimeout: 60_000,
  },
});
