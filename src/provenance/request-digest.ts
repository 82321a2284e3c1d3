import { createHash } from 'node:crypto';

/**
 * The digest of a run's request text that the requester assertion signs: SHA-256 of the exact
 * UTF-8 text, so the tool worker can tell the request the user gave from one workflow code wrote.
 */
export function requestDigest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
