import { describe, expect, it } from 'vitest';
import { generateSigningKey, parsePublicKeys, parseSigningKey } from '../../../src/approvals/signing-keys.ts';
import {
  REQUESTER_DOMAIN,
  requesterProblem,
  requesterSignedFields,
} from '../../../src/guard/requester-check.ts';
import type { RequesterAssertion } from '../../../src/guard/types.ts';

describe('a requester assertion verified once, then presented again', () => {
  const pair = generateSigningKey('svc');
  const signer = parseSigningKey(pair.signingKey);
  const keys = parsePublicKeys(pair.publicKey);
  const unsigned = {
    workflowId: 'run-1',
    user: { type: 'User', id: 'alice' },
    authentication: 'token' as const,
    issuedAt: 1,
    expiresAt: Date.now() + 60_000,
    nonce: 'n-1',
    keyId: 'svc',
  };
  const assertion: RequesterAssertion = {
    ...unsigned,
    signature: signer.sign(REQUESTER_DOMAIN, requesterSignedFields(unsigned)),
  };
  const expected = {
    workflowId: 'run-1',
    onBehalfOf: { type: 'User', id: 'alice' },
    now: Date.now(),
    mode: 'production' as const,
  };

  it('is accepted every time, for the run and user it names', () => {
    for (let call = 0; call < 3; call++) expect(requesterProblem(keys, assertion, expected)).toBeUndefined();
  });

  it('its known-good signature on other fields is refused, even right after the genuine one passed', () => {
    expect(requesterProblem(keys, assertion, expected)).toBeUndefined();
    const forgeries: RequesterAssertion[] = [
      { ...assertion, user: { type: 'User', id: 'mallory' } },
      { ...assertion, workflowId: 'run-2' },
      { ...assertion, expiresAt: assertion.expiresAt + 1 },
      { ...assertion, authentication: 'oidc' },
    ];
    for (const forged of forgeries) {
      const claims = {
        ...expected,
        workflowId: forged.workflowId,
        onBehalfOf: forged.user,
      };
      expect(requesterProblem(keys, forged, claims)).toMatch(/not signed by an accepted key/);
    }
  });

  it('is refused once its key is no longer accepted, though it verified before', () => {
    expect(requesterProblem(keys, assertion, expected)).toBeUndefined();
    const rotated = parsePublicKeys(generateSigningKey('svc').publicKey);
    expect(requesterProblem(rotated, assertion, expected)).toMatch(/not signed by an accepted key/);
  });

  it('still expires: the check of the time is never skipped', () => {
    expect(requesterProblem(keys, assertion, expected)).toBeUndefined();
    expect(requesterProblem(keys, assertion, { ...expected, now: assertion.expiresAt + 1 })).toMatch(
      /has expired/,
    );
  });
});
