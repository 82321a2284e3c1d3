import { describe, expect, it } from 'vitest';
import { billingSpecialist, supportCopilot } from '../../../examples/support-copilot/agents.ts';
import { agentCatalog, defineAgent } from '../../../src/agents/define-agent.ts';
import { useRogueWorker } from './fixtures/rogue-worker.ts';
import { startPlan, useGuardWorkers } from './harness.ts';

/** The deployment's catalog: the copilot may issue two refunds an hour for a user, whatever a run says. */
const agents = agentCatalog([
  defineAgent({
    ...supportCopilot,
    intent: [{ kind: 'max_calls_per_window', limit: 2, windowSeconds: 3600, onExceed: 'deny' }],
  }),
  billingSpecialist,
]);

const refund = (callId: string) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount: 30, currency: 'EUR', reason: 'late delivery' },
});

describe('a hostile namespace client runs its own workflow against the guard activities', () => {
  const fixture = useGuardWorkers('guard-rogue', { agents });
  const runRogue = useRogueWorker(fixture);

  it("gets no grant past the agent's own rules with `rules: []` and zero usage, and executes nothing", async () => {
    const crm = fixture.workers.deps.services.crm;
    // Two refunds through Warden's own workflow fill the copilot's window for alice (one per run:
    // the refund tool escalates a second refund in the same run).
    for (const callId of ['r1', 'r2']) {
      const plan = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund(callId)] });
      expect((await plan.result()).outcomes.map((o) => o.status)).toEqual(['executed']);
    }
    const before = crm.refunds.length;

    const result = await runRogue({ ...refund('rogue-refund'), executions: 3 });
    expect(result.intent?.verdict.verdict).toBe('deny');
    expect(result.intent?.verdict.reasons).toEqual(['more than 2 calls of crm.issue_refund within 3600 s']);
    expect(result.intent?.grant).toBeUndefined();
    // Without a grant it tries a forged one: refused, three times.
    expect(result.executions).toHaveLength(3);
    for (const e of result.executions)
      expect(e).toMatchObject({ executed: false, detail: expect.stringMatching(/bad_grant/) });
    // The one-activity path decides from the worker's catalog too.
    expect(result.oneActivity).toEqual([
      { decision: 'denied', detail: 'intent denied: more than 2 calls of crm.issue_refund within 3600 s' },
      { decision: 'denied', detail: 'intent denied: more than 2 calls of crm.issue_refund within 3600 s' },
    ]);
    expect(crm.refunds.length).toBe(before);
  });

  it('executes a grant once: a second or third execution, or one from another workflow, is refused', async () => {
    const ticket = () => fixture.workers.deps.services.crm.getTicket('t-501');
    const replies = ticket().replies.length;
    const reply = {
      tool: 'ticket.reply',
      callId: 'rogue-reply',
      arguments: { ticketId: 't-501', body: 'hello' },
    };
    const first = await runRogue({ ...reply, executions: 3 });
    expect(first.intent?.verdict.verdict).toBe('allow');
    expect(first.intent?.grant).toBeDefined();
    expect(first.executions.map((e) => e.executed)).toEqual([true, false, false]);
    expect(first.executions[1]?.detail).toMatch(/refused \(already_executed\)/);
    expect(first.executions[2]?.detail).toMatch(/refused \(already_executed\)/);
    expect(first.oneActivity.map((a) => a.decision)).toEqual(['refused', 'refused']);
    expect(first.oneActivity[0]?.detail).toMatch(/already_executed/);
    expect(ticket().replies.length - replies).toBe(1);

    // The same grant, replayed by another workflow: bound to the first run, so refused.
    const replayed = await runRogue({
      ...reply,
      executions: 1,
      ...(first.intent?.grant ? { grant: first.intent.grant } : {}),
    });
    expect(replayed.executions).toEqual([
      { executed: false, detail: expect.stringMatching(/bad_grant.*issued for another call/) },
    ]);
  });
});
