import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'policies/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests share one Temporal dev server; files run in parallel workers.
    pool: 'forks',
    reporters: ['default'],
  },
});
