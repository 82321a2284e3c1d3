import { type DecisionSigner, signerFromSeed } from '../../src/approvals/signing-keys.ts';

/** Fixed Ed25519 test keys (never used outside tests): the seeds are 32 repeated bytes. */
function testKey(
  keyId: string,
  byte: number,
): { signer: DecisionSigner; signingKey: string; publicKey: string } {
  const seed = new Uint8Array(32).fill(byte);
  const signer = signerFromSeed(keyId, seed);
  return {
    signer,
    signingKey: `${keyId}=${Buffer.from(seed).toString('base64')}`,
    publicKey: `${keyId}=${Buffer.from(signer.publicKey, 'hex').toString('base64')}`,
  };
}

/** The key the test approval service signs with. */
export const PRIMARY_KEY = testKey('test-2025', 7);
/** A second accepted key, as during a rotation. */
export const ROTATED_KEY = testKey('test-2026', 8);
/** A key the workers no longer list (rotated out) or never did (an attacker's). */
export const RETIRED_KEY = testKey('test-2024', 6);

/** What the test workers and approval services are configured with. */
export const TEST_KEY_CONFIG = {
  WARDEN_APPROVAL_SIGNING_KEY: PRIMARY_KEY.signingKey,
  WARDEN_APPROVAL_PUBLIC_KEYS: `${PRIMARY_KEY.publicKey},${ROTATED_KEY.publicKey}`,
};
