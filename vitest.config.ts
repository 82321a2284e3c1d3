import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The examples import Warden by its package name, as a project does; here that is the sources.
    alias: [
      { find: /^warden$/, replacement: source('index.ts') },
      { find: /^warden\/workflow$/, replacement: source('workflow.ts') },
      { find: /^warden\/testing$/, replacement: source('testing.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Integration tests share one Temporal dev server; files run in parallel workers.
    pool: 'forks',
    reporters: ['default'],
  },
});
