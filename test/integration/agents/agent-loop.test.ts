import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { startAgentRun } from '../../../src/agents/start-run.ts';
import { fetchDecodedHistory } from '../../../src/audit/load-run.ts';
import type { AgentRunResult, TimelineEntry } from '../../../src/workflows/agent-run.ts';
import { GUARD_PATCHES } from '../../../src/workflows/guard/guard-patches.ts';
import { startScenario, useAgentWorkers } from './support/agent-workers.ts';
import { modelInvocations, toolResultsSent } from './support/history.ts';

function entries<K extends TimelineEntry['kind']>(result: AgentRunResult, kind: K) {
  return result.timeline.filter((e): e is Extract<TimelineEntry, { kind: K }> => e.kind === kind);
}

describe('the agent loop on the real Temporal server', () => {
  const fixture = useAgentWorkers('agents-loop');
  const { taskQueue } = fixture;

  it('runs the tool calls of one model turn together, and records them in the order the model asked', async () => {
    const handle = await startScenario(
      fixture.client,
      taskQueue,
      'refund-under-limit',
      'Please handle ticket t-501.',
    );
    const result = await handle.result();
    expect(result.status).toBe('completed');
    // Turn 3 asks for ticket.reply, then crm.update_ticket.
    expect(entries(result, 'tool').map((e) => e.outcome.tool)).toEqual([
      'ticket.get',
      'crm.issue_refund',
      'ticket.reply',
      'crm.update_ticket',
    ]);
    const events = (await fetchDecodedHistory(fixture.client, handle.workflowId)).events ?? [];
    const scheduled = new Map<string, number>();
    let firstCompletionAfterReply: number | undefined;
    events.forEach((event, index) => {
      const attributes = event.activityTaskScheduledEventAttributes;
      // The first guard step of a call: the tool worker's one activity deciding (and running) it.
      if (attributes?.activityType?.name !== 'guardedToolCall') return;
      const payload = attributes.input?.payloads?.[0];
      const tool = payload ? defaultPayloadConverter.fromPayload<{ tool: string }>(payload).tool : '';
      scheduled.set(tool, index);
    });
    const reply = scheduled.get('ticket.reply');
    const update = scheduled.get('crm.update_ticket');
    expect(reply).toBeDefined();
    expect(update).toBeDefined();
    for (let i = (reply ?? 0) + 1; i < events.length; i++) {
      if (events[i]?.activityTaskCompletedEventAttributes) {
        firstCompletionAfterReply = i;
        break;
      }
    }
    // Both calls were under way before either finished its first step.
    expect(update).toBeLessThan(firstCompletionAfterReply ?? 0);
    // The agent loop's patches (parallel calls among them) ride on the guard's one marker.
    const patches = events.flatMap((event) => {
      const marker = event.markerRecordedEventAttributes;
      const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
      return marker?.markerName === 'core_patch' && data
        ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id]
        : [];
    });
    expect(patches).toEqual([GUARD_PATCHES]);
  });

  it('malformed arguments and an unknown tool get clear errors in the next model input; nothing runs', async () => {
    const crm = fixture.workers.deps.services.crm;
    const balances = [crm.getCustomer('c-1001').balance, crm.getCustomer('c-1002').balance];
    const handle = await startScenario(
      fixture.client,
      taskQueue,
      'malformed-tool-calls',
      'Refund c-1001 and delete c-1002.',
    );
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.finalOutput).toBe('I could not make those calls; nothing was changed.');
    const [malformed, outOfSchema] = entries(result, 'tool').map((e) => e.outcome);
    expect(malformed).toMatchObject({ tool: 'crm.issue_refund', status: 'invalid' });
    expect(malformed?.reason).toContain('not valid JSON');
    expect(outOfSchema).toMatchObject({ tool: 'crm.issue_refund', status: 'invalid' });
    expect(outOfSchema?.reason).toMatch(/amount|currency|reason/);
    expect(entries(result, 'unknown_tool')).toEqual([
      expect.objectContaining({
        name: 'crm__delete_customer',
        message: expect.stringContaining('nothing was executed'),
      }),
    ]);

    // The second model call carried all three errors back to the model.
    const [, second] = await modelInvocations(fixture.client, handle.workflowId);
    const sent = [...toolResultsSent(second!).values()];
    expect(sent).toHaveLength(3);
    expect(sent.filter((text) => text.includes('"status":"invalid"'))).toHaveLength(2);
    expect(sent.some((text) => text.includes('crm__delete_customer does not exist'))).toBe(true);

    // Nothing executed: same balances, the customer is still there.
    expect([crm.getCustomer('c-1001').balance, crm.getCustomer('c-1002').balance]).toEqual(balances);
  });

  it('continues as new with the serialized run state and still finishes the conversation', async () => {
    const handle = await startScenario(
      fixture.client,
      taskQueue,
      'long-conversation',
      'Summarize tickets t-501 and t-503.',
      {
        limits: { turnsPerRun: 2 },
      },
    );
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', turns: 4, executions: 2 });
    expect(result.finalOutput).toContain("Both tickets are Dana's");
    expect(entries(result, 'continued')).toHaveLength(1);
    expect(entries(result, 'tool').map((e) => e.outcome.status)).toEqual([
      'executed',
      'executed',
      'executed',
    ]);
    const first = await fixture.client.workflow
      .getHandle(handle.workflowId, handle.firstExecutionRunId)
      .describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    // The continued execution resumed at turn 3: its first model call says so.
    const resumed = await modelInvocations(fixture.client, handle.workflowId);
    expect(resumed.map((i) => i.turn)).toEqual([3, 4]);
  });

  it('stops at the turn limit and at the token budget, ending cleanly', async () => {
    const turns = await (
      await startScenario(fixture.client, taskQueue, 'long-conversation', 'Summarize.', {
        limits: { maxTurns: 2 },
      })
    ).result();
    expect(turns).toMatchObject({ status: 'max_turns', turns: 2 });
    expect(turns.reason).toContain('limit of 2 model turns');

    const tokens = await (
      await startScenario(fixture.client, taskQueue, 'long-conversation', 'Summarize.', {
        limits: { maxTokens: 100 },
      })
    ).result();
    expect(tokens.status).toBe('token_budget');
    expect(tokens.turns).toBeLessThan(4);
    expect(tokens.tokens).toBeGreaterThanOrEqual(100);
  });

  it('offers a handoff only when the policy allows it (bob uses no refunds: refused for him)', async () => {
    const result = await (
      await startAgentRun(fixture.client, {
        agent: 'support-copilot',
        onBehalfOf: 'bob',
        input: 'Ticket t-501 is a billing dispute.',
        scenario: 'handoff-to-billing',
        taskQueue,
      })
    ).result();
    expect(entries(result, 'handoff')).toEqual([
      expect.objectContaining({ from: 'support-copilot', to: 'billing-specialist', allowed: false }),
    ]);
    // The model's transfer call found no such tool; the copilot kept the conversation and its identity.
    expect(entries(result, 'unknown_tool')).toEqual([
      expect.objectContaining({ name: 'transfer_to_billing_specialist' }),
    ]);
    expect(result.finalAgent).toBe('support-copilot');
    expect(entries(result, 'tool')).toEqual([
      expect.objectContaining({
        agent: 'support-copilot',
        outcome: expect.objectContaining({ status: 'executed' }),
      }),
    ]);
  });
});
