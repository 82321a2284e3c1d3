import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { estimateTokenBits, PRODUCTION_TOKEN_BITS } from '../../../src/approvals/auth/token-strength.ts';

describe('approver token strength', () => {
  it('passes what the demo mints and what openssl generates, every time', () => {
    const generators = [
      // The demo's minted tokens (src/cli/commands/demo-approvers.ts).
      () => randomBytes(24).toString('base64url'),
      () => randomBytes(32).toString('hex'),
      () => randomBytes(16).toString('hex'),
      () => randomBytes(32).toString('base64'),
    ];
    for (const generate of generators) {
      for (let i = 0; i < 2000; i += 1) {
        const token = generate();
        expect(estimateTokenBits(token), token).toBeGreaterThanOrEqual(PRODUCTION_TOKEN_BITS);
      }
    }
  });

  it('refuses short, typed, repeated and low-variety tokens', () => {
    for (const weak of [
      'abcd1234',
      'bob-browser-token',
      'correcthorsebatterystaple',
      'changeme-changeme-changeme',
      'passwordpasswordpassword1!',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'deadbeefdeadbeefdeadbeefdeadbeef',
      '0123456701234567012345670123456701234567',
      '',
    ]) {
      expect(estimateTokenBits(weak), weak).toBeLessThan(PRODUCTION_TOKEN_BITS);
    }
  });
});
