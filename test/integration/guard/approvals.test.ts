import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { listPendingApprovals } from '../../../src/approvals/list-pending.ts';
import { eventTypeNames } from '../../../src/temporal/history-summary.ts';
import { WARDEN_PENDING_APPROVALS, WARDEN_STATUS } from '../../../src/temporal/search-attributes.ts';
import { decideApprovalUpdate, pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { PRIMARY_KEY, RETIRED_KEY, ROTATED_KEY } from '../../support/keys.ts';
import { decide, signedDecision, startPlan, useGuardWorkers, waitForPending } from './harness.ts';

const refund = (amount: number, callId: string) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

/** The promise fails, with `message` in the error or in its cause (a validator's refusal). */
async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const { message: text, cause } = error as Error;
  expect(`${text} ${cause instanceof Error ? cause.message : ''}`).toMatch(message);
}

/** How many Updates the run's history accepted: a refused one leaves no event at all. */
async function acceptedUpdates(handle: WorkflowHandle): Promise<number> {
  const types = eventTypeNames(await handle.fetchHistory());
  expect(types.some((t) => t.includes('UPDATE_REJECTED'))).toBe(false);
  return types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED').length;
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
    // In words, not the PDP's rule text: who may use the tool, and the fact that asks for a person.
    expect(pending?.reasons).toContain(
      "policy: the policy lets support-bot, acting for alice, use crm.issue_refund only with a person's approval: no rule allows it unattended with refund amount 250",
    );
    expect(pending?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pending!.expiresAt).toBeGreaterThan(Date.now());
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(WARDEN_PENDING_APPROVALS)).toBe(1);
    expect(described.typedSearchAttributes.get(WARDEN_STATUS)).toBe('awaiting_approval');
    expect(crm.refunds.length).toBe(before);

    const result = await decide(fixture, handle, 'big-refund', 'bob', 'approve', {
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
    const result = await decide(fixture, handle, 'r', 'carol', 'reject', {
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
    await expect(decide(fixture, handle, 'esc', 'bob')).rejects.toThrow(
      /bob may not approve crm.issue_refund \(eligible: carol\)/,
    );
    await decide(fixture, handle, 'esc', 'carol');
    const { outcomes } = await handle.result();
    expect(outcomes[0]?.status).toBe('executed');
    expect(fixture.workers.deps.services.crm.refunds.length - before).toBe(1);
  });

  it('the approval service refuses what it must not sign: a non-approver, the requester, a call no longer waiting', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(505, 'svc')] });
    await waitForPending(handle);
    await refused(
      decide(fixture, handle, 'svc', 'mallory'),
      /mallory may not approve crm.issue_refund under the current policy .*the call stays open/,
    );
    await refused(decide(fixture, handle, 'svc', 'alice'), /alice requested this call and cannot approve it/);
    await refused(decide(fixture, handle, 'nope', 'bob'), /no call nope is waiting/);
    expect(await acceptedUpdates(handle)).toBe(0);
    await decide(fixture, handle, 'svc', 'carol', 'reject', { reason: 'test over' });
    expect((await handle.result()).outcomes[0]?.status).toBe('rejected');
    // After the run ended nothing accepts a decision either.
    await refused(decide(fixture, handle, 'svc', 'bob'), /no call svc is waiting|is not running/);
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
  });

  it('the validator refuses forged approves and forged rejects sent straight to Temporal: none enters history', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(4000, 'forged')] });
    const [pending] = await waitForPending(handle);
    // Everything a namespace client can read (digest, run id, accepted key ids) but not a private key.
    const forgeries = [
      { ...signedDecision(pending!, 'bob', 'approve'), signature: 'ab'.repeat(64) },
      { ...signedDecision(pending!, 'bob', 'reject', { reason: 'x' }), signature: 'ab'.repeat(64) },
      // Signed with the attacker's own key under an accepted key id.
      {
        ...signedDecision(pending!, 'bob', 'reject', {}, RETIRED_KEY.signer),
        keyId: PRIMARY_KEY.signer.keyId,
      },
      {
        ...signedDecision(pending!, 'bob', 'approve', {}, RETIRED_KEY.signer),
        keyId: PRIMARY_KEY.signer.keyId,
      },
      // A genuine signature on a reject, turned into an approve, and the other way round.
      { ...signedDecision(pending!, 'carol', 'reject'), decision: 'approve' as const },
      { ...signedDecision(pending!, 'carol', 'approve'), decision: 'reject' as const },
    ];
    for (const forged of forgeries) {
      await refused(
        handle.executeUpdate(decideApprovalUpdate, { args: [forged] }),
        /approval's signature is not valid for key test-2025/,
      );
    }
    await refused(
      handle.executeUpdate(decideApprovalUpdate, {
        args: [signedDecision(pending!, 'bob', 'reject', {}, RETIRED_KEY.signer)],
      }),
      /signed with key test-2024, which this run's workers do not accept \(accepted: test-2025, test-2026\)/,
    );
    expect(await acceptedUpdates(handle)).toBe(0);
    // The call is still open: no forged reject closed it, no forged approve counted.
    const [still] = await handle.query(pendingApprovalsQuery);
    expect(still).toMatchObject({ callId: 'forged', approvals: [] });
    await decide(fixture, handle, 'forged', 'carol', 'reject', { reason: 'not eligible' });
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: 'rejected by carol: not eligible' });
    expect(await acceptedUpdates(handle)).toBe(1);
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
  });

  it('the validator refuses signed approvals that are still wrong: agent, wrong digest, expired, ineligible', async () => {
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(500, 'guarded')] });
    const [pending] = await waitForPending(handle);
    const send = (submission: ReturnType<typeof signedDecision>) =>
      handle.executeUpdate(decideApprovalUpdate, { args: [submission] });
    await refused(send(signedDecision(pending!, 'support-bot')), /the agent cannot approve its own call/);
    await refused(send(signedDecision(pending!, 'alice')), /alice requested this call and cannot approve it/);
    await refused(
      send(signedDecision(pending!, 'mallory')),
      /mallory may not approve crm.issue_refund \(eligible: bob, carol\)/,
    );
    await refused(
      send(signedDecision(pending!, 'bob', 'approve', { digest: `sha256:${'0'.repeat(64)}` })),
      /digest does not match pending call guarded/,
    );
    const longAgo = Date.now() - 3_600_000;
    await refused(
      send(signedDecision(pending!, 'bob', 'approve', { issuedAt: longAgo, expiresAt: longAgo + 60_000 })),
      /the approval has expired/,
    );
    await refused(
      send(signedDecision(pending!, 'bob', 'approve', { runId: 'another-run' })),
      /signed for run .*\/another-run, not this one/,
    );
    expect(await acceptedUpdates(handle)).toBe(0);
    await decide(fixture, handle, 'guarded', 'carol', 'reject', { reason: 'test over' });
    await handle.result();
  });

  it("refuses replayed approvals: the same one twice, or one call's signature and digest on another call", async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      parallel: true,
      calls: [refund(150, 'first'), refund(350, 'second'), refund(360, 'third')],
    });
    const pending = await waitForPending(handle, 3);
    const byId = (id: string) => pending.find((p) => p.callId === id)!;
    const good = signedDecision(byId('first'), 'bob');
    await handle.executeUpdate(decideApprovalUpdate, { args: [good] });
    // Verbatim again: that call is decided; moved to another call: the signature covers the first.
    await refused(handle.executeUpdate(decideApprovalUpdate, { args: [good] }), /no call first is waiting/);
    await refused(
      handle.executeUpdate(decideApprovalUpdate, { args: [{ ...good, callId: 'second' }] }),
      /digest does not match pending call second/,
    );
    await refused(
      handle.executeUpdate(decideApprovalUpdate, {
        args: [{ ...good, callId: 'second', digest: byId('second').digest }],
      }),
      /signature is not valid/,
    );
    // A validly signed decision reusing a nonce the run has seen.
    await refused(
      handle.executeUpdate(decideApprovalUpdate, {
        args: [signedDecision(byId('second'), 'carol', 'approve', { nonce: good.nonce })],
      }),
      /this approval was already used/,
    );
    // The approval service never signs another call's digest: what it is shown must match what it signs.
    await refused(
      decide(fixture, handle, 'second', 'bob', 'approve', { shown: byId('first') }),
      /the call shown is not call second/,
    );
    expect(await acceptedUpdates(handle)).toBe(1);
    await decide(fixture, handle, 'second', 'carol', 'reject', { reason: 'duplicate' });
    await decide(fixture, handle, 'third', 'carol', 'reject', { reason: 'duplicate' });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => [o.callId, o.status])).toEqual([
      ['first', 'executed'],
      ['second', 'rejected'],
      ['third', 'rejected'],
    ]);
    expect(fixture.workers.deps.services.crm.refunds.slice(before).map((r) => r.amount)).toEqual([150]);
  });

  it('signs only what it shows: a pending view showing 5 EUR over the digest of 4,000 EUR is refused, unsigned', async () => {
    const before = fixture.workers.deps.services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(4000, 'big')] });
    const [pending] = await waitForPending(handle);
    const lying = { ...pending!, arguments: { ...(pending!.arguments as object), amount: 5 } };
    await refused(
      decide(fixture, handle, 'big', 'bob', 'approve', { shown: lying }),
      /what is shown for call big \(crm.issue_refund 1 with these arguments\) is not what the run asks to sign: not signed/,
    );
    // A view that names another tool version or policy version is refused the same way.
    await refused(
      decide(fixture, handle, 'big', 'bob', 'approve', { shown: { ...pending!, policyVersion: 'other' } }),
      /is not what the run asks to sign/,
    );
    expect(await acceptedUpdates(handle)).toBe(0);
    await decide(fixture, handle, 'big', 'carol', 'reject', { reason: 'too much' });
    expect((await handle.result()).outcomes[0]?.status).toBe('rejected');
    expect(fixture.workers.deps.services.crm.refunds.length).toBe(before);
  });

  it('key rotation: both listed key ids are accepted; the service with a removed key is told before sending', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, {
      parallel: true,
      calls: [refund(270, 'old-key'), refund(280, 'new-key'), refund(290, 'removed-key')],
    });
    const pending = await waitForPending(handle, 3);
    expect(Object.keys(pending[0]!.approvalKeys ?? {}).sort()).toEqual(['test-2025', 'test-2026']);
    await decide(fixture, handle, 'old-key', 'bob', 'approve', { signer: PRIMARY_KEY.signer });
    await decide(fixture, handle, 'new-key', 'bob', 'approve', { signer: ROTATED_KEY.signer });
    await refused(
      decide(fixture, handle, 'removed-key', 'bob', 'approve', { signer: RETIRED_KEY.signer }),
      /signs with key test-2024 but the run's workers accept test-2025, test-2026/,
    );
    expect(await acceptedUpdates(handle)).toBe(2);
    await decide(fixture, handle, 'removed-key', 'carol', 'reject', { reason: 'test over' });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => [o.callId, o.status])).toEqual([
      ['old-key', 'executed'],
      ['new-key', 'executed'],
      ['removed-key', 'rejected'],
    ]);
    expect(
      crm.refunds
        .slice(before)
        .map((r) => r.amount)
        .sort(),
    ).toEqual([270, 280]);
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
    await decide(fixture, handle, 'second', 'bob');
    expect((await handle.query(pendingApprovalsQuery)).map((p) => p.callId)).toEqual(['first']);
    await decide(fixture, handle, 'first', 'carol', 'reject', { reason: 'duplicate' });
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
      expect(await decide(fixture, handle, 'gdpr', 'bob')).toMatchObject({
        state: 'waiting',
        approvals: 1,
        quorum: 2,
      });
      await expect(decide(fixture, handle, 'gdpr', 'bob')).rejects.toThrow(
        /bob already decided on call gdpr/,
      );
      const [waiting] = await handle.query(pendingApprovalsQuery);
      expect(waiting?.approvals.map((a) => a.approver)).toEqual(['bob']);
      // The memo lists the approval so far too: what a page reads without querying the run.
      const [listed] = await listPendingApprovals(fixture.client, { workflowId: handle.workflowId });
      expect(listed).toEqual(waiting);
      expect(services.crm.allCustomers().some((c) => c.id === 'c-1012')).toBe(true);
      expect(await decide(fixture, handle, 'gdpr', 'carol')).toMatchObject({
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

  it('an approver revoked while the call waits is refused at submit, and the call stays open for the others', async () => {
    const { authorizer, services } = fixture.workers.deps;
    const bobApproves = [
      'has_role',
      { type: 'User', id: 'bob' },
      'approver',
      { type: 'Toolset', id: 'refunds' },
    ] as const;
    const before = services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(270, 'revoked')] });
    const [pending] = await waitForPending(handle);
    // The snapshot taken at the pause still lists bob; the live policy no longer does.
    expect(pending?.eligibleApprovers).toEqual(['bob', 'carol']);
    await authorizer.deleteFacts([[...bobApproves]]);
    try {
      await refused(
        decide(fixture, handle, 'revoked', 'bob'),
        /bob may not approve crm.issue_refund under the current policy/,
      );
      await refused(
        decide(fixture, handle, 'revoked', 'bob', 'reject', { reason: 'spite' }),
        /may not approve/,
      );
      expect(await acceptedUpdates(handle)).toBe(0);
      const [open] = await handle.query(pendingApprovalsQuery);
      expect(open).toMatchObject({ callId: 'revoked', approvals: [] });
      expect(await decide(fixture, handle, 'revoked', 'carol')).toMatchObject({ state: 'approved' });
      const { outcomes } = await handle.result();
      expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by carol)' });
      expect(services.crm.refunds.length - before).toBe(1);
    } finally {
      await authorizer.insertFacts([[...bobApproves]]);
    }
  });

  it('takes the decision again at execution: an approval signed before the approver lost the right does not count', async () => {
    const { authorizer, services } = fixture.workers.deps;
    const bobApproves = [
      'has_role',
      { type: 'User', id: 'bob' },
      'approver',
      { type: 'Toolset', id: 'refunds' },
    ] as const;
    const before = services.crm.refunds.length;
    const handle = await startPlan(fixture.client, taskQueue, { calls: [refund(270, 'toctou')] });
    const [pending] = await waitForPending(handle);
    // Signed while bob could still approve (the service's live check passed), delivered after the revocation.
    const signedEarlier = signedDecision(pending!, 'bob');
    await authorizer.deleteFacts([[...bobApproves]]);
    try {
      await handle.executeUpdate(decideApprovalUpdate, { args: [signedEarlier] });
      const { outcomes } = await handle.result();
      expect(outcomes[0]?.status).toBe('denied');
      expect(outcomes[0]?.reason).toMatch(/bob: may no longer approve/);
      expect(services.crm.refunds.length).toBe(before);
    } finally {
      await authorizer.insertFacts([[...bobApproves]]);
    }
  });
});
