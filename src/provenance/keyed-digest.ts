import { createHmac, hkdfSync } from 'node:crypto';

/**
 * Keyed digests of normalised values: what the provenance index stores instead of the values. The
 * key is derived (HKDF-SHA256) from the workers' shared secret, so only the deployment's workers can
 * test a guess against the index, and each digest also binds the run's workflow id, so equal values
 * of two runs do not even show as equal.
 */
export class KeyedDigest {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the provenance key needs a secret of at least 16 characters');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'warden-provenance', 'index-key-v1', 32));
  }

  /** 128 bits of HMAC-SHA256 over the run and the key string, base64url. */
  of(workflowId: string, key: string): string {
    return createHmac('sha256', this.key)
      .update(workflowId)
      .update('\0')
      .update(key)
      .digest('base64url')
      .slice(0, 22);
  }
}
