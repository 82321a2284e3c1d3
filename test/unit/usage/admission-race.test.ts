import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteUsageStore } from '../../../src/usage/sqlite-usage-store.ts';

const STORE = fileURLToPath(new URL('../../../src/usage/sqlite-usage-store.ts', import.meta.url));
const PROCESSES = 4;
const CALLS_EACH = 20;
const LIMIT = 30;
const HOUR = 3_600_000;

/**
 * One worker process: opens the deployment's usage file and, from the same moment as the others,
 * admits its calls (each its own run) under one per-window limit. Prints how many it admitted.
 */
const worker = (dataDir: string, name: string, startAt: number) => `
import { SqliteUsageStore } from ${JSON.stringify(STORE)};
const store = SqliteUsageStore.inDataDir(${JSON.stringify(dataDir)});
while (Date.now() < ${startAt}) await new Promise((resolve) => setTimeout(resolve, 5));
let admitted = 0;
for (let i = 0; i < ${CALLS_EACH}; i++) {
  const verdict = await store.admit(
    {
      run: { workflowId: ${JSON.stringify(name)} + '-' + i, runId: 'r1' },
      callId: 'c1',
      activityId: '1',
      digest: 'sha256:x',
      tool: 'crm.search_customers',
      hosts: [],
      windowKey: 'Agent:support-bot|User:alice|crm.search_customers',
      windowsMs: [${HOUR}],
      now: Date.now(),
    },
    (s) => ({ admit: (s.callsInWindow[${HOUR}] ?? 0) < ${LIMIT}, value: null }),
  );
  if (verdict.admit) admitted++;
}
store.close();
console.log(admitted);
`;

describe('admission under one limit, decided by several worker processes at once', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-usage-race-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`admits exactly ${LIMIT} of ${PROCESSES * CALLS_EACH} racing calls: no process sees a count without the others' places`, async () => {
    // Created before the processes start, so none of them races to create the schema.
    SqliteUsageStore.inDataDir(dataDir).close();
    const run = promisify(execFile);
    const startAt = Date.now() + 3_000;
    const outputs = await Promise.all(
      Array.from({ length: PROCESSES }, (_, p) =>
        run(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', worker(dataDir, `p${p}`, startAt)],
          {
            encoding: 'utf8',
            env: { ...process.env, NODE_OPTIONS: '' },
            timeout: 60_000,
          },
        ),
      ),
    );
    const admitted = outputs.map((o) => Number(o.stdout.trim()));
    expect(admitted.every((n) => Number.isInteger(n))).toBe(true);
    expect(admitted.reduce((a, b) => a + b, 0)).toBe(LIMIT);
    // The store holds the places of the admitted calls, no more.
    const store = SqliteUsageStore.inDataDir(dataDir);
    expect(
      await store.windowCount('Agent:support-bot|User:alice|crm.search_customers', HOUR, Date.now()),
    ).toBe(LIMIT);
    store.close();
  });
});
