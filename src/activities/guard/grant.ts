import { safeEqual, signRecord } from '../../approvals/attestation.ts';
import type { GuardGrant } from '../../guard/types.ts';

const DOMAIN = 'warden-grant-v1';

type Unsigned = Omit<GuardGrant, 'mac'>;

function fields(g: Unsigned): Unsigned {
  return {
    workflowId: g.workflowId,
    runId: g.runId,
    callId: g.callId,
    tool: g.tool,
    agent: { type: g.agent.type, id: g.agent.id },
    onBehalfOf: { type: g.onBehalfOf.type, id: g.onBehalfOf.id },
    digest: g.digest,
    policyVersion: g.policyVersion,
    verdict: g.verdict,
    issuedAt: g.issuedAt,
    expiresAt: g.expiresAt,
  };
}

/** The guard's own signature that validation, authorization and intent passed for this exact call. */
export function signGrant(secret: string, grant: Unsigned): GuardGrant {
  const unsigned = fields(grant);
  return { ...unsigned, mac: signRecord(secret, DOMAIN, unsigned) };
}

export function grantIsAuthentic(secret: string, grant: GuardGrant): boolean {
  if (typeof grant?.mac !== 'string') return false;
  try {
    return safeEqual(signRecord(secret, DOMAIN, fields(grant)), grant.mac);
  } catch {
    return false;
  }
}
