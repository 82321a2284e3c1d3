import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgentRun } from '../../../src/agents/start-run.ts';
import type { TimelineEntry } from '../../../src/workflows/agent-run.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { type AgentWorkers, startAgentWorkers } from './support/agent-workers.ts';
import { type FakeResponsesServer, startFakeResponsesServer } from './support/fake-responses-server.ts';

// A model endpoint that answers with a call id no well-behaved model would send: over-long, with
// spaces and control characters (it ends up in idempotency keys and approval links).
const HOSTILE_CALL_ID = `call ${'x'.repeat(300)}\n`;

const taskQueue = uniqueTaskQueue('agents-hostile-model');
let client: Client;
let workers: AgentWorkers;
let fake: FakeResponsesServer;

beforeAll(async () => {
  fake = await startFakeResponsesServer(
    {
      name: 'crm__issue_refund',
      arguments: '{"customerId":"c-1001","amount":5e-324,"currency":"EUR","reason":"duplicate"}',
      callId: HOSTILE_CALL_ID,
    },
    'Done.',
  );
  client = await testClient();
  workers = await startAgentWorkers(taskQueue, {
    config: { WARDEN_MODEL: 'gpt-test', OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'sk-local-test' },
  });
});
afterAll(async () => {
  await workers?.close();
  await client?.connection.close();
  await fake?.close();
});

it('a model-chosen malformed call id is an invalid call on the record; the agent run completes', async () => {
  const refundsBefore = workers.deps.services.crm.refunds.length;
  const handle = await startAgentRun(client, {
    agent: 'support-copilot',
    onBehalfOf: 'alice',
    input: 'Refund c-1001.',
    taskQueue,
  });
  const result = await handle.result();
  expect(result.status).toBe('completed');
  const [call] = result.timeline.filter(
    (e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool',
  );
  expect(call?.outcome).toMatchObject({ tool: 'crm.issue_refund', status: 'invalid' });
  expect(call?.outcome.reason).toMatch(/the call id has 1 to 128 printable ASCII characters/);
  // The guard recorded the call under an id of its own, not the model's.
  expect(call?.outcome.callId).toMatch(/^call-\d+$/);
  expect(call?.decision?.validation.ok).toBe(false);
  expect(workers.deps.services.crm.refunds.length).toBe(refundsBefore);
  const history = await handle.fetchHistory();
  const activities = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter(Boolean);
  // Two model turns; no guard step ran for the malformed call.
  expect(activities.filter((a) => a === 'invokeModel')).toHaveLength(2);
  for (const step of ['authorizeToolCall', 'checkToolIntent', 'executeGuardedTool']) {
    expect(activities).not.toContain(step);
  }
});
