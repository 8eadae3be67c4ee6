import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // forks is vitest's default pool; --expose-gc gives test/runtime/memory.test.ts its global.gc()
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
