import type { RequesterAssertion } from '../guard/types.ts';
import { requestDigest } from './request-digest.ts';
import type { RequestStanding } from './types.ts';

/**
 * Whether the request text a call carries counts as the user's request. The run passes the text
 * with each call, and workflow code may be hostile, so the text counts only when it matches the
 * digest the requester assertion signs (already verified by the caller). A text that does not match
 * is a forgery: the call is refused. Without a digest to check against, development mode takes the
 * text as given, and production does not count it.
 */
export function requestStanding(
  assertion: RequesterAssertion | undefined,
  text: unknown,
  mode: 'development' | 'production',
): { standing: RequestStanding } | { problem: string } {
  const signed = assertion?.requestDigest;
  if (typeof text !== 'string') return { standing: 'not_counted' };
  if (typeof signed === 'string') {
    return requestDigest(text) === signed
      ? { standing: 'verified' }
      : { problem: 'the request text the run sent does not match the digest signed when the run started' };
  }
  return { standing: mode === 'development' ? 'assumed' : 'not_counted' };
}
