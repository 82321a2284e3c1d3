import { randomBytes } from 'node:crypto';
import { REQUESTER_DOMAIN, requesterSignedFields } from '../guard/requester-check.ts';
import type { RequesterAssertion } from '../guard/types.ts';
import { requestDigest } from '../provenance/request-digest.ts';
import type { ApproverIdentity } from './auth/approver-identity.ts';
import type { DecisionSigner } from './signing-keys.ts';

/** How long a run may keep acting for the user who started it. */
export const DEFAULT_REQUESTER_LIFETIME_MS = 24 * 60 * 60_000;

/**
 * The signed statement that `identity` (as authenticated by the starter) started run `workflowId`,
 * with the digest of the `request` text it started it with. The run carries it in its input; the
 * tool worker verifies it before each execution, and checks the request text against the digest.
 */
export function issueRequesterAssertion(
  signer: DecisionSigner,
  identity: ApproverIdentity,
  workflowId: string,
  options: { lifetimeMs?: number; now?: number; request?: string } = {},
): RequesterAssertion {
  const issuedAt = options.now ?? Date.now();
  const fields: Omit<RequesterAssertion, 'signature'> = {
    workflowId,
    user: { type: identity.user.type, id: identity.user.id },
    authentication: identity.authentication,
    issuedAt,
    expiresAt: issuedAt + (options.lifetimeMs ?? DEFAULT_REQUESTER_LIFETIME_MS),
    nonce: randomBytes(16).toString('hex'),
    keyId: signer.keyId,
    ...(options.request !== undefined ? { requestDigest: requestDigest(options.request) } : {}),
  };
  return { ...fields, signature: signer.sign(REQUESTER_DOMAIN, requesterSignedFields(fields)) };
}
