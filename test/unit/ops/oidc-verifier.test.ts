import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { OidcVerifier } from '../../../src/approvals/auth/oidc-verifier.ts';
import { loadConfig } from '../../../src/config/env.ts';
import { AUDIENCE, ISSUER, localIssuer } from '../../support/oidc.ts';

describe('OIDC JWT verifier (jose, local JWKS file)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-oidc-'));
  let issuer: Awaited<ReturnType<typeof localIssuer>>;
  let verifier: OidcVerifier;

  beforeAll(async () => {
    issuer = await localIssuer(dir);
    verifier = new OidcVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwksFile });
  });

  it('accepts a valid token and names the user from its subject', async () => {
    const identity = await verifier.verify(await issuer.token('alice'));
    expect(identity).toMatchObject({
      user: { type: 'User', id: 'alice' },
      authentication: 'oidc',
      tokenLabel: `oidc ${ISSUER}`,
    });
    expect(Date.parse(identity.tokenExpiresAt ?? '')).toBeGreaterThan(Date.now());
  });

  it('refuses an expired token, another audience or issuer, another key, HS256, a missing subject', async () => {
    const other = await localIssuer(dir, 'acme-1');
    const cases: Array<[Promise<string>, RegExp]> = [
      [issuer.token('alice', { expiresIn: '-1m' }), /OIDC token refused: expired/],
      [issuer.token('alice', { aud: 'another-app' }), /aud claim check failed/],
      [issuer.token('alice', { iss: 'https://evil.example' }), /iss claim check failed/],
      // Same key id, another private key: the signature does not verify against the published key.
      [other.token('alice'), /signature does not verify/],
      [
        new SignJWT({ sub: 'alice' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('x'.repeat(32))),
        /algorithm not allowed|refused/,
      ],
      [issuer.token('', {}), /no sub claim naming the user/],
      [issuer.token('alice|evil'), /not a usable user id/],
    ];
    for (const [token, reason] of cases) {
      await expect(verifier.verify(await token)).rejects.toThrow(reason);
    }
  });

  // Production tokens must be strong: 32 random bytes, as `openssl rand -hex 32` makes.
  const BOB_TOKEN = '7f3a9c1e5b2d8f4a6c0e9b3d7a1f5c8e2b6d0a4f8c3e7b1d5a9f2c6e0b4d8a3f';

  it('is what the authenticator uses for a JWT it does not know as a configured token', async () => {
    const config = loadConfig({
      WARDEN_MODE: 'production',
      WARDEN_APPROVER_TOKENS: `${BOB_TOKEN}=User:bob`,
      WARDEN_OIDC_ISSUER: ISSUER,
      WARDEN_OIDC_AUDIENCE: AUDIENCE,
      WARDEN_OIDC_JWKS: issuer.jwksFile,
    });
    const auth = ApproverAuthenticator.fromConfig(config);
    expect((await auth.verify({ token: await issuer.token('carol') })).user.id).toBe('carol');
    expect((await auth.verify({ token: BOB_TOKEN })).authentication).toBe('token');
    await expect(auth.verify({ token: 'a.b.c' })).rejects.toThrow(/OIDC token refused/);
    await expect(auth.verify({ as: 'alice' })).rejects.toThrow(/--as is refused in production/);
    expect(() => loadConfig({ WARDEN_OIDC_ISSUER: ISSUER })).toThrow(/must be set together/);
  });
});
