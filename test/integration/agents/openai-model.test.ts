import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgentRun } from '../../../src/agents/start-run.ts';
import type { TimelineEntry } from '../../../src/workflows/agent-run.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { type AgentWorkers, startAgentWorkers } from './support/agent-workers.ts';
import { type FakeResponsesServer, startFakeResponsesServer } from './support/fake-responses-server.ts';

const taskQueue = uniqueTaskQueue('agents-openai');
let client: Client;
let workers: AgentWorkers;
let fake: FakeResponsesServer;

beforeAll(async () => {
  fake = await startFakeResponsesServer(
    { name: 'ticket__get', arguments: '{"ticketId":"t-501"}' },
    'Ticket t-501 is a duplicate charge of 80 EUR.',
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

it('OpenAIResponsesModel drives a run: the tool call goes through the guard, its result back to the model', async () => {
  const handle = await startAgentRun(client, {
    agent: 'support-copilot',
    onBehalfOf: 'alice',
    input: 'What is ticket t-501 about?',
    taskQueue,
  });
  const result = await handle.result();
  expect(result).toMatchObject({
    status: 'completed',
    finalOutput: 'Ticket t-501 is a duplicate charge of 80 EUR.',
  });
  expect(result.tokens).toBe(120);
  const [call] = result.timeline.filter(
    (e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool',
  );
  expect(call?.outcome).toMatchObject({ tool: 'ticket.get', status: 'executed' });
  expect(call?.decision?.authorization?.allowed).toBe(true);

  expect(fake.requests).toHaveLength(2);
  const [first, second] = fake.requests;
  expect(first?.authorization).toBe('Bearer sk-local-test');
  expect(first?.body.model).toBe('gpt-test');
  expect(first?.body.instructions).toContain('support copilot');
  expect(first?.body.tools?.map((t) => t.name)).toEqual(
    expect.arrayContaining(['ticket__get', 'crm__issue_refund', 'crm__export_customers']),
  );
  const output = second?.body.input?.find((item) => item.type === 'function_call_output');
  expect(output?.call_id).toBe('call_fake_1');
  expect(JSON.stringify(output?.output)).toContain('executed');
});
