import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * Keyed digests of normalised values: what the provenance index stores instead of the values. The
 * key is derived (HKDF-SHA256) from the workers' shared secret, so only the deployment's workers can
 * test a guess against the index, and each digest also binds the run's workflow id, so equal values
 * of two runs do not even show as equal.
 */
export class KeyedDigest {
  /** Imported once: an output's few dozen digests then do not each import the raw key again. */
  private readonly key: KeyObject;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the provenance key needs a secret of at least 16 characters');
    this.key = createSecretKey(
      Buffer.from(hkdfSync('sha256', secret, 'warden-provenance', 'index-key-v1', 32)),
    );
  }

  /**
   * 128 bits of HMAC-SHA256 over the run, a NUL and the key string (UTF-8), base64url. One update
   * of the joined text: the same bytes as the three pieces (the NUL joins no surrogate pair), so an
   * index written by an earlier worker still matches.
   */
  of(workflowId: string, key: string): string {
    return createHmac('sha256', this.key).update(`${workflowId}\0${key}`).digest('base64url').slice(0, 22);
  }
}
