import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export const ISSUER = 'https://login.acme.example';
export const AUDIENCE = 'warden';

/** A locally generated OIDC issuer: an ES256 key, its JWKS written to a file, and tokens it signs. */
export async function localIssuer(dir: string, kid = 'acme-1') {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwksFile = path.join(dir, `jwks-${kid}-${randomUUID()}.json`);
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256' }] }));
  return {
    jwksFile,
    token(subject: string, claims: JWTPayload & { expiresIn?: string } = {}) {
      const { expiresIn, ...rest } = claims;
      return new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...rest })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime(expiresIn ?? '5m')
        .sign(privateKey);
    },
  };
}
