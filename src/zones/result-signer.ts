import { sign } from 'node:crypto';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { nativeSigningKey } from '../crypto/native-ed25519.ts';
import { decisionMessage, type ToolDecisionClaim } from '../guard/decision-signature.ts';
import {
  type ResultSignature,
  resultKeyId,
  resultMessage,
  type ToolResultClaim,
} from '../guard/tool-result-signature.ts';

/**
 * Signs what a zone's worker vouches for with one zone key: the results of the calls it executed and
 * every decision it returns. The key is imported once, so each costs one signature.
 */
export interface ResultSigner {
  keyId: string;
  sign(claim: ToolResultClaim): ResultSignature;
  signDecision(claim: ToolDecisionClaim): ResultSignature;
}

/** A zone worker's signer for `secretKeyHex` (the zone's 32-byte Ed25519 seed), on node:crypto. */
export function resultSigner(secretKeyHex: string): ResultSigner {
  const seed = hexToBytes(secretKeyHex);
  const { key, publicKey } = nativeSigningKey(seed);
  const keyId = resultKeyId(bytesToHex(publicKey));
  const signed = (message: Uint8Array): ResultSignature => ({
    keyId,
    signature: sign(null, message, key).toString('hex'),
  });
  return {
    keyId,
    sign: (claim) => signed(resultMessage(claim)),
    signDecision: (claim) => signed(decisionMessage(claim)),
  };
}
