import { describe, expect, it } from 'vitest';
import { approvalKeyId, attestApproval } from '../../../src/approvals/attestation.ts';
import type { ApprovalSubmission } from '../../../src/guard/types.ts';
import { eventTypeNames } from '../../../src/temporal/history-summary.ts';
import { WARDEN_PENDING_APPROVALS, WARDEN_STATUS } from '../../../src/temporal/search-attributes.ts';
import { decideApprovalUpdate, pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { decide, startPlan, TEST_SECRET, useGuardWorkers, waitForPending } from './harness.ts';

const refund = (amount: number, callId: string) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

function signedApproval(
  workflowId: string,
  callId: string,
  approver: string,
  digest: string,
): ApprovalSubmission {
  const issuedAt = Date.now();
  const unsigned = {
    callId,
    digest,
    approver,
    authentication: 'token' as const,
    decision: 'approve' as const,
    issuedAt,
    expiresAt: issuedAt + 600_000,
  };
  return {
    ...unsigned,
    attestation: attestApproval(TEST_SECRET, workflowId, unsigned),
    keyId: approvalKeyId(TEST_SECRET),
  };
}

describe('guard approvals on a real Temporal server', () => {
  const fixture = useGuardWorkers('guard-approvals');
  const { taskQueue } = fixture;

  it('pauses a call that needs approval, shows it, and executes it once approved', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(250, 'big-refund')] });
    const [pending] = await waitForPending(handle);
    expect(pending).toMatchObject({
      workflowId: handle.workflowId,
      callId: 'big-refund',
      tool: 'crm.issue_refund',
      risk: 'high',
      arguments: { customerId: 'c-1001', amount: 250, currency: 'EUR' },
      requester: { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } },
      eligibleApprovers: ['bob', 'carol'],
      quorum: 1,
      stage: 1,
      approvals: [],
    });
    expect(pending?.reasons.join(' ')).toMatch(/approval needed/);
    expect(pending?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pending!.expiresAt).toBeGreaterThan(Date.now());
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(WARDEN_PENDING_APPROVALS)).toBe(1);
    expect(described.typedSearchAttributes.get(WARDEN_STATUS)).toBe('awaiting_approval');
    expect(crm.refunds.length).toBe(before);

    const result = await decide(fixture.client, handle, 'big-refund', 'bob', 'approve', {
      digest: pending!.digest,
      reason: 'checked the invoice',
    });
    expect(result).toEqual({ callId: 'big-refund', state: 'approved', approvals: 1, quorum: 1 });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob)' });
    expect(crm.refunds.length - before).toBe(1);
    expect(records[0]?.approval).toMatchObject({
      required: true,
      approvals: [
        { approver: 'bob', decision: 'approve', reason: 'checked the invoice', authentication: 'token' },
      ],
    });
    const after = await handle.describe();
    expect(after.typedSearchAttributes.get(WARDEN_PENDING_APPROVALS)).toBe(0);
    expect(after.typedSearchAttributes.get(WARDEN_STATUS)).toBe('completed');
  });

  it('does not execute a rejected call and records the reason', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(300, 'r')] });
    await waitForPending(handle);
    const result = await decide(fixture.client, handle, 'r', 'carol', 'reject', {
      reason: 'customer is not eligible',
    });
    expect(result.state).toBe('rejected');
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({
      status: 'rejected',
      reason: 'rejected by carol: customer is not eligible',
    });
    expect(records[0]).toMatchObject({
      outcome: 'rejected',
      approval: { approvals: [{ approver: 'carol', decision: 'reject' }] },
    });
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
  });

  it('fails closed when nobody approves in time, after escalating to the next group', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [refund(400, 'slow')],
      approvalTimeouts: { 'crm.issue_refund': '1 second' },
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]?.status).toBe('expired');
    expect(outcomes[0]?.reason).toMatch(
      /no approval within 1000 ms after 2 approval stages; not executed \(fail closed\)/,
    );
    // The escalation stage asked the tool's next group only.
    expect(records[0]?.approval).toMatchObject({ stage: 2, eligibleApprovers: ['carol'] });
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
    expect(eventTypeNames(await handle.fetchHistory()).filter((t) => t === 'TIMER_FIRED')).toHaveLength(2);
  });

  it('escalates to the next group on timeout, whose approval then executes the call', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [refund(120, 'esc')],
      approvalTimeouts: { 'crm.issue_refund': '2 seconds' },
    });
    const deadline = Date.now() + 20_000;
    let stage2 = (await waitForPending(handle))[0];
    while (stage2?.stage !== 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      stage2 = (await handle.query(pendingApprovalsQuery))[0];
    }
    expect(stage2).toMatchObject({ stage: 2, eligibleApprovers: ['carol'] });
    await expect(decide(fixture.client, handle, 'esc', 'bob')).rejects.toThrow(
      /bob may not approve crm.issue_refund \(eligible: carol\)/,
    );
    await decide(fixture.client, handle, 'esc', 'carol');
    const { outcomes } = await handle.result();
    expect(outcomes[0]?.status).toBe('executed');
    expect(fixture.workers.deps.services.crm.refunds.length - before).toBe(1);
  });

  it('rejects unauthorized, self, agent, wrong-digest, expired and reused approvals in the validator, leaving no trace in history', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [refund(500, 'guarded'), refund(510, 'next')],
    });
    const [pending] = await waitForPending(handle);
    const refused = async (promise: Promise<unknown>, message: RegExp) => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const { message: text, cause } = error as Error;
      expect(`${text} ${cause instanceof Error ? cause.message : ''}`).toMatch(message);
    };
    await refused(
      decide(fixture.client, handle, 'guarded', 'mallory'),
      /mallory may not approve crm.issue_refund \(eligible: bob, carol\)/,
    );
    await refused(
      decide(fixture.client, handle, 'guarded', 'alice'),
      /alice requested this call and cannot approve it/,
    );
    await refused(
      decide(fixture.client, handle, 'guarded', 'support-bot'),
      /the agent cannot approve its own call/,
    );
    await refused(
      decide(fixture.client, handle, 'guarded', 'bob', 'approve', { digest: `sha256:${'0'.repeat(64)}` }),
      /digest does not match pending call guarded/,
    );
    await refused(
      decide(fixture.client, handle, 'guarded', 'bob', 'approve', {
        now: () => Date.now() - 3_600_000,
        ttlMs: 60_000,
      }),
      /the approval has expired/,
    );
    await refused(
      decide(fixture.client, handle, 'nope', 'bob', 'approve', { digest: pending!.digest }),
      /no call nope is waiting/,
    );
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);

    // One good approval, kept to be replayed.
    const good = signedApproval(handle.workflowId, 'guarded', 'bob', pending!.digest);
    await handle.executeUpdate(decideApprovalUpdate, { args: [good] });
    const [next] = await waitForPending(handle);
    expect(next?.callId).toBe('next');
    // Replayed verbatim: the call it approved is no longer waiting.
    await refused(handle.executeUpdate(decideApprovalUpdate, { args: [good] }), /no call guarded is waiting/);
    // Moved to the next call: the digest (and the attestation) belong to the first one.
    await refused(
      handle.executeUpdate(decideApprovalUpdate, { args: [{ ...good, callId: 'next' }] }),
      /digest does not match pending call next/,
    );
    await decide(fixture.client, handle, 'next', 'carol', 'reject');
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'rejected']);

    const types = eventTypeNames(await handle.fetchHistory());
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(2);
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(2);
    expect(types.some((t) => t.includes('UPDATE_REJECTED'))).toBe(false);
    expect(fixture.workers.deps.services.crm.refunds.length - before).toBe(1);
    // After the run ended, nothing accepts it either.
    await refused(
      decide(fixture.client, handle, 'next', 'bob', 'approve', { digest: next!.digest }),
      /is not running/,
    );
  });

  it('refuses at execution an approval whose attestation was not signed by the approval service', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(260, 'forged')] });
    const [pending] = await waitForPending(handle);
    // Anyone with access to Temporal can send the Update and copy the public key id, but without the
    // secret the attestation fails at execution.
    const forger = 'not-the-approval-secret-0123456789abcdef';
    const issuedAt = Date.now();
    const unsigned = {
      callId: 'forged',
      digest: pending!.digest,
      approver: 'bob',
      authentication: 'token' as const,
      decision: 'approve' as const,
      issuedAt,
      expiresAt: issuedAt + 600_000,
    };
    await handle.executeUpdate(decideApprovalUpdate, {
      args: [
        {
          ...unsigned,
          attestation: attestApproval(forger, handle.workflowId, unsigned),
          keyId: pending!.approvalKeyId!,
        },
      ],
    });
    const { outcomes } = await handle.result();
    expect(outcomes[0]?.status).toBe('denied');
    expect(outcomes[0]?.reason).toMatch(
      /refused at execution: refused \(bad_approval\): 0 of 1 required approvals verified; bob: attestation invalid/,
    );
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
  });

  it('tells an approval service with another secret so before sending anything', async () => {
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(270, 'other-key')] });
    const [pending] = await waitForPending(handle);
    expect(pending?.approvalKeyId).toBe(approvalKeyId(TEST_SECRET));
    await expect(
      decide(fixture.client, handle, 'other-key', 'bob', 'approve', {
        secret: 'another-deployments-secret-0123456789',
      }),
    ).rejects.toThrow(
      /signs with key \w+ but the run's workers verify key \w+: use the workers' WARDEN_APPROVAL_SECRET/,
    );
    // A hand-made Update with a foreign key id is refused by the validator, before history.
    const issuedAt = Date.now();
    const foreign = {
      callId: 'other-key',
      digest: pending!.digest,
      approver: 'bob',
      authentication: 'token' as const,
      decision: 'approve' as const,
      issuedAt,
      expiresAt: issuedAt + 600_000,
      attestation: '0'.repeat(64),
      keyId: '0123456789abcdef',
    };
    await expect(handle.executeUpdate(decideApprovalUpdate, { args: [foreign] })).rejects.toMatchObject({
      cause: {
        message: expect.stringMatching(/signed with key 0123456789abcdef but this run's workers verify key/),
      },
    });
    await decide(fixture.client, handle, 'other-key', 'carol', 'reject', { reason: 'test over' });
    expect((await handle.result()).outcomes[0]?.status).toBe('rejected');
    const types = eventTypeNames(await handle.fetchHistory());
    expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(1);
  });

  it('approves two pending calls of one run independently, by call id', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      parallel: true,
      calls: [refund(150, 'first'), refund(350, 'second')],
    });
    const pending = await waitForPending(handle, 2);
    expect(pending.map((p) => p.callId).sort()).toEqual(['first', 'second']);
    expect(new Set(pending.map((p) => p.digest)).size).toBe(2);
    const first = pending.find((p) => p.callId === 'first')!;
    // The digest of one call never approves the other.
    await expect(
      decide(fixture.client, handle, 'second', 'bob', 'approve', { digest: first.digest }),
    ).rejects.toThrow(/digest does not match/);
    await decide(fixture.client, handle, 'second', 'bob');
    expect((await handle.query(pendingApprovalsQuery)).map((p) => p.callId)).toEqual(['first']);
    await decide(fixture.client, handle, 'first', 'carol', 'reject', { reason: 'duplicate' });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => [o.callId, o.status])).toEqual([
      ['first', 'rejected'],
      ['second', 'executed'],
    ]);
    expect(crm.refunds.slice(before).map((r) => r.amount)).toEqual([350]);
  });

  it('needs a quorum of distinct approvers for a critical tool', async () => {
    const { authorizer, services } = fixture.workers.deps;
    const grants = [
      ['has_role', { type: 'Agent', id: 'support-bot' }, 'user', { type: 'Toolset', id: 'crm-admin' }],
      ['has_role', { type: 'User', id: 'alice' }, 'user', { type: 'Toolset', id: 'crm-admin' }],
      ['has_role', { type: 'User', id: 'bob' }, 'approver', { type: 'Toolset', id: 'crm-admin' }],
    ] as const;
    await authorizer.insertFacts(grants.map((f) => [...f]));
    try {
      const handle = await startPlan(fixture.client, taskQueue, {
        calls: [{ tool: 'crm.delete_customer', arguments: { customerId: 'c-1012' }, callId: 'gdpr' }],
      });
      const [pending] = await waitForPending(handle);
      expect(pending).toMatchObject({ quorum: 2, eligibleApprovers: ['bob', 'carol'], risk: 'critical' });
      expect(await decide(fixture.client, handle, 'gdpr', 'bob')).toMatchObject({
        state: 'waiting',
        approvals: 1,
        quorum: 2,
      });
      await expect(decide(fixture.client, handle, 'gdpr', 'bob')).rejects.toThrow(
        /bob already decided on call gdpr/,
      );
      expect(services.crm.allCustomers().some((c) => c.id === 'c-1012')).toBe(true);
      expect(await decide(fixture.client, handle, 'gdpr', 'carol')).toMatchObject({
        state: 'approved',
        approvals: 2,
      });
      const { outcomes } = await handle.result();
      expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by bob, carol)' });
      expect(services.crm.allCustomers().some((c) => c.id === 'c-1012')).toBe(false);
    } finally {
      await authorizer.deleteFacts(grants.map((f) => [...f]));
    }
  });

  it('takes the decision again at execution: an approver who lost the right while the call waited does not count', async () => {
    const { authorizer, services } = fixture.workers.deps;
    const bobApproves = [
      'has_role',
      { type: 'User', id: 'bob' },
      'approver',
      { type: 'Toolset', id: 'refunds' },
    ] as const;
    const before = services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(270, 'toctou')] });
    await waitForPending(handle);
    await authorizer.deleteFacts([[...bobApproves]]);
    try {
      await decide(fixture.client, handle, 'toctou', 'bob');
      const { outcomes } = await handle.result();
      expect(outcomes[0]?.status).toBe('denied');
      expect(outcomes[0]?.reason).toMatch(/bob: may no longer approve/);
      expect(services.crm.refunds.length).toBe(before);
    } finally {
      await authorizer.insertFacts([[...bobApproves]]);
    }
  });
});
