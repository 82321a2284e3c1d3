import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
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

/**
 * A zone worker's signer for `secretKeyHex` (the zone's 32-byte Ed25519 seed). It signs with
 * node:crypto (OpenSSL) rather than noble: Ed25519 signatures are deterministic, so the bytes are
 * the same ones noble would make, at a small fraction of the cost, and only workflow code needs the
 * pure-JS verifier.
 */
export function resultSigner(secretKeyHex: string): ResultSigner {
  const seed = hexToBytes(secretKeyHex);
  const publicKey = ed25519.getPublicKey(seed);
  const key: KeyObject = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: Buffer.from(seed).toString('base64url'),
      x: Buffer.from(publicKey).toString('base64url'),
    },
    format: 'jwk',
  });
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
