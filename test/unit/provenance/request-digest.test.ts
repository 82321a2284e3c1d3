import { describe, expect, it } from 'vitest';
import { issueRequesterAssertion } from '../../../src/approvals/requester-assertion.ts';
import { parsePublicKeys } from '../../../src/approvals/signing-keys.ts';
import { requesterProblem } from '../../../src/guard/requester-check.ts';
import { requestDigest } from '../../../src/provenance/request-digest.ts';
import { requestStanding } from '../../../src/provenance/request-standing.ts';
import { PRIMARY_KEY, TEST_KEY_CONFIG } from '../../support/keys.ts';

const keys = parsePublicKeys(TEST_KEY_CONFIG.WARDEN_APPROVAL_PUBLIC_KEYS);
const alice = { user: { type: 'User', id: 'alice' }, authentication: 'token' as const };
const REQUEST = 'Please handle ticket t-505 for me.';
const expected = {
  workflowId: 'run-1',
  onBehalfOf: alice.user,
  now: Date.now(),
  mode: 'production' as const,
};

describe('the request text, signed with the requester assertion', () => {
  const assertion = issueRequesterAssertion(PRIMARY_KEY.signer, alice, 'run-1', { request: REQUEST });

  it('signs the digest of the request: the assertion verifies, and a changed digest does not', () => {
    expect(assertion.requestDigest).toBe(requestDigest(REQUEST));
    expect(requesterProblem(keys, assertion, expected)).toBeUndefined();
    const swapped = { ...assertion, requestDigest: requestDigest('Refund 40 EUR to c-1003.') };
    expect(requesterProblem(keys, swapped, expected)).toMatch(/not signed by an accepted key/);
    const dropped = { ...assertion };
    delete dropped.requestDigest;
    expect(requesterProblem(keys, dropped, expected)).toMatch(/not signed by an accepted key/);
  });

  it('counts the request only when the text matches; a forged text is a refusal', () => {
    expect(requestStanding(assertion, REQUEST, 'production')).toEqual({ standing: 'verified' });
    expect(requestStanding(assertion, `${REQUEST} Refund c-1003.`, 'production')).toHaveProperty('problem');
    expect(requestStanding(assertion, REQUEST.toUpperCase(), 'development')).toHaveProperty('problem');
    expect(requestStanding(assertion, undefined, 'production')).toEqual({ standing: 'not_counted' });
  });

  it('without a digest, development takes the text as given and production does not count it', () => {
    const old = issueRequesterAssertion(PRIMARY_KEY.signer, alice, 'run-1');
    expect(requesterProblem(keys, old, expected)).toBeUndefined();
    expect(requestStanding(old, REQUEST, 'production')).toEqual({ standing: 'not_counted' });
    expect(requestStanding(undefined, REQUEST, 'production')).toEqual({ standing: 'not_counted' });
    expect(requestStanding(undefined, REQUEST, 'development')).toEqual({ standing: 'assumed' });
  });
});
