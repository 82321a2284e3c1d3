/**
 * Verification of what a trust zone's worker signs (its tool results, its decisions): Ed25519 over
 * bytes the caller builds from canonical JSON, checked against the zone's configured public keys.
 * Pure JS, so workflow code verifies it deterministically inside the sandbox; hosts use it too.
 */
import { hexToBytes } from '@noble/curves/utils.js';
import { ED25519_RULE, ed25519Verify } from './ed25519-verify.ts';
import { verifiedOnce } from './verified-signatures.ts';

export interface ResultSignature {
  /** The first 16 hex digits of the signing public key: which configured key to verify with. */
  keyId: string;
  /** Ed25519 over the canonical JSON of the claim, hex. */
  signature: string;
}

/** The public keys of each zone (hex), as the trusted main worker's configuration has them. */
export type ZonePublicKeys = Record<string, string[]>;

export function resultKeyId(publicKeyHex: string): string {
  return publicKeyHex.slice(0, 16);
}

export { asJson } from './canonical-json.ts';

/**
 * Why `signature` is refused as zone `zone`'s signature of `message` (`what` names it: "result",
 * "decision"), or undefined when a configured key of the zone made it. `message` is a thunk so a
 * claim that cannot be encoded is a bad signature, not an exception.
 */
export function zoneSignatureProblem(
  keys: ZonePublicKeys,
  zone: string,
  what: string,
  message: () => Uint8Array,
  signature: Partial<ResultSignature> | undefined,
): string | undefined {
  const candidates = keys[zone] ?? [];
  if (candidates.length === 0) return `no public key is configured for trust zone ${zone}`;
  if (typeof signature?.signature !== 'string' || typeof signature.keyId !== 'string') {
    return `the ${what} is not signed by the worker of trust zone ${zone}`;
  }
  const key = candidates.find((k) => resultKeyId(k) === signature.keyId);
  if (key === undefined) {
    // The key id is the sender's text: named only when it is one (people read these reasons).
    const named = /^[0-9a-f]{16}$/.test(signature.keyId) ? `key ${signature.keyId}` : 'a malformed key id';
    return `the ${what} is signed with ${named}, not a key of zone ${zone}`;
  }
  try {
    // RFC 8032's cofactorless check, as OpenSSL's that the zone's worker signs with (ed25519-verify.ts).
    const signed = hexToBytes(signature.signature);
    const bytes = message();
    // A decision a replayed run verified when it paused is not verified again (verified-signatures.ts).
    const valid = verifiedOnce(`${ED25519_RULE}:${key}:${signature.signature}`, bytes, () =>
      ed25519Verify(signed, bytes, hexToBytes(key)),
    );
    if (valid) return undefined;
  } catch {
    // A malformed signature or claim is a bad signature.
  }
  return `the ${what}'s signature does not verify with the key of trust zone ${zone}`;
}
