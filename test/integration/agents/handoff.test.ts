import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuthzDecision, AuthzRequest } from '../../../authz/types.ts';
import type { TimelineEntry } from '../../../workflows/agent-run.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { type AgentWorkers, startAgentWorkers, startScenario } from './support/agent-workers.ts';

/** A PDP that allows every handoff: the demo policy has no handoff rule, so this test brings one. */
const handoffsAllowed = {
  async authorize(req: AuthzRequest): Promise<AuthzDecision> {
    return {
      allowed: req.action === 'handoff',
      action: req.action,
      actor: req.actor,
      resource: req.resource,
      context: [],
      engine: 'embedded',
      policyVersion: 'test-handoff-policy',
      factsVersion: 'none',
      durationMs: 0,
      reason: 'test policy: handoffs allowed',
    };
  },
};

const taskQueue = uniqueTaskQueue('agents-handoff');
let client: Client;
let workers: AgentWorkers;

beforeAll(async () => {
  client = await testClient();
  workers = await startAgentWorkers(taskQueue, { handoffAuthorizer: handoffsAllowed });
});
afterAll(async () => {
  await workers?.close();
  await client?.connection.close();
});

it('an allowed handoff switches the identity: the specialist calls tools as Agent:billing-bot', async () => {
  const result = await (
    await startScenario(client, taskQueue, 'handoff-to-billing', 'Ticket t-501 is a billing dispute.')
  ).result();
  expect(result.status).toBe('completed');
  expect(result.finalAgent).toBe('billing-specialist');
  expect(result.timeline.filter((e) => e.kind === 'handoff')).toEqual([
    expect.objectContaining({ from: 'support-copilot', to: 'billing-specialist', allowed: true }),
  ]);
  const [call] = result.timeline.filter(
    (e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool',
  );
  // billing-bot holds no role in the demo policy: the same read support-bot may do is denied for it.
  expect(call?.agent).toBe('billing-specialist');
  expect(call?.outcome.status).toBe('denied');
  expect(call?.decision?.authorization?.reason).toContain('Agent:billing-bot');
});
