import { type PublicKeyRing, signatureValid } from './signatures.ts';
import type { OsoValue, RequesterAssertion } from './types.ts';

export const REQUESTER_DOMAIN = 'warden-requester-v1';

export function requesterSignedFields(a: Omit<RequesterAssertion, 'signature'>): Record<string, unknown> {
  return {
    workflowId: a.workflowId,
    user: { type: a.user?.type, id: a.user?.id },
    authentication: a.authentication,
    issuedAt: a.issuedAt,
    expiresAt: a.expiresAt,
    nonce: a.nonce,
    keyId: a.keyId,
    // Signed when present; assertions issued before requests were digested verify as they were.
    ...(a.requestDigest !== undefined ? { requestDigest: a.requestDigest } : {}),
  };
}

export interface RequesterExpectation {
  workflowId: string;
  onBehalfOf: OsoValue;
  now: number;
  /** Production needs an assertion, made for a user who authenticated with a credential. */
  mode: 'development' | 'production';
}

/**
 * Why a run may not act for `onBehalfOf`, or undefined. Development accepts a run without an
 * assertion (the `--as` shortcut of tests and demos); an assertion that is present is always checked.
 */
export function requesterProblem(
  keys: PublicKeyRing | undefined,
  assertion: RequesterAssertion | undefined,
  expected: RequesterExpectation,
): string | undefined {
  const who = `${expected.onBehalfOf?.type}:${expected.onBehalfOf?.id}`;
  if (assertion === undefined || assertion === null) {
    return expected.mode === 'production'
      ? `the run carries no signed assertion that ${who} started it`
      : undefined;
  }
  if (typeof assertion !== 'object') return 'the requester assertion is malformed';
  if (
    !signatureValid(
      keys,
      assertion.keyId,
      REQUESTER_DOMAIN,
      requesterSignedFields(assertion),
      assertion.signature,
    )
  ) {
    return `the requester assertion is not signed by an accepted key (key ${String(assertion.keyId)})`;
  }
  if (assertion.workflowId !== expected.workflowId) {
    return `the requester assertion was issued for run ${assertion.workflowId}`;
  }
  if (assertion.user?.type !== expected.onBehalfOf?.type || assertion.user?.id !== expected.onBehalfOf?.id) {
    return `the run claims to act for ${who} but was started by ${assertion.user?.type}:${assertion.user?.id}`;
  }
  if (typeof assertion.expiresAt !== 'number' || assertion.expiresAt < expected.now) {
    return 'the requester assertion has expired';
  }
  if (expected.mode === 'production' && assertion.authentication === 'unauthenticated-dev') {
    return `${who} was not authenticated (development --as) and production needs a credential`;
  }
  return undefined;
}
