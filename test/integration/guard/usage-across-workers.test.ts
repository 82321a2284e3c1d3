import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { testClient, testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { type GuardWorkers, startGuardWorkers, startPlan, TEST_SECRET } from './harness.ts';

describe('per-window limits hold across runs and across worker processes', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-shared-usage-'));
  const here = uniqueTaskQueue('usage-here');
  const there = uniqueTaskQueue('usage-there');
  let client: Client;
  let workers: GuardWorkers;
  let other: ChildProcessWithoutNullStreams;

  beforeAll(async () => {
    client = await testClient();
    // This process serves one queue; a `warden worker` process serves another. One SQLite file.
    workers = await startGuardWorkers(here, { dataDir });
    const { address, namespace } = testServer();
    other = spawnWarden(['worker'], {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      WARDEN_TASK_QUEUE: there,
      WARDEN_DATA_DIR: dataDir,
      WARDEN_APPROVAL_SECRET: TEST_SECRET,
      WARDEN_MODE: 'development',
    });
    await waitForOutput(other, /Ctrl-C to stop/, 120_000);
  });
  afterAll(async () => {
    if (other && other.exitCode === null) {
      const exited = new Promise((resolve) => other.once('close', resolve));
      other.kill('SIGINT');
      await exited;
    }
    await workers?.close();
    await client?.connection.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('two reads an hour: the third and fourth runs are denied, whichever process decides them', async () => {
    const rules = [{ kind: 'max_calls_per_window' as const, limit: 2, windowSeconds: 3600 }];
    const read = { tool: 'ticket.get', callId: 'read', arguments: { ticketId: 't-501' } };
    const outcomes: string[] = [];
    const reasons: string[] = [];
    for (const queue of [here, there, here, there]) {
      const handle = await startPlan(client, queue, { onBehalfOf: 'bob', calls: [read], rules });
      const {
        outcomes: [outcome],
      } = await handle.result();
      outcomes.push(outcome?.status ?? 'none');
      reasons.push(outcome?.reason ?? '');
    }
    expect(outcomes).toEqual(['executed', 'executed', 'denied', 'denied']);
    expect(reasons[2]).toBe('intent denied: more than 2 calls of ticket.get within 3600 s');
    expect(reasons[3]).toBe(reasons[2]);
  });
});
