import { describe, expect, it } from 'vitest';
import { ApprovalRefusedError } from '../../../src/approvals/submit-approval.ts';
import { decide, startPlan, useGuardWorkers, waitForPending } from './harness.ts';

const refund = (callId: string, amount: number) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

/**
 * The approval service reads no description of the run before it signs: the pending call names its
 * run, the zone's signature binds the decision to that run, and the Update is addressed to it. A
 * pending view handed back for another run, or for a run that is no longer running, is refused.
 */
describe('an approval goes to the run the signed decision names, and only while it runs', () => {
  const fixture = useGuardWorkers('guard-addressed-run');

  it('a pending view kept from a run that has finished is refused, nothing executes again', async () => {
    const crm = fixture.workers.deps.services.crm;
    const handle = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund('kept', 310)] });
    const [kept] = await waitForPending(handle);
    await decide(fixture, handle, 'kept', 'bob');
    expect((await handle.result()).outcomes[0]).toMatchObject({ status: 'executed' });
    const after = crm.refunds.length;
    // The same genuine view, signed again by another eligible approver: the run is gone.
    const again = decide(fixture, handle, 'kept', 'carol', 'approve', { shown: kept! });
    await expect(again).rejects.toBeInstanceOf(ApprovalRefusedError);
    await expect(again).rejects.toThrow(/is not running/);
    expect(crm.refunds.length).toBe(after);
  });

  it("a pending view edited to name another paused run's id verifies for neither: not signed, not sent", async () => {
    const first = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund('moved', 320)] });
    const second = await startPlan(fixture.client, fixture.taskQueue, { calls: [refund('moved', 330)] });
    const [shown] = await waitForPending(first);
    const [target] = await waitForPending(second);
    // The second run's call as it is shown, carrying the first run's signed answer.
    const edited = { ...target!, signedDecision: shown!.signedDecision };
    const refused = decide(fixture, second, 'moved', 'bob', 'approve', { shown: edited });
    await expect(refused).rejects.toThrow(/decision on call moved does not verify/);
    expect(await waitForPending(second)).toMatchObject([{ callId: 'moved', approvals: [] }]);
    await first.terminate('test done');
    await second.terminate('test done');
  });
});
