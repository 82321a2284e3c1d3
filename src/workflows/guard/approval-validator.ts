import type { OsoValue } from '../../authz/types.ts';
import { approvalSignatureValid } from '../../guard/approval-signature.ts';
import { acceptsKey } from '../../guard/signatures.ts';
import type { ApprovalSubmission, PendingApproval } from '../../guard/types.ts';

/** An approval may not be valid for longer than this, nor be issued further ahead than the skew. */
export const MAX_APPROVAL_LIFETIME_MS = 60 * 60_000;
export const CLOCK_SKEW_MS = 2 * 60_000;

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const AUTHENTICATIONS = new Set(['token', 'oidc', 'unauthenticated-dev']);

export interface PendingState extends PendingApproval {
  submissions: ApprovalSubmission[];
  decision?: 'approved' | 'rejected';
}

/** The run the validator guards: an approval must name it, and each nonce is accepted once. */
export interface ValidatedRun {
  workflowId: string;
  runId: string;
  usedNonces: ReadonlySet<string>;
}

/**
 * Why an approval Update must be refused, or undefined. Runs in the Update validator: synchronous,
 * no I/O, so what it needs (digest, eligible approvers, the workers' public keys) was prepared when
 * the call became pending. The Ed25519 signature is verified here, so a forged approve or reject
 * never enters history; the tool worker verifies it again with its own keys before anything runs.
 * The eligible list is the one taken at the pause: the approval service checks the live policy
 * before it signs, and the tool worker checks it again at execution.
 */
export function approvalProblem(
  pending: PendingState | undefined,
  submission: ApprovalSubmission,
  identity: { agent: OsoValue; onBehalfOf: OsoValue },
  now: number,
  run: ValidatedRun,
): string | undefined {
  const s = submission as Partial<ApprovalSubmission> | undefined;
  if (typeof s !== 'object' || s === null) return 'an approval must be an object';
  if (typeof s.callId !== 'string' || s.callId === '') return 'an approval names the call id it decides';
  if (typeof s.approver !== 'string' || s.approver.trim() === '') return 'an approval names its approver';
  if (typeof s.authentication !== 'string' || !AUTHENTICATIONS.has(s.authentication)) {
    return 'an approval states how its approver was authenticated';
  }
  if (s.decision !== 'approve' && s.decision !== 'reject') return "decision must be 'approve' or 'reject'";
  if (typeof s.digest !== 'string') return 'an approval carries the digest of the call';
  if (typeof s.issuedAt !== 'number' || typeof s.expiresAt !== 'number')
    return 'an approval carries issuedAt and expiresAt';
  if (typeof s.nonce !== 'string' || !NONCE.test(s.nonce)) return 'an approval carries a nonce';
  if (typeof s.keyId !== 'string' || typeof s.signature !== 'string')
    return 'an approval needs a signature from the approval service';
  if (s.reason !== undefined && (typeof s.reason !== 'string' || s.reason.length > 1000))
    return 'reason must be text of at most 1000 characters';
  if (s.workflowId !== run.workflowId || s.runId !== run.runId) {
    return `the approval was signed for run ${String(s.workflowId)}/${String(s.runId)}, not this one`;
  }
  if (!pending || pending.decision !== undefined || now > pending.expiresAt) {
    return `no call ${s.callId} is waiting for approval (unknown, already decided, or timed out)`;
  }
  if (s.digest !== pending.digest) return `digest does not match pending call ${s.callId}`;
  const keys = pending.approvalKeys;
  if (!acceptsKey(keys, s.keyId)) {
    const accepted = Object.keys(keys ?? {}).join(', ') || 'none';
    return `the approval is signed with key ${s.keyId}, which this run's workers do not accept (accepted: ${accepted}): give the approval service a key listed in the workers' WARDEN_APPROVAL_PUBLIC_KEYS`;
  }
  if (!approvalSignatureValid(keys, s as ApprovalSubmission)) {
    return `the approval's signature is not valid for key ${s.keyId}`;
  }
  if (run.usedNonces.has(s.nonce)) return 'this approval was already used (its nonce was seen before)';
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
