import { createHash } from 'node:crypto';
import { canonicalJson } from '../guard/canonical-json.ts';
import { type ApprovalDigestInput, digestInput } from '../guard/digest-input.ts';

export { canonicalJson };

/** SHA-256 (hex) over the canonical JSON of exactly what an approval covers. */
export function approvalDigest(input: ApprovalDigestInput): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(digestInput(input)))
    .digest('hex')}`;
}
