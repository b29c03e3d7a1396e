import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Lab and CLI tests start real daemons and processes: one file at a time keeps a 2-core machine honest.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
