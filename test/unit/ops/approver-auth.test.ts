import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { sha256 } from '../../../src/approvals/auth/token-registry.ts';

const inline = 'bob-secret-token=User:bob,carol-secret-token=User:carol@2020-01-01T00:00:00Z';

describe('approver authentication', () => {
  it('maps a configured token to its user', () => {
    const auth = new ApproverAuthenticator('production', inline);
    expect(auth.authenticate({ token: 'bob-secret-token' })).toEqual({
      user: { type: 'User', id: 'bob' },
      authentication: 'token',
      tokenLabel: 'inline#1',
    });
  });

  it('refuses unknown and expired tokens', () => {
    const auth = new ApproverAuthenticator('development', inline);
    expect(() => auth.authenticate({ token: 'bob-secret-tokeN' })).toThrow('unknown approver token');
    expect(() => auth.authenticate({ token: 'carol-secret-token' })).toThrow(
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
        `    sha256: ${sha256('carol-file-token').toString('hex')}`,
        `    label: carol-laptop`,
        `    expiresAt: 2999-01-01T00:00:00Z`,
      ].join('\n'),
    );
    const auth = new ApproverAuthenticator('production', file);
    expect(auth.authenticate({ token: 'carol-file-token' })).toMatchObject({
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
});
