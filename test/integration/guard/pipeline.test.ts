import { describe, expect, it } from 'vitest';
import { eventTypeNames } from '../../../src/temporal/history-summary.ts';
import { decisionRecordsQuery } from '../../../src/workflows/guard/definitions.ts';
import { startPlan, useGuardWorkers } from './harness.ts';

describe('guard pipeline: validate, authorize, intent, execute', () => {
  const fixture = useGuardWorkers('guard-pipeline');
  const { taskQueue } = fixture;

  it('executes an allowed call exactly once and records the decision', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [
        { tool: 'ticket.get', arguments: '{"ticketId":"t-501"}', callId: 'read' },
        {
          tool: 'crm.issue_refund',
          arguments: { customerId: 'c-1001', amount: 80, currency: 'EUR', reason: 'duplicate charge' },
          callId: 'refund',
        },
      ],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'executed']);
    expect(outcomes[0]?.output).toMatchObject({ id: 't-501', assignee: 'alice' });
    expect(crm.refunds.length - before).toBe(1);
    expect(crm.refunds.at(-1)).toMatchObject({ amount: 80, idempotencyKey: `${handle.workflowId}:refund` });

    const refund = records.find((r) => r.callId === 'refund');
    expect(refund).toMatchObject({
      tool: 'crm.issue_refund',
      outcome: 'executed',
      validation: { ok: true, errors: [] },
      authorization: { allowed: true, unattended: true, engine: 'embedded' },
      intent: { verdict: 'allow' },
    });
    expect(refund?.argsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(refund?.authorization?.policyVersion).toBeTruthy();
    expect(refund?.approval).toBeUndefined();
    expect(await handle.query(decisionRecordsQuery)).toEqual(records);

    const types = eventTypeNames(await handle.fetchHistory());
    // Two calls, each one activity on the tool worker (authorize, intent, execute); the zones' public
    // keys come once per run from a local activity, a marker.
    expect(types.filter((t) => t === 'ACTIVITY_TASK_COMPLETED')).toHaveLength(2);
    expect(types.filter((t) => t === 'MARKER_RECORDED').length).toBeGreaterThanOrEqual(1);
  });

  it('never executes a call the policy denies, and says why', async () => {
    const crm = fixture.workers.deps.services.crm;
    const effects = crm.sideEffects;
    const customers = crm.allCustomers().length;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [{ tool: 'crm.delete_customer', arguments: { customerId: 'c-1002' }, callId: 'delete' }],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'denied', callId: 'delete' });
    expect(outcomes[0]?.reason).toMatch(
      /denied: no rule in policy .* grants Agent:support-bot acting for User:alice invoke Tool:crm.delete_customer/,
    );
    expect(records[0]?.authorization).toMatchObject({ allowed: false });
    expect(records[0]?.intent).toBeUndefined();
    expect(crm.sideEffects).toBe(effects);
    expect(crm.allCustomers()).toHaveLength(customers);

    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(scheduled).toEqual(['guardedToolCall']);
  });

  it('refuses unknown tools, bad JSON, truncated JSON, schema violations and oversized arguments without executing', async () => {
    const effects = fixture.workers.deps.services.crm.sideEffects;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [
        { tool: 'crm.drop_database', arguments: '{}' },
        { tool: 'crm.issue_refund', arguments: '{"customerId":"c-1001","amount":80,"curr' },
        { tool: 'crm.issue_refund', arguments: 'not json' },
        {
          tool: 'crm.issue_refund',
          arguments: { customerId: 'c-1001', amount: -5, currency: 'EUR', reason: 'x' },
        },
        {
          tool: 'crm.issue_refund',
          arguments: { customerId: 'c-1001', amount: 5, currency: 'EUR', reason: 'ok!', admin: true },
        },
        { tool: 'ticket.reply', arguments: JSON.stringify({ ticketId: 't-501', body: 'x'.repeat(40_000) }) },
      ],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('invalid'));
    expect(outcomes[0]?.reason).toContain('unknown tool "crm.drop_database"');
    expect(outcomes[1]?.reason).toContain('not valid JSON (truncated?)');
    expect(outcomes[2]?.reason).toContain('not valid JSON');
    expect(outcomes[3]?.reason).toMatch(/amount: .*(greater|>)/i);
    expect(outcomes[4]?.reason).toMatch(/admin/);
    expect(outcomes[5]?.reason).toMatch(/bytes, more than 32768/);
    expect(records.every((r) => r.validation.ok === false && r.validation.errors.length > 0)).toBe(true);
    expect(fixture.workers.deps.services.crm.sideEffects).toBe(effects);
    const types = eventTypeNames(await handle.fetchHistory());
    expect(types.some((t) => t.startsWith('ACTIVITY'))).toBe(false);
  });

  it('denies on intent: a call outside the purpose, an amount above the tool limit', async () => {
    const effects = fixture.workers.deps.services.crm.sideEffects;
    const handle = await startPlan(fixture.client, taskQueue, {
      purposeScope: { categories: ['ticket'] },
      calls: [
        { tool: 'crm.get_customer', arguments: { customerId: 'c-1001' }, callId: 'off-purpose' },
        { tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'on-purpose' },
      ],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['denied', 'executed']);
    expect(outcomes[0]?.reason).toMatch(/outside the agent's declared purpose/);
    expect(records[0]?.intent?.findings).toContainEqual(
      expect.objectContaining({ rule: 'purpose', verdict: 'deny' }),
    );

    const big = await startPlan(fixture.client, taskQueue, {
      calls: [
        {
          tool: 'crm.issue_refund',
          arguments: { customerId: 'c-1001', amount: 6000, currency: 'EUR', reason: 'too much' },
        },
      ],
    });
    const result = await big.result();
    expect(result.outcomes[0]).toMatchObject({ status: 'denied' });
    expect(result.outcomes[0]?.reason).toContain('amount 6000 exceeds the limit 5000');
    expect(fixture.workers.deps.services.crm.sideEffects).toBe(effects);
  });
});
