import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/project/load-project.ts';
import { createClient } from '../../../src/temporal/connection.ts';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import { startWardenWorkers, type WardenWorkers } from '../../../src/workers/warden-workers.ts';
import { spawnWarden, waitForOutput } from '../../support/cli-process.ts';
import { TEST_KEY_CONFIG } from '../../support/keys.ts';
import { testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { guardTestConfig, TEST_SECRET, type ToolPlanWorkflow } from '../guard/harness.ts';

const PROJECT = path.resolve(import.meta.dirname, 'fixtures/hang-project');
const TOOL_HEARTBEAT_TIMEOUT_MS = 15_000;

/**
 * A tool worker in a process of its own (`warden worker --zone effects`) runs a tool that writes a
 * refund to the demo's SQLite CRM and then hangs. The test reads the file itself, kills the worker
 * with SIGKILL once the refund is there (the activity never completed), and starts another worker.
 */
describe('kill -9 of a tool worker after its effect, before the activity completed', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-kill-worker-'));
  const recorderFile = path.join(dataDir, 'support-copilot.sqlite');
  const taskQueue = uniqueTaskQueue('effects');
  const { address, namespace } = testServer();
  const env = {
    ...process.env,
    ...TEST_KEY_CONFIG,
    WARDEN_CONFIG: PROJECT,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    WARDEN_TASK_QUEUE: taskQueue,
    WARDEN_DATA_DIR: dataDir,
    WARDEN_APPROVAL_SECRET: TEST_SECRET,
    WARDEN_MODE: 'development',
  };
  const children: ChildProcessWithoutNullStreams[] = [];
  let workers: WardenWorkers;
  let client: Client;
  let recorder: DatabaseSync;

  const startToolWorker = () => {
    const child = spawnWarden(['worker', '--zone', 'effects'], env);
    children.push(child);
    return child;
  };
  const refundRows = (key: string) =>
    recorder.prepare('SELECT * FROM refunds WHERE idempotency_key = ?').all(key) as Array<{ seq: number }>;
  const balance = (customerId: string) =>
    (recorder.prepare('SELECT balance FROM customers WHERE id = ?').get(customerId) as { balance: number })
      .balance;

  beforeAll(async () => {
    // The tool worker first: it makes the zone's key and the payload key the others then read.
    await waitForOutput(startToolWorker(), /Ctrl-C to stop/, 120_000);
    const project = await loadProject({ config: PROJECT });
    const config = guardTestConfig({
      WARDEN_DATA_DIR: dataDir,
      WARDEN_TASK_QUEUE: taskQueue,
      WARDEN_POLICY_DIR: project.policyDir,
    });
    // This process runs the workflows and the guard; only the child polls the `effects` zone.
    workers = await startWardenWorkers({
      config,
      endpoint: { address, namespace },
      project,
      only: { zones: [] },
    });
    client = createClient(
      await Connection.connect({ address }),
      namespace,
      await wardenDataConverter(config),
    );
    recorder = new DatabaseSync(recorderFile, { readOnly: true, timeout: 10_000 });
  }, 180_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGINT');
        await exited;
      }
    }
    recorder?.close();
    await workers?.shutdown();
    await client?.connection.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is retried on a new worker within seconds; the refund is recorded and credited once', async () => {
    const before = balance('c-1001');
    const handle = (await client.workflow.start('toolPlanWorkflow', {
      taskQueue,
      workflowId: `kill-worker-${taskQueue}`,
      args: [
        {
          agent: 'ledger-bot',
          onBehalfOf: 'alice',
          purpose: 'goodwill refund',
          calls: [
            {
              tool: 'effects.refund_then_hang',
              callId: 'pay',
              arguments: { customerId: 'c-1001', amount: 25, reason: 'kill -9 test' },
            },
          ],
        },
      ],
    })) as WorkflowHandle<ToolPlanWorkflow>;
    const key = `${handle.workflowId}:pay`;

    const deadline = Date.now() + 60_000;
    while (refundRows(key).length === 0) {
      if (Date.now() > deadline) throw new Error('the tool never wrote its refund');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The effect happened and the activity is still running on the first worker.
    const { pendingActivities } = await handle.describe().then((d) => d.raw);
    expect(pendingActivities?.map((a) => [a.activityType?.name, a.attempt])).toEqual([
      ['guardedToolCall', 1],
    ]);

    const [first] = children;
    const killed = new Promise((resolve) => first?.once('close', resolve));
    const killedAt = Date.now();
    first?.kill('SIGKILL');
    await killed;
    startToolWorker();
    const { outcomes, records } = await handle.result();
    const recoveryMs = Date.now() - killedAt;
    console.log(
      `[effects] kill -9 to completed call: ${recoveryMs} ms (heartbeat timeout ${TOOL_HEARTBEAT_TIMEOUT_MS} ms, start-to-close 120000 ms)`,
    );

    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (unattended)' });
    // Attempt 1 wrote the refund and died; attempt 2 found it by the key and returned it.
    expect(records[0]?.attempts).toBe(2);
    const rows = refundRows(key);
    expect(rows).toHaveLength(1);
    expect(outcomes[0]?.output).toMatchObject({ id: `r-${rows[0]?.seq}`, idempotencyKey: key, amount: 25 });
    expect(balance('c-1001')).toBe(before + 25);
    // Retried after the heartbeat timeout, long before the 2-minute start-to-close would have.
    expect(recoveryMs).toBeGreaterThanOrEqual(TOOL_HEARTBEAT_TIMEOUT_MS - 3_000);
    expect(recoveryMs).toBeLessThan(60_000);
    // What the run scheduled: the tool's heartbeat timeout is part of the command.
    const { events } = await handle.fetchHistory();
    const scheduled = events?.flatMap((e) =>
      e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [],
    );
    expect(scheduled?.map((a) => [a.activityType?.name, optionalTsToMs(a.heartbeatTimeout)])).toEqual([
      ['guardedToolCall', TOOL_HEARTBEAT_TIMEOUT_MS],
    ]);
  }, 180_000);
});
