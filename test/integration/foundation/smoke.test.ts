import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeActivities } from '../../../src/activities/smoke.ts';
import { eventTypeNames } from '../../../src/temporal/history-summary.ts';
import type { RunningWorker } from '../../../src/workers/start-worker.ts';
import { confirmSmokeUpdate, smokeStateQuery } from '../../../src/workflows/smoke.ts';
import { testClient, testWorker, uniqueTaskQueue } from '../../support/temporal.ts';

describe('a workflow on the real Temporal server', () => {
  const taskQueue = uniqueTaskQueue('smoke');
  let client: Client;
  let worker: RunningWorker;

  beforeAll(async () => {
    client = await testClient();
    worker = await testWorker(taskQueue, smokeActivities);
  });
  afterAll(async () => {
    await worker?.shutdown();
    await client?.connection.close();
  });

  it('runs an activity, accepts a valid Update, rejects an invalid one before it enters history', async () => {
    const handle = await client.workflow.start('smokeWorkflow', {
      taskQueue,
      workflowId: `smoke-${Date.now()}`,
      args: ['warden'],
    });
    await expect(handle.executeUpdate(confirmSmokeUpdate, { args: [' '] })).rejects.toMatchObject({
      cause: { message: 'confirmation needs a name' },
    });
    const greeting = await handle.executeUpdate(confirmSmokeUpdate, { args: ['ops'] });
    expect(greeting).toBe('hello warden, from activity attempt 1');
    expect(await handle.result()).toBe('hello warden, from activity attempt 1 (confirmed by ops)');
    expect(await handle.query(smokeStateQuery)).toEqual({ greeting, confirmedBy: 'ops' });

    const history = await handle.fetchHistory();
    const types = eventTypeNames(history);
    expect(types.filter((t) => t === 'ACTIVITY_TASK_COMPLETED')).toHaveLength(1);
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(1);
    // The validator's rejection never reached the history.
    expect(types.some((t) => t.includes('UPDATE_REJECTED'))).toBe(false);
    expect(types.at(-1)).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });
});
