import type { Ed25519Verifier } from './ed25519-verify.ts';
import { type PublicKeyRing, signatureValid } from './signatures.ts';
import type { ApprovalSubmission } from './types.ts';

export const APPROVAL_DOMAIN = 'warden-approval-v2';

/** Exactly what the approval service signs: every field of the submission except the signature. */
export function approvalSignedFields(s: Omit<ApprovalSubmission, 'signature'>): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    workflowId: s.workflowId,
    runId: s.runId,
    callId: s.callId,
    digest: s.digest,
    decision: s.decision,
    approver: s.approver,
    authentication: s.authentication,
    issuedAt: s.issuedAt,
    expiresAt: s.expiresAt,
    nonce: s.nonce,
    keyId: s.keyId,
  };
  if (s.reason !== undefined) fields.reason = s.reason;
  return fields;
}

/** Whether one of `keys` signed this exact decision. Sandbox-safe by default; never throws. */
export function approvalSignatureValid(
  keys: PublicKeyRing | undefined,
  s: ApprovalSubmission,
  verify?: Ed25519Verifier,
): boolean {
  if (typeof s !== 'object' || s === null) return false;
  return signatureValid(keys, s.keyId, APPROVAL_DOMAIN, approvalSignedFields(s), s.signature, verify);
}
