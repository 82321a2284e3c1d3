import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApprovalSubmission } from '../guard/types.ts';
import { canonicalJson } from './digest.ts';

/**
 * Attestations bind an approver's authenticated identity to one decision on one call. The approval
 * service (CLI, web page) signs after authenticating the approver; the execute step verifies before
 * a tool runs, so an Update sent by anyone else without the secret cannot approve anything.
 */
type Attested = Omit<ApprovalSubmission, 'attestation'> & { workflowId: string };

function mac(secret: string, domain: string, payload: unknown): string {
  return createHmac('sha256', secret)
    .update(`${domain}\n${canonicalJson(payload)}`)
    .digest('hex');
}

function attestedFields(workflowId: string, s: Omit<ApprovalSubmission, 'attestation'>): Attested {
  const fields: Attested = {
    workflowId,
    callId: s.callId,
    digest: s.digest,
    approver: s.approver,
    authentication: s.authentication,
    decision: s.decision,
    issuedAt: s.issuedAt,
    expiresAt: s.expiresAt,
  };
  if (s.reason !== undefined) fields.reason = s.reason;
  return fields;
}

export function attestApproval(
  secret: string,
  workflowId: string,
  submission: Omit<ApprovalSubmission, 'attestation'>,
): string {
  return mac(secret, 'warden-approval-v1', attestedFields(workflowId, submission));
}

export function verifyApproval(secret: string, workflowId: string, submission: ApprovalSubmission): boolean {
  return safeEqual(attestApproval(secret, workflowId, submission), submission.attestation);
}

/**
 * A non-secret name for the approval secret: the workers publish theirs with each pending call, so an
 * approval service holding a different secret is told so up front instead of having its approvals
 * fail at execution.
 */
export function approvalKeyId(secret: string): string {
  return mac(secret, 'warden-approval-key-id-v1', {}).slice(0, 16);
}

/** MAC over any plain-JSON record under its own domain (the guard grant uses it). */
export function signRecord(secret: string, domain: string, record: unknown): string {
  return mac(secret, domain, record);
}

export function safeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
