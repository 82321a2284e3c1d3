import { randomBytes } from 'node:crypto';
import { APPROVAL_DOMAIN, approvalSignedFields } from '../guard/approval-signature.ts';
import type { ApprovalSubmission } from '../guard/types.ts';
import type { DecisionSigner } from './signing-keys.ts';

export type UnsignedApproval = Omit<ApprovalSubmission, 'signature' | 'keyId' | 'nonce'> & { nonce?: string };

/** Signs one decision (approve or reject) with a fresh nonce, unless the caller gives one. */
export function signApproval(signer: DecisionSigner, unsigned: UnsignedApproval): ApprovalSubmission {
  const fields: Omit<ApprovalSubmission, 'signature'> = {
    ...unsigned,
    nonce: unsigned.nonce ?? randomBytes(16).toString('hex'),
    keyId: signer.keyId,
  };
  return { ...fields, signature: signer.sign(APPROVAL_DOMAIN, approvalSignedFields(fields)) };
}
