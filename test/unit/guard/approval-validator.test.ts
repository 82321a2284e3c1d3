import { describe, expect, it } from 'vitest';
import { signApproval } from '../../../src/approvals/sign-approval.ts';
import type { ApprovalSubmission } from '../../../src/guard/types.ts';
import { approvalProblem, type PendingState } from '../../../src/workflows/guard/approval-validator.ts';
import { PRIMARY_KEY, RETIRED_KEY, ROTATED_KEY } from '../../support/keys.ts';

const now = 1_800_000_000_000;
const identity = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };
const keyRing = (...keys: (typeof PRIMARY_KEY)[]) =>
  Object.fromEntries(keys.map((k) => [k.signer.keyId, k.signer.publicKey]));
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
  approvalKeys: keyRing(PRIMARY_KEY, ROTATED_KEY),
};
const run = { workflowId: 'wf', runId: 'run', usedNonces: new Set<string>() };
const fields = {
  workflowId: 'wf',
  runId: 'run',
  callId: 'c1',
  digest: pending.digest,
  approver: 'bob',
  authentication: 'token' as const,
  decision: 'approve' as const,
  issuedAt: now,
  expiresAt: now + 600_000,
};
const good = signApproval(PRIMARY_KEY.signer, fields);
/** Re-signed with the primary key: each problem below is one the approval service could sign. */
const signed = (change: Partial<ApprovalSubmission>, key = PRIMARY_KEY) =>
  signApproval(key.signer, { ...fields, ...change });
const problem = (
  s: ApprovalSubmission,
  p: PendingState | undefined = pending,
  at = now,
  r: typeof run = run,
) => approvalProblem(p, s, identity, at, r);

describe('approval Update validator', () => {
  it('accepts a signed approval by an eligible approver, with either accepted key', () => {
    expect(problem(good)).toBeUndefined();
    expect(problem(signed({}, ROTATED_KEY))).toBeUndefined();
    expect(problem(signed({ decision: 'reject', reason: 'no' }))).toBeUndefined();
  });

  it('refuses forged approves and rejects: no signature, a bad one, an altered field, an unaccepted key', () => {
    expect(problem({ ...good, signature: 'f'.repeat(128) })).toMatch(/signature is not valid/);
    expect(problem({ ...good, signature: undefined as unknown as string })).toMatch(/needs a signature/);
    const reject = signed({ decision: 'reject' });
    expect(problem({ ...reject, reason: 'altered after signing' })).toMatch(/signature is not valid/);
    expect(problem({ ...good, decision: 'reject' })).toMatch(/signature is not valid/);
    expect(problem({ ...good, approver: 'carol' })).toMatch(/signature is not valid/);
    // Signed by a key the workers do not list, under its own id or under an accepted one.
    expect(problem(signed({}, RETIRED_KEY))).toMatch(/key test-2024, which this run's workers do not accept/);
    expect(problem({ ...signed({}, RETIRED_KEY), keyId: PRIMARY_KEY.signer.keyId })).toMatch(
      /signature is not valid/,
    );
    expect(problem(good, { ...pending, approvalKeys: undefined })).toMatch(
      /do not accept \(accepted: none\)/,
    );
  });

  it('refuses replays: another run, another call, a nonce already used', () => {
    expect(problem(good, pending, now, { ...run, runId: 'run-2' })).toMatch(
      /signed for run wf\/run, not this one/,
    );
    expect(problem({ ...good, callId: 'c2' }, { ...pending, callId: 'c2' })).toMatch(
      /signature is not valid/,
    );
    expect(problem(good, pending, now, { ...run, usedNonces: new Set([good.nonce]) })).toMatch(
      /already used/,
    );
  });

  it('refuses each way a signed approval can still be wrong', () => {
    expect(problem(signed({ approver: 'mallory' }))).toMatch(/may not approve/);
    expect(problem(signed({ approver: 'alice' }))).toMatch(/requested this call/);
    expect(problem(signed({ approver: 'support-bot' }))).toMatch(/agent cannot approve/);
    expect(problem(signed({ digest: 'sha256:other' }))).toMatch(/digest does not match/);
    expect(problem(signed({ expiresAt: now }))).toMatch(/expired/);
    expect(problem(signed({ issuedAt: now + 3_600_000, expiresAt: now + 3_700_000 }))).toMatch(
      /impossible validity/,
    );
    expect(problem(signed({ expiresAt: now + 2 * 3_600_000 }))).toMatch(/too long/);
    expect(problem({ ...good, decision: 'maybe' as 'approve' })).toMatch(/decision/);
    expect(problem({ ...good, authentication: 'said-so' as 'token' })).toMatch(/authenticated/);
    expect(problem({ ...good, nonce: 'x' })).toMatch(/nonce/);
    expect(approvalProblem(undefined, good, identity, now, run)).toMatch(/no call c1 is waiting/);
    expect(problem(good, { ...pending, decision: 'approved' })).toMatch(/no call c1 is waiting/);
    expect(problem(good, pending, pending.expiresAt + 1)).toMatch(/no call c1 is waiting/);
    expect(problem(good, { ...pending, submissions: [good] })).toMatch(/already decided/);
    expect(problem(null as unknown as ApprovalSubmission)).toMatch(/object/);
  });
});
