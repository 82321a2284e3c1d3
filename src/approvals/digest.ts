import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { type ApprovalDigestInput, digestInput } from '../guard/digest-input.ts';

/** RFC 8785 canonical JSON; refuses values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value has no canonical JSON form');
  return text;
}

/** SHA-256 (hex) over the canonical JSON of exactly what an approval covers. */
export function approvalDigest(input: ApprovalDigestInput): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(digestInput(input)))
    .digest('hex')}`;
}
