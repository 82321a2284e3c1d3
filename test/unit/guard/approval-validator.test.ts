import { describe, expect, it } from 'vitest';
import type { ApprovalSubmission } from '../../../src/guard/types.ts';
import { approvalProblem, type PendingState } from '../../../src/workflows/guard/approval-validator.ts';

const now = 1_800_000_000_000;
const identity = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };
const pending: PendingState = {
  workflowId: 'wf',
  runId: 'run',
  callId: 'c1',
  tool: 'crm.issue_refund',
  toolVersion: '1',
  arguments: {},
  risk: 'high',
  reasons: [],
  requester: identity,
  purpose: 'p',
  requestedAt: new Date(now).toISOString(),
  expiresAt: now + 60_000,
  digest: `sha256:${'a'.repeat(64)}`,
  policyVersion: 'v1',
  eligibleApprovers: ['bob', 'carol'],
  quorum: 2,
  stage: 1,
  approvals: [],
  submissions: [],
};
const good: ApprovalSubmission = {
  callId: 'c1',
  digest: pending.digest,
  approver: 'bob',
  authentication: 'token',
  decision: 'approve',
  issuedAt: now,
  expiresAt: now + 600_000,
  attestation: 'b'.repeat(64),
};
const problem = (s: Partial<ApprovalSubmission>, p: PendingState | undefined = pending, at = now) =>
  approvalProblem(p, { ...good, ...s } as ApprovalSubmission, identity, at);

describe('approval Update validator', () => {
  it('accepts a well-formed approval by an eligible approver', () => {
    expect(problem({})).toBeUndefined();
  });

  it('refuses each way an approval can be wrong', () => {
    expect(problem({ approver: 'mallory' })).toMatch(/may not approve/);
    expect(problem({ approver: 'alice' })).toMatch(/requested this call/);
    expect(problem({ approver: 'support-bot' })).toMatch(/agent cannot approve/);
    expect(problem({ digest: 'sha256:other' })).toMatch(/digest does not match/);
    expect(problem({ expiresAt: now })).toMatch(/expired/);
    expect(problem({ issuedAt: now + 3_600_000, expiresAt: now + 3_700_000 })).toMatch(/impossible validity/);
    expect(problem({ expiresAt: now + 2 * 3_600_000 })).toMatch(/too long/);
    expect(problem({ attestation: 'not-hex' })).toMatch(/attestation/);
    expect(problem({ decision: 'maybe' as 'approve' })).toMatch(/decision/);
    expect(problem({ authentication: 'said-so' as 'token' })).toMatch(/authenticated/);
    expect(approvalProblem(undefined, good, identity, now)).toMatch(/no call c1 is waiting/);
    expect(problem({}, { ...pending, decision: 'approved' })).toMatch(/no call c1 is waiting/);
    expect(problem({}, pending, pending.expiresAt + 1)).toMatch(/no call c1 is waiting/);
    expect(problem({}, { ...pending, submissions: [good] })).toMatch(/already decided/);
    expect(approvalProblem(pending, null as unknown as ApprovalSubmission, identity, now)).toMatch(/object/);
  });
});
