import type { OsoValue } from '../../authz/types.ts';
import type { ApprovalSubmission, PendingApproval } from '../../guard/types.ts';

/** An approval may not be valid for longer than this, nor be issued further ahead than the skew. */
export const MAX_APPROVAL_LIFETIME_MS = 60 * 60_000;
export const CLOCK_SKEW_MS = 2 * 60_000;

const HEX_MAC = /^[0-9a-f]{64}$/;

export interface PendingState extends PendingApproval {
  submissions: ApprovalSubmission[];
  decision?: 'approved' | 'rejected';
}

/**
 * Why an approval Update must be refused, or undefined. Runs in the Update validator: synchronous,
 * no I/O, so everything it needs (digest, eligible approvers) was prepared when the call became
 * pending. The attestation's signature is verified by the execute step, which holds the secret.
 */
export function approvalProblem(
  pending: PendingState | undefined,
  submission: ApprovalSubmission,
  identity: { agent: OsoValue; onBehalfOf: OsoValue },
  now: number,
): string | undefined {
  const s = submission as Partial<ApprovalSubmission> | undefined;
  if (typeof s !== 'object' || s === null) return 'an approval must be an object';
  if (typeof s.callId !== 'string' || s.callId === '') return 'an approval names the call id it decides';
  if (typeof s.approver !== 'string' || s.approver.trim() === '') return 'an approval names its approver';
  if (s.authentication !== 'token' && s.authentication !== 'unauthenticated-dev') {
    return 'an approval states how its approver was authenticated';
  }
  if (s.decision !== 'approve' && s.decision !== 'reject') return "decision must be 'approve' or 'reject'";
  if (typeof s.digest !== 'string') return 'an approval carries the digest of the call';
  if (typeof s.issuedAt !== 'number' || typeof s.expiresAt !== 'number')
    return 'an approval carries issuedAt and expiresAt';
  if (typeof s.attestation !== 'string' || !HEX_MAC.test(s.attestation))
    return 'an approval needs an attestation from the approval service';
  if (s.reason !== undefined && (typeof s.reason !== 'string' || s.reason.length > 1000))
    return 'reason must be text of at most 1000 characters';
  if (!pending || pending.decision !== undefined || now > pending.expiresAt) {
    return `no call ${s.callId} is waiting for approval (unknown, already decided, or timed out)`;
  }
  if (s.digest !== pending.digest) return `digest does not match pending call ${s.callId}`;
  if (pending.approvalKeyId !== undefined && s.keyId !== pending.approvalKeyId) {
    return `the approval is signed with key ${s.keyId ?? '(none)'} but this run's workers verify key ${pending.approvalKeyId}: give the approval service the workers' WARDEN_APPROVAL_SECRET`;
  }
  if (s.approver === identity.onBehalfOf.id) return `${s.approver} requested this call and cannot approve it`;
  if (s.approver === identity.agent.id) return 'the agent cannot approve its own call';
  if (!pending.eligibleApprovers.includes(s.approver)) {
    return `${s.approver} may not approve ${pending.tool} (eligible: ${pending.eligibleApprovers.join(', ') || 'none'})`;
  }
  if (pending.submissions.some((p) => p.approver === s.approver))
    return `${s.approver} already decided on call ${s.callId}`;
  if (s.expiresAt <= now) return 'the approval has expired';
  if (s.issuedAt > now + CLOCK_SKEW_MS || s.expiresAt <= s.issuedAt)
    return 'the approval has an impossible validity period';
  if (s.expiresAt - s.issuedAt > MAX_APPROVAL_LIFETIME_MS) return 'the approval is valid for too long';
  return undefined;
}
