import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
 * One worker process: opens the deployment's usage file, says it is ready, and once every process
 * is, admits its calls (each its own run) under one per-window limit. Prints how many it admitted.
 */
const worker = (dataDir: string, name: string) => `
import { existsSync, writeFileSync } from 'node:fs';
import { SqliteUsageStore } from ${JSON.stringify(STORE)};
const store = SqliteUsageStore.inDataDir(${JSON.stringify(dataDir)});
writeFileSync(${JSON.stringify(path.join(dataDir, `ready-${name}`))}, '');
while (!existsSync(${JSON.stringify(path.join(dataDir, 'go'))})) await new Promise((resolve) => setTimeout(resolve, 2));
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
    const names = Array.from({ length: PROCESSES }, (_, p) => `p${p}`);
    const running = Promise.all(
      names.map((name) =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', worker(dataDir, name)], {
          encoding: 'utf8',
          env: { ...process.env, NODE_OPTIONS: '' },
          timeout: 60_000,
        }),
      ),
    );
    // All start together, however long each took to load: the admissions race.
    while (!names.every((name) => existsSync(path.join(dataDir, `ready-${name}`))))
      await new Promise((resolve) => setTimeout(resolve, 10));
    writeFileSync(path.join(dataDir, 'go'), '');
    const outputs = await running;
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
