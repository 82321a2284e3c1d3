import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import {
  resultKeyId,
  resultMessage,
  resultSignatureProblem,
  type ToolResultClaim,
} from '../../../src/guard/tool-result-signature.ts';
import { resultSigner } from '../../../src/zones/result-signer.ts';

const claim: ToolResultClaim = {
  zone: 'default',
  workflowId: 'wf-1',
  runId: 'run-1',
  callId: 'call-1',
  tool: 'ticket.get',
  arguments: { ticketId: 't-501' },
  agent: { type: 'Agent', id: 'support-bot' },
  onBehalfOf: { type: 'User', id: 'alice' },
  output: { id: 't-501', subject: 'Charged twice', notes: [] },
  recordsRead: 1,
  attempt: 1,
  idempotencyKey: 'wf-1:call-1',
};

describe('a zone result signer', () => {
  const seed = ed25519.utils.randomSecretKey();
  const publicKey = bytesToHex(ed25519.getPublicKey(seed));
  const signer = resultSigner(bytesToHex(seed));
  const keys = { default: [publicKey] };

  it('makes the signature noble makes (Ed25519 is deterministic), under the key id of its public key', () => {
    const signature = signer.sign(claim);
    expect(signature.keyId).toBe(resultKeyId(publicKey));
    expect(signature.signature).toBe(bytesToHex(ed25519.sign(resultMessage(claim), seed)));
  });

  it('signs results the run accepts, and only for exactly that claim', () => {
    const signature = signer.sign(claim);
    expect(resultSignatureProblem(keys, claim, signature)).toBeUndefined();
    for (const changed of [
      { ...claim, output: { ...(claim.output as object), subject: 'Refund approved' } },
      { ...claim, arguments: { ticketId: 't-502' } },
      { ...claim, runId: 'run-2' },
      { ...claim, callId: 'call-2' },
      { ...claim, onBehalfOf: { type: 'User', id: 'mallory' } },
      { ...claim, attempt: 2 },
    ]) {
      expect(resultSignatureProblem(keys, changed, signature)).toMatch(/does not verify/);
    }
  });

  it('a signature from another key under the zone key id is refused', () => {
    const forged = resultSigner(bytesToHex(ed25519.utils.randomSecretKey())).sign(claim);
    expect(resultSignatureProblem(keys, claim, { ...forged, keyId: resultKeyId(publicKey) })).toMatch(
      /does not verify/,
    );
    expect(resultSignatureProblem(keys, claim, forged)).toMatch(/not a key of zone default/);
    expect(resultSignatureProblem(keys, claim, { keyId: resultKeyId(publicKey), signature: 'zz' })).toMatch(
      /does not verify/,
    );
  });
});
