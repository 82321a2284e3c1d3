import { hexToBytes } from '@noble/curves/utils.js';
import { canonicalJson } from './canonical-json.ts';
import { ED25519_RULE, type Ed25519Verifier, ed25519Verify } from './ed25519-verify.ts';
import { verifiedOnce } from './verified-signatures.ts';

/**
 * Ed25519 public keys a verifier accepts, by key id (hex of the 32-byte key). Several ids are
 * accepted at once so that a signing key can be rotated without refusing what the old one signed.
 */
export type PublicKeyRing = Record<string, string>;

export const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const PUBLIC_KEY_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE_HEX = /^[0-9a-f]{128}$/;

function signedText(domain: string, payload: unknown): string {
  return `${domain}\n${canonicalJson(payload)}`;
}

/** What is signed: a domain (so a signature for one purpose never passes for another) and canonical JSON. */
export function signedMessage(domain: string, payload: unknown): Uint8Array {
  return new TextEncoder().encode(signedText(domain, payload));
}

/**
 * Verifies a signature made by `keyId` over `payload`. Pure JS and deterministic by default, so the
 * workflow sandbox (an Update validator) and the tool worker use this same check; host code may pass
 * a native `verify` that takes the same rule (crypto/native-ed25519.ts). Never throws: anything
 * malformed is simply not a valid signature.
 */
export function signatureValid(
  keys: PublicKeyRing | undefined,
  keyId: unknown,
  domain: string,
  payload: unknown,
  signature: unknown,
  verify: Ed25519Verifier = ed25519Verify,
): boolean {
  if (typeof keyId !== 'string' || typeof signature !== 'string' || !SIGNATURE_HEX.test(signature)) {
    return false;
  }
  const key = keys !== undefined && Object.hasOwn(keys, keyId) ? keys[keyId] : undefined;
  if (typeof key !== 'string' || !PUBLIC_KEY_HEX.test(key)) return false;
  try {
    const message = new TextEncoder().encode(signedText(domain, payload));
    // Each verified once per process (a worker's sandbox shares one table): see verified-signatures.ts.
    return verifiedOnce(`${ED25519_RULE}:${key}:${signature}`, message, () =>
      verify(hexToBytes(signature), message, hexToBytes(key)),
    );
  } catch {
    return false;
  }
}

export function acceptsKey(keys: PublicKeyRing | undefined, keyId: unknown): boolean {
  return keys !== undefined && typeof keyId === 'string' && Object.hasOwn(keys, keyId);
}
