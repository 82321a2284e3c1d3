import { describe, expect, it } from 'vitest';
import { decide, startPlan, useGuardWorkers, waitForPending } from './harness.ts';

describe('guard durability', () => {
  const fixture = useGuardWorkers('guard-durability');
  const { taskQueue } = fixture;

  it('keeps a pending approval across a worker restart; the approval then completes the run', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [
        {
          tool: 'crm.issue_refund',
          callId: 'held',
          arguments: { customerId: 'c-1002', amount: 180, currency: 'USD', reason: 'outage credit' },
        },
      ],
    });
    const [pending] = await waitForPending(handle);
    await fixture.workers.stopWorkers();
    // No worker runs now: the call waits in Temporal, not in any process.
    await fixture.workers.restartWorkers();
    const started = Date.now();
    await decide(fixture, handle, 'held', 'bob', 'approve', { shown: pending! });
    const { outcomes } = await handle.result();
    console.log(`[guard] approval after worker restart completed the run in ${Date.now() - started} ms`);
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    expect(crm.refunds.length - before).toBe(1);
  });

  it('does not repeat a side effect when the tool activity crashes after writing and is retried', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = { refunds: crm.refunds.length, effects: crm.sideEffects };
    crm.injectCrashAfterWrite('issueRefund', 1);
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [
        {
          tool: 'crm.issue_refund',
          callId: 'crashy',
          arguments: { customerId: 'c-1001', amount: 40, currency: 'EUR', reason: 'late delivery' },
        },
      ],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]?.status).toBe('executed');
    // Attempt 1 wrote the refund and crashed; attempt 2 found it by the idempotency key.
    expect(records[0]?.attempts).toBe(2);
    expect(crm.refunds.length - before.refunds).toBe(1);
    expect(crm.sideEffects - before.effects).toBe(1);
    expect(crm.refunds.at(-1)?.idempotencyKey).toBe(`${handle.workflowId}:crashy`);
    expect(outcomes[0]?.output).toMatchObject({ id: crm.refunds.at(-1)?.id, amount: 40 });
  });
});
