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
    // One payload key for every process a test starts (workers, the CLI in process or spawned, the
    // codec server), so each reads what the others wrote; tests of key handling set their own.
    env: { WARDEN_PAYLOAD_KEYS: `test-payload:${Buffer.alloc(32, 42).toString('base64')}` },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Files run in parallel worker processes.
    pool: 'forks',
    reporters: ['default'],
    projects: [
      // Unit tests need no server: `npx vitest run --project unit` gives feedback in seconds.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'examples/**/*.test.ts'],
          // One real Temporal dev server for the whole run; nothing in the suite mocks Temporal.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
