import { createPrivateKey, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/curves/utils.js';
import type { Ed25519Verifier } from '../guard/ed25519-verify.ts';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32-byte key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Public keys as OpenSSL key objects (or `null`: not a key the rule accepts), by encoding. */
const keyObjects = new Map<string, KeyObject | null>();
/** Configured keys are few; anything beyond this is not kept (a bound, not an eviction policy). */
const MAX_KEYS = 256;

function keyObject(publicKey: Uint8Array): KeyObject | null {
  const id = bytesToHex(publicKey);
  const known = keyObjects.get(id);
  if (known !== undefined) return known;
  let key: KeyObject | null;
  try {
    // The rule's key conditions, which OpenSSL does not check, once per key: canonical, not small order.
    const point = ed25519.Point.fromBytes(publicKey, false);
    key = point.isSmallOrder()
      ? null
      : createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  if (keyObjects.size < MAX_KEYS) keyObjects.set(id, key);
  return key;
}

/**
 * Ed25519 verification by Node's OpenSSL, for host code (the tool worker; never the sandbox): about
 * fifty times faster than the pure-JS check the Update validator must use, and the same rule
 * (`ED25519_RULE`, ed25519-verify.ts): OpenSSL performs RFC 8032's cofactorless check (S < L, the
 * encoding of [S]B − [k]A equal to R's bytes), and the key conditions it leaves out are checked
 * above. Both checks answer alike on every case of test/unit/guard/native-ed25519.test.ts.
 */
export const nativeEd25519Verify: Ed25519Verifier = (signature, message, publicKey) => {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const key = keyObject(publicKey);
  if (key === null) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
};

/**
 * An Ed25519 signing key for node:crypto (OpenSSL) from a 32-byte seed, with its public key. Ed25519
 * signatures are deterministic, so what OpenSSL signs are the bytes noble would make, at a small
 * fraction of the cost; only workflow code needs the pure-JS implementation.
 */
export function nativeSigningKey(seed: Uint8Array): { key: KeyObject; publicKey: Uint8Array } {
  const publicKey = ed25519.getPublicKey(seed);
  const key = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: Buffer.from(seed).toString('base64url'),
      x: Buffer.from(publicKey).toString('base64url'),
    },
    format: 'jwk',
  });
  return { key, publicKey };
}
