import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteUsageStore } from '../../../src/usage/sqlite-usage-store.ts';
import { raceProcesses, startingLine } from '../../support/racing-processes.ts';

const STORE = fileURLToPath(new URL('../../../src/usage/sqlite-usage-store.ts', import.meta.url));
const PROCESSES = 4;
const CALLS_EACH = 20;
const LIMIT = 30;
const HOUR = 3_600_000;

/**
 * One worker process: opens the deployment's usage file, says it is ready, and once every process
 * is, admits its calls (each its own run) under one per-window limit. Prints how many it admitted.
 */
const worker = (dataDir: string, name: string) => `
import { existsSync, writeFileSync } from 'node:fs';
import { SqliteUsageStore } from ${JSON.stringify(STORE)};
const store = SqliteUsageStore.inDataDir(${JSON.stringify(dataDir)});
${startingLine(dataDir, name)}
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
    const names = Array.from({ length: PROCESSES }, (_, p) => `p${p}`);
    // All start together, however long each took to load: the admissions race.
    const admitted = (await raceProcesses(dataDir, names, (name) => worker(dataDir, name))).map(Number);
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
