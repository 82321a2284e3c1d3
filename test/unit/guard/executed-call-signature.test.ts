import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { type DecisionVerifier, recordedDecisions } from '../../../src/audit/recorded-decisions.ts';
import type { ActivityStep } from '../../../src/audit/run-history.ts';
import {
  type DecidedCall,
  decisionClaim,
  decisionMessage,
  decisionSignatureProblem,
} from '../../../src/guard/decision-signature.ts';
import {
  receivedResultClaim,
  resultDigest,
  resultMessage,
  type ToolResultClaim,
} from '../../../src/guard/tool-result-signature.ts';
import { resultSigner } from '../../../src/zones/result-signer.ts';

const call: DecidedCall = {
  zone: 'external',
  workflowId: 'wf-1',
  runId: 'run-1',
  callId: 'notify',
  tool: 'http.post',
  arguments: { url: 'https://hooks.partner.example/tickets', body: { ticket: 't-501' } },
  request: 'Tell the partner that ticket t-501 is resolved.',
};
const who = { agent: { type: 'Agent', id: 'notify-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };
const execution = {
  output: { status: 202, delivered: true },
  recordsRead: 0,
  attempt: 1,
  idempotencyKey: 'wf-1:notify',
  zone: 'external',
};
/** An unattended call the worker executed, as the activity returns it (before it is signed). */
const answer = {
  decision: 'executed',
  authorization: { invoke: { allowed: true }, unattended: { allowed: true } },
  intent: {
    verdict: { verdict: 'allow', reasons: [], findings: [] },
    digest: 'sha256:ab',
    policyVersion: 'p1',
  },
  execution,
  reason: 'executed (unattended)',
};
const resultOf = (e: unknown = execution, c: DecidedCall = call): ToolResultClaim =>
  receivedResultClaim({ ...c, ...who }, e);
/** What the run receives: the answer after Temporal's JSON payload converter. */
const received = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('one signature for an executed call: the decision bound to its result', () => {
  const seed = ed25519.utils.randomSecretKey();
  const publicKey = bytesToHex(ed25519.getPublicKey(seed));
  const signer = resultSigner(bytesToHex(seed));
  const keys = { external: [publicKey] };
  const signedOnce = (a: typeof answer = answer) =>
    received({ ...a, decisionSignature: signer.signDecision(decisionClaim(call, a, resultOf(a.execution))) });

  it("binds the digest of the result's own message: the claim of the separate signature, hashed", () => {
    const text = new TextDecoder().decode(decisionMessage(decisionClaim(call, answer, resultOf())));
    const digest = `sha256:${createHash('sha256').update(resultMessage(resultOf())).digest('hex')}`;
    expect(JSON.parse(text)).toMatchObject({ domain: 'warden-tool-decision-v1', decision: 'executed' });
    expect(JSON.parse(text).result).toBe(digest);
    expect(resultDigest(resultOf())).toBe(digest);
    // Without a result the message is a plain decision's, byte for byte (recorded runs verify as before).
    expect(
      JSON.parse(new TextDecoder().decode(decisionMessage(decisionClaim(call, answer)))),
    ).not.toHaveProperty('result');
  });

  it('verifies the executed call with the result the run received, and nothing else', () => {
    const sent = signedOnce();
    expect(decisionSignatureProblem(keys, call, sent, resultOf(sent.execution))).toBeUndefined();
    // The result is part of what is signed: any of its fields changed, the decision does not verify.
    for (const tampered of [
      { ...execution, output: { status: 202, delivered: true, note: 'pre-approved' } },
      { ...execution, output: null },
      { ...execution, recordsRead: 1 },
      { ...execution, attempt: 2 },
      { ...execution, idempotencyKey: 'wf-1:other' },
      { ...execution, filtered: { removed: 1 } },
      undefined,
    ]) {
      expect(
        decisionSignatureProblem(
          keys,
          call,
          { ...sent, execution: tampered },
          receivedResultClaim({ ...call, ...who }, tampered),
        ),
      ).toMatch(/decision's signature does not verify/);
    }
    // For another agent or user, another call, another run: refused (a replay of a genuine result).
    for (const other of [
      receivedResultClaim({ ...call, ...who, agent: { type: 'Agent', id: 'support-bot' } }, execution),
      receivedResultClaim({ ...call, ...who, onBehalfOf: { type: 'User', id: 'bob' } }, execution),
      resultOf(execution, { ...call, callId: 'notify-2' }),
      resultOf(execution, { ...call, runId: 'run-2' }),
    ]) {
      expect(decisionSignatureProblem(keys, call, sent, other)).toMatch(/does not verify/);
    }
  });

  it('is neither a plain decision signature nor a result signature, and they are not it', () => {
    const once = signedOnce();
    // Taken as a plain decision (the result left out), the one signature does not verify.
    expect(decisionSignatureProblem(keys, call, once)).toMatch(/does not verify/);
    // A plain decision signature of the same executed answer does not pass for one over its result.
    const plain = received({
      ...answer,
      decisionSignature: signer.signDecision(decisionClaim(call, answer)),
    });
    expect(decisionSignatureProblem(keys, call, plain, resultOf())).toMatch(/does not verify/);
    // Nor does the zone's signature of the result alone, put where the decision's goes.
    const resultOnly = received({ ...answer, decisionSignature: signer.sign(resultOf()) });
    expect(decisionSignatureProblem(keys, call, resultOnly, resultOf())).toMatch(/does not verify/);
  });

  it('never throws on a made-up execution: anything that cannot be encoded is a bad signature', () => {
    const sent = signedOnce();
    for (const madeUp of [null, 42, 'executed', [], { output: 10n }, { recordsRead: Number.NaN }]) {
      expect(decisionSignatureProblem(keys, call, sent, resultOf(madeUp))).toMatch(/does not verify/);
    }
  });

  it('a host reads it back from the history: verified as executed, and a swapped output is not', () => {
    const verifier: DecisionVerifier = {
      keys,
      zoneOf: (tool) => (tool === 'http.post' ? 'external' : undefined),
    };
    const input = { ...call, ...who, signOnce: true };
    const step = (
      callId: string,
      result: unknown,
      stepInput: object = { ...input, callId },
    ): ActivityStep => ({
      kind: 'activity',
      eventId: 5,
      activityType: 'guardedToolCall',
      activityId: '1',
      scheduledAt: '2026-01-01T00:00:00Z',
      closedAt: '2026-01-01T00:00:01Z',
      outcome: 'completed',
      input: [stepInput],
      result,
    });
    const sent = signedOnce();
    const found = recordedDecisions(
      {
        workflowId: call.workflowId,
        runId: call.runId,
        steps: [
          step('notify', sent),
          step('no-user', sent, { ...input, callId: 'no-user', onBehalfOf: undefined }),
          step('asked-plain', sent, { ...input, callId: 'asked-plain', signOnce: undefined }),
        ],
      },
      verifier,
    );
    expect(found.get('notify')).toMatchObject({ verified: true, decision: 'executed' });
    const swapped = recordedDecisions(
      {
        workflowId: call.workflowId,
        runId: call.runId,
        steps: [step('notify', { ...sent, execution: { ...execution, output: { status: 500 } } })],
      },
      verifier,
    );
    expect(swapped.get('notify')).toMatchObject({
      verified: false,
      problem: "the decision's signature does not verify with the key of trust zone external",
    });
    expect(found.get('no-user')).toMatchObject({
      verified: false,
      problem: 'the executed call names no agent or user its result was signed for',
    });
    // Read as a plain decision (the run did not ask for one signature), it does not verify either.
    expect(found.get('asked-plain')).toMatchObject({ verified: false });
  });
});
