import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { sha256 } from '../../../src/approvals/auth/token-registry.ts';

// Production tokens must be strong (token-strength.ts): these look like `openssl rand -hex 16` output.
const BOB = 'bob-5f0c9e27a4d18b36e7c2f9a0d4b61e83';
const CAROL = 'carol-9b3e71d0c58a2f64b1e07d93a6c2f548';
const inline = `${BOB}=User:bob,${CAROL}=User:carol@2020-01-01T00:00:00Z`;

describe('approver authentication', () => {
  it('maps a configured token to its user', () => {
    const auth = new ApproverAuthenticator('production', inline);
    expect(auth.authenticate({ token: BOB })).toEqual({
      user: { type: 'User', id: 'bob' },
      authentication: 'token',
      tokenLabel: 'inline#1',
    });
  });

  it('refuses unknown and expired tokens', () => {
    const auth = new ApproverAuthenticator('development', inline);
    expect(() => auth.authenticate({ token: `${BOB}0` })).toThrow('unknown approver token');
    expect(() => auth.authenticate({ token: CAROL })).toThrow(
      'approver token expired at 2020-01-01T00:00:00.000Z',
    );
  });

  it('allows --as only in development mode, marked unauthenticated', () => {
    expect(new ApproverAuthenticator('development', undefined).authenticate({ as: 'User:bob' })).toEqual({
      user: { type: 'User', id: 'bob' },
      authentication: 'unauthenticated-dev',
    });
    expect(() => new ApproverAuthenticator('production', inline).authenticate({ as: 'User:bob' })).toThrow(
      '--as is refused in production mode',
    );
    expect(() => new ApproverAuthenticator('production', inline).authenticate({})).toThrow(
      'no approver token',
    );
  });

  it('reads a file that holds only token hashes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warden-tokens-'));
    const file = path.join(dir, 'approvers.yaml');
    writeFileSync(
      file,
      [
        'approvers:',
        `  - user: User:carol`,
        `    sha256: ${sha256(CAROL).toString('hex')}`,
        `    label: carol-laptop`,
        `    expiresAt: 2999-01-01T00:00:00Z`,
      ].join('\n'),
    );
    const auth = new ApproverAuthenticator('production', file);
    expect(auth.authenticate({ token: CAROL })).toMatchObject({
      user: { type: 'User', id: 'carol' },
      tokenLabel: 'carol-laptop',
    });
    expect(() => new ApproverAuthenticator('production', path.join(dir, 'missing.yaml'))).toThrow(
      'no such file',
    );
  });

  it('rejects short inline tokens and malformed identities at load', () => {
    expect(() => new ApproverAuthenticator('development', 'short=User:bob')).toThrow('at least 8 characters');
    expect(() => new ApproverAuthenticator('development', 'long-enough-token=User:')).toThrow(
      'invalid identity',
    );
  });

  it('refuses weak configured tokens at load in production mode, in one line', () => {
    for (const weak of ['bob-secret-token', 'changeme-changeme-changeme', 'correcthorsebatterystaple']) {
      expect(() => new ApproverAuthenticator('production', `${BOB}=User:bob,${weak}=User:carol`)).toThrow(
        /^WARDEN_APPROVER_TOKENS entry 2: token too weak for production mode \(about \d+ bits, 128 needed\)/,
      );
      // Development keeps accepting them, so local tries stay easy.
      expect(new ApproverAuthenticator('development', `${weak}=User:carol`).configuredTokens).toBe(1);
    }
  });

  it('refuses a weak presented token in production even when a hash file lists it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warden-tokens-'));
    const file = path.join(dir, 'approvers.yaml');
    writeFileSync(
      file,
      `approvers:\n  - user: User:carol\n    sha256: ${sha256('carol-file-token').toString('hex')}\n`,
    );
    expect(() =>
      new ApproverAuthenticator('production', file).authenticate({ token: 'carol-file-token' }),
    ).toThrow(/^approver token refused: too weak for production mode/);
    expect(
      new ApproverAuthenticator('development', file).authenticate({ token: 'carol-file-token' }),
    ).toMatchObject({
      user: { type: 'User', id: 'carol' },
    });
  });
});
