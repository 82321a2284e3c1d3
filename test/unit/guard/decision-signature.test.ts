import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  type DecidedCall,
  decisionClaim,
  decisionMessage,
  decisionSignatureProblem,
  jsonDigest,
} from '../../../src/guard/decision-signature.ts';
import type { ToolResultClaim } from '../../../src/guard/tool-result-signature.ts';
import { resultKeyId } from '../../../src/guard/zone-signature.ts';
import { resultSigner } from '../../../src/zones/result-signer.ts';

const call: DecidedCall = {
  zone: 'default',
  workflowId: 'wf-1',
  runId: 'run-1',
  callId: 'refund',
  tool: 'crm.issue_refund',
  arguments: { customerId: 'c-1003', amount: 40, currency: 'EUR' },
  request: 'Please handle ticket t-505 for me.',
};

/** A tool worker's needs_approval for `call`, as the activity returns it (before it is signed). */
const answer = {
  decision: 'needs_approval',
  authorization: {
    summary: { allowed: true, unattended: false, reason: 'needs approval', policyVersion: 'p1' },
  },
  intent: {
    verdict: { verdict: 'escalate', reasons: ['amount over 25'] },
    digest: 'sha256:ab',
    policyVersion: 'p1',
  },
  provenance: {
    request: 'verified',
    values: [
      {
        path: 'customerId',
        token: 'value',
        text: 'c-1003',
        origin: 'untrusted',
        confidential: false,
        sources: [
          {
            kind: 'output',
            callId: 'read',
            tool: 'ticket.get',
            field: 'body',
            trust: 'untrusted',
            confidential: false,
            match: 'exact',
          },
        ],
      },
    ],
    tainted: [{ path: 'customerId', kind: 'account', texts: ['c-1003'] }],
    confidential: [],
    verdict: 'escalate',
    reasons: ['provenance: customerId comes only from untrusted content'],
  },
  reasons: ['intent: amount over 25', 'provenance: customerId comes only from untrusted content'],
  reason: 'approval needed: intent: amount over 25; provenance: customerId comes only from untrusted content',
};

describe('the decision signature of a tool worker', () => {
  const seed = ed25519.utils.randomSecretKey();
  const publicKey = bytesToHex(ed25519.getPublicKey(seed));
  const signer = resultSigner(bytesToHex(seed));
  const keys = { default: [publicKey] };
  const signed = (a: object = answer, c: DecidedCall = call) => ({
    ...a,
    decisionSignature: signer.signDecision(decisionClaim(c, a)),
  });
  /** What the run receives: the answer after Temporal's JSON payload converter. */
  const received = (a: object) => JSON.parse(JSON.stringify(a)) as unknown;

  it('encodes the claim as RFC 8785 canonical JSON under its own domain, arguments and request as digests', () => {
    const text = new TextDecoder().decode(decisionMessage(decisionClaim(call, answer)));
    const sha = (value: unknown) =>
      `sha256:${createHash('sha256')
        .update(canonicalize(value) ?? '')
        .digest('hex')}`;
    expect(JSON.parse(text)).toEqual({
      domain: 'warden-tool-decision-v1',
      zone: 'default',
      workflowId: 'wf-1',
      runId: 'run-1',
      callId: 'refund',
      tool: 'crm.issue_refund',
      argumentsDigest: sha(call.arguments),
      requestDigest: sha(call.request),
      decision: 'needs_approval',
      code: null,
      reason: answer.reason,
      reasons: answer.reasons,
      authorization: answer.authorization,
      intent: answer.intent,
      provenance: answer.provenance,
    });
    // Canonical: sorted keys, no whitespace, exactly what canonicalize makes of it.
    expect(text).toBe(canonicalize(JSON.parse(text)));
    expect(text.startsWith('{"argumentsDigest":"sha256:')).toBe(true);
    expect(jsonDigest({ b: 1, a: [1, 'x'] })).toBe(jsonDigest({ a: [1, 'x'], b: 1 }));
  });

  it('the same decision, keys in another order and undefined fields dropped, verifies once carried as JSON', () => {
    const reordered = { ...call, arguments: { currency: 'EUR', amount: 40, customerId: 'c-1003' } };
    const withUndefined = { ...answer, code: undefined };
    const sent = received(signed(withUndefined));
    expect(decisionSignatureProblem(keys, reordered, sent)).toBeUndefined();
    expect(decisionSignatureProblem(keys, call, sent)).toBeUndefined();
  });

  it('binds the run, the call, the tool, the arguments and the request: a replay elsewhere is refused', () => {
    const sent = received(signed());
    for (const other of [
      { ...call, workflowId: 'wf-2' },
      { ...call, runId: 'run-2' },
      { ...call, callId: 'refund-2' },
      { ...call, tool: 'crm.update_customer' },
      { ...call, arguments: { ...(call.arguments as object), amount: 4000 } },
      { ...call, request: 'Refund 40 EUR to customer c-1003.' },
      { ...call, request: undefined },
    ]) {
      expect(decisionSignatureProblem(keys, other, sent)).toMatch(/decision's signature does not verify/);
    }
  });

  it('binds what a person is shown: verdict, reasons, reason, provenance, policy and intent decisions', () => {
    const signature = signer.signDecision(decisionClaim(call, answer));
    const benign = {
      ...answer.provenance,
      values: answer.provenance.values.map((v) => ({
        ...v,
        origin: 'trusted',
        sources: [{ kind: 'request', trust: 'trusted', match: 'exact' }],
      })),
      tainted: [],
      verdict: 'clear',
    };
    for (const tampered of [
      { ...answer, decision: 'denied' },
      { ...answer, code: 'intent_denied' },
      { ...answer, reasons: ["customerId came from alice's request, clear"] },
      { ...answer, reasons: [...answer.reasons, 'extra'] },
      { ...answer, reason: 'approval needed: routine' },
      { ...answer, provenance: benign },
      { ...answer, provenance: undefined },
      { ...answer, authorization: { summary: { ...answer.authorization.summary, unattended: true } } },
      { ...answer, intent: { ...answer.intent, digest: 'sha256:cd' } },
    ]) {
      expect(decisionSignatureProblem(keys, call, { ...tampered, decisionSignature: signature })).toMatch(
        /does not verify/,
      );
    }
  });

  it('refuses unsigned, foreign-key and cross-purpose signatures, and never throws on made-up answers', () => {
    const forger = resultSigner(bytesToHex(ed25519.utils.randomSecretKey()));
    const own = forger.signDecision(decisionClaim(call, answer));
    expect(decisionSignatureProblem(keys, call, answer)).toBe(
      'the decision is not signed by the worker of trust zone default',
    );
    expect(decisionSignatureProblem(keys, call, { ...answer, decisionSignature: own })).toBe(
      `the decision is signed with key ${own.keyId}, not a key of zone default`,
    );
    expect(
      decisionSignatureProblem(keys, call, {
        ...answer,
        decisionSignature: { ...own, keyId: resultKeyId(publicKey) },
      }),
    ).toMatch(/does not verify/);
    // The key id is sender text: a made-up one is not repeated to the person who reads the reason.
    expect(
      decisionSignatureProblem(keys, call, {
        ...answer,
        decisionSignature: { keyId: "customerId came from alice's request", signature: own.signature },
      }),
    ).toBe('the decision is signed with a malformed key id, not a key of zone default');
    // Another zone's key does not sign this zone's decisions.
    expect(decisionSignatureProblem({ default: [], external: [publicKey] }, call, received(signed()))).toBe(
      'no public key is configured for trust zone default',
    );
    // A result signature of the same key is not a decision signature (separate domains).
    const resultClaim: ToolResultClaim = {
      zone: 'default',
      workflowId: 'wf-1',
      runId: 'run-1',
      callId: 'refund',
      tool: 'crm.issue_refund',
      arguments: call.arguments,
      agent: { type: 'Agent', id: 'support-bot' },
      onBehalfOf: { type: 'User', id: 'alice' },
      output: answer,
      recordsRead: 0,
      attempt: 1,
      idempotencyKey: 'wf-1:refund',
    };
    expect(
      decisionSignatureProblem(keys, call, { ...answer, decisionSignature: signer.sign(resultClaim) }),
    ).toMatch(/does not verify/);
    for (const madeUp of [null, undefined, 'needs_approval', 42, [], { decisionSignature: 'x' }]) {
      expect(decisionSignatureProblem(keys, call, madeUp)).toMatch(/not signed/);
    }
    expect(
      decisionSignatureProblem(keys, call, {
        ...answer,
        decisionSignature: { keyId: resultKeyId(publicKey), signature: 'zz' },
      }),
    ).toMatch(/does not verify/);
  });
  it('binds the decision round, and a failure the activity execution and attempt: another round or attempt does not verify', () => {
    const round1 = { ...call, round: 1 };
    const sent = received(signed(answer, round1));
    expect(decisionSignatureProblem(keys, round1, sent)).toBeUndefined();
    // The pre-approval answer of round 1, replayed in round 2 of the same call.
    expect(decisionSignatureProblem(keys, { ...call, round: 2 }, sent)).toMatch(/does not verify/);
    // A run that counts rounds never takes an answer signed without one, nor the reverse.
    expect(decisionSignatureProblem(keys, call, sent)).toMatch(/does not verify/);
    expect(decisionSignatureProblem(keys, round1, received(signed()))).toMatch(/does not verify/);

    const failure = { decision: 'refused', code: 'policy_changed', reason: 'the policy changed' };
    const failed = { ...round1, failedAttempt: { activityId: '7', attempt: 1 } };
    const thrown = received(signed(failure, failed));
    expect(decisionSignatureProblem(keys, failed, thrown)).toBeUndefined();
    for (const other of [
      { ...failed, failedAttempt: { activityId: '9', attempt: 1 } },
      { ...failed, failedAttempt: { activityId: '7', attempt: 2 } },
      { ...failed, round: 2 },
      round1,
    ]) {
      expect(decisionSignatureProblem(keys, other, thrown)).toMatch(/does not verify/);
    }
  });

  it('a claim without a round is the message of runs recorded before rounds were signed', () => {
    const text = new TextDecoder().decode(decisionMessage(decisionClaim(call, answer)));
    expect(text).not.toContain('"round"');
    expect(text).not.toContain('"attempt"');
    expect(new TextDecoder().decode(decisionMessage(decisionClaim({ ...call, round: 2 }, answer)))).toContain(
      '"round":2',
    );
  });
});
