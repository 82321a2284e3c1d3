import { describe, expect, it } from 'vitest';
import { decideApprovalUpdate } from '../../../src/workflows/guard/definitions.ts';
import { RETIRED_KEY } from '../../support/keys.ts';
import { decide, signedDecision, startPlan, useGuardWorkers, waitForPending } from './harness.ts';

const refund = (callId: string, amount: number) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

/**
 * A bounded sticky cache evicts paused runs; an approval then reaches a run the worker rebuilds from
 * history. The run must decide exactly as a cached one: a forged approval is refused before it
 * enters history, a real one executes the call once.
 */
describe('approvals of runs evicted from a bounded sticky cache', () => {
  // Two workflow threads: a run rebuilt from history may land on another thread than it paused on.
  const fixture = useGuardWorkers('guard-evicted', { maxCachedWorkflows: 2, workflowThreads: 2 });
  const { taskQueue } = fixture;

  it('refuses a forged approval and executes a signed one, each on a run replayed from history', async () => {
    expect(fixture.workers.main.worker.options.maxCachedWorkflows).toBe(2);
    expect(fixture.workers.main.worker.options.workflowThreadPoolSize).toBe(2);
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handles = [];
    for (const [i, amount] of [210, 220, 230, 240].entries()) {
      const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(`evicted-${i}`, amount)] });
      await waitForPending(handle);
      handles.push(handle);
    }
    // Four paused runs, two cache slots: the first runs were evicted when the later ones paused.
    const second = handles[1];
    const [pending] = await waitForPending(second!);
    const forged = signedDecision(pending!, 'bob', 'approve', {}, RETIRED_KEY.signer);
    await expect(second!.executeUpdate(decideApprovalUpdate, { args: [forged] })).rejects.toMatchObject({
      cause: {
        message: expect.stringMatching(/signed with key test-2024, which this run's workers do not accept/),
      },
    });
    expect(crm.refunds.length).toBe(before);
    expect(await waitForPending(second!)).toHaveLength(1);

    for (const [i, handle] of handles.entries()) {
      await decide(fixture, handle!, `evicted-${i}`, 'bob');
      const { outcomes } = await handle!.result();
      expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    }
    expect(crm.refunds.length - before).toBe(4);
  });
});
