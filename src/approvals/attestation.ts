import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './digest.ts';

/**
 * MAC over any plain-JSON record under its own domain, with the workers' shared secret (the guard
 * grant uses it). Approvals are not MACed: the approval service signs them with Ed25519
 * (sign-approval.ts), which the run's Update validator can verify without holding a secret.
 */
export function signRecord(secret: string, domain: string, record: unknown): string {
  return createHmac('sha256', secret)
    .update(`${domain}\n${canonicalJson(record)}`)
    .digest('hex');
}

export function safeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
