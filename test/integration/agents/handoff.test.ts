import { describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { submitApproval } from '../../../src/approvals/submit-approval.ts';
import { loadRun } from '../../../src/audit/load-run.ts';
import { buildTimeline } from '../../../src/audit/timeline.ts';
import type { DecisionRecord } from '../../../src/guard/types.ts';
import type { AgentRunResult, TimelineEntry } from '../../../src/workflows/agent-run.ts';
import { decisionRecordsQuery } from '../../../src/workflows/guard/definitions.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { waitForPending } from '../../support/waiting.ts';
import { startScenario, useAgentWorkers } from './support/agent-workers.ts';

const supportBot = { type: 'Agent', id: 'support-bot' };
const billingBot = { type: 'Agent', id: 'billing-bot' };

function toolEntries(result: AgentRunResult) {
  return result.timeline.filter((e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool');
}

function handoffs(result: AgentRunResult) {
  return result.timeline.filter((e) => e.kind === 'handoff');
}

/** Handoffs decided by the shipped policy (policies/): one run guard across the agents of a run. */
describe('handoffs, real policy, real Temporal server', () => {
  const fixture = useAgentWorkers('agents-handoff');
  const { taskQueue } = fixture;

  it('an allowed handoff switches the identity: the specialist calls tools as Agent:billing-bot', async () => {
    const result = await (
      await startScenario(
        fixture.client,
        taskQueue,
        'handoff-to-billing',
        'Ticket t-501 is a billing dispute.',
      )
    ).result();
    expect(result.status).toBe('completed');
    expect(result.finalAgent).toBe('billing-specialist');
    expect(handoffs(result)).toEqual([
      expect.objectContaining({ from: 'support-copilot', to: 'billing-specialist', allowed: true }),
    ]);
    const [call] = toolEntries(result);
    expect(call?.agent).toBe('billing-specialist');
    expect(call?.outcome).toMatchObject({ tool: 'ticket.get', status: 'executed' });
    expect(call?.decision?.agent).toEqual(billingBot);
  });

  it('the copilot hands a billing dispute to billing-bot, which refunds under its limit as itself', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.getCustomer('c-1001').balance;
    const handle = await startScenario(
      fixture.client,
      taskQueue,
      'handoff-billing-dispute',
      'Ticket t-501 is a billing dispute.',
    );
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(handoffs(result)).toEqual([
      expect.objectContaining({
        from: 'support-copilot',
        to: 'billing-specialist',
        allowed: true,
        reason: expect.stringContaining('Agent:support-bot acting for User:alice handoff Agent:billing-bot'),
      }),
    ]);
    const [read, refund] = toolEntries(result);
    expect(read).toMatchObject({ agent: 'support-copilot', outcome: { status: 'executed' } });
    expect(read?.decision?.agent).toEqual(supportBot);
    expect(refund).toMatchObject({
      agent: 'billing-specialist',
      outcome: { tool: 'crm.issue_refund', status: 'executed', reason: 'executed (unattended)' },
    });
    expect(refund?.decision?.agent).toEqual(billingBot);
    expect(crm.getCustomer('c-1001').balance).toBe(before + 80);

    // The one run guard kept both agents' records, the first agent's included.
    const records: DecisionRecord[] = await handle.query(decisionRecordsQuery);
    expect(records.map((r) => [r.tool, r.agent?.id, r.outcome])).toEqual([
      ['ticket.get', 'support-bot', 'executed'],
      ['crm.issue_refund', 'billing-bot', 'executed'],
    ]);

    // The audit attributes each decision to its call by call id: the refund was authorized for billing-bot.
    const timeline = buildTimeline(await loadRun(fixture.client, handle.workflowId), records);
    const refundCallId = refund?.outcome.callId;
    expect(timeline.filter((e) => e.kind === 'authz_decision' && e.callId === refundCallId)).toEqual([
      expect.objectContaining({ action: 'invoke', actor: 'Agent:billing-bot', allowed: true }),
      expect.objectContaining({ action: 'invoke_unattended', actor: 'Agent:billing-bot', allowed: true }),
    ]);

    // Temporal Web's one-line memo and agent attribute follow the run to its end.
    const described = await handle.describe();
    expect(described.memo?.summary).toBe(
      'Agent:billing-bot for User:alice: completed, 2 tool calls, 2 executed, last: crm.issue_refund',
    );
    expect(described.searchAttributes.WardenAgent).toEqual(['Agent:billing-bot']);
  });

  it('an approval raised after the handoff is pending in the run and approvable by call id', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.getCustomer('c-1001').balance;
    const handle = await startScenario(
      fixture.client,
      taskQueue,
      'handoff-refund-over-limit',
      'Please handle ticket t-503 for me.',
    );
    const pending = (await waitForPending(fixture.client.workflow.getHandle(handle.workflowId)))[0]!;
    expect(pending).toMatchObject({
      tool: 'crm.issue_refund',
      arguments: { amount: 250 },
      requester: { agent: billingBot, onBehalfOf: { type: 'User', id: 'alice' } },
    });
    expect(pending.eligibleApprovers).toContain('bob');
    const waiting = await handle.describe();
    expect(waiting.memo?.summary).toContain('awaiting_approval');

    const bob = new ApproverAuthenticator('development', undefined).authenticate({ as: 'User:bob' });
    await submitApproval(fixture.client, {
      workflowId: handle.workflowId,
      callId: pending.callId,
      approver: bob,
      decision: 'approve',
      signer: PRIMARY_KEY.signer,
      authorizer: fixture.workers.deps.authorizer,
      tools: fixture.workers.deps.tools,
      decisions: ringDecisionVerifier(fixture.workers.deps.zoneKeys, fixture.workers.deps.tools),
      mode: 'development',
    });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const refund = toolEntries(result).find((e) => e.outcome.tool === 'crm.issue_refund');
    expect(refund?.outcome).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    expect(crm.getCustomer('c-1001').balance).toBe(before + 250);
    const records: DecisionRecord[] = await handle.query(decisionRecordsQuery);
    expect(records.map((r) => [r.agent?.id, r.tool, r.outcome])).toEqual([
      ['support-bot', 'ticket.get', 'executed'],
      ['billing-bot', 'crm.issue_refund', 'executed'],
    ]);
  });
});
