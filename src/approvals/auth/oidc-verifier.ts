import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { WardenConfig } from '../../config/env.ts';
import { ApproverAuthError, type ApproverIdentity, parseUserRef } from './approver-identity.ts';
import type { CredentialVerifier } from './credential-verifier.ts';

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Asymmetric algorithms only: a shared-secret (HS*) token could be minted by anyone holding the secret. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

export interface OidcVerifierOptions {
  issuer: string;
  audience: string;
  /** The issuer's keys: a JWKS JSON file, or an https URL (fetched and cached by jose). */
  jwks: string;
  /** The claim that names the user (default `sub`): the user is `User:<claim>`. */
  userClaim?: string;
  now?: () => Date;
}

/** Verifies OIDC JWTs (signature against the issuer's JWKS, issuer, audience, expiry) with `jose`. */
export class OidcVerifier implements CredentialVerifier {
  readonly name: string;
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: OidcVerifierOptions) {
    this.name = `oidc ${options.issuer}`;
    this.keys = /^https?:\/\//.test(options.jwks)
      ? createRemoteJWKSet(new URL(options.jwks))
      : createLocalJWKSet(readJwks(options.jwks));
  }

  static fromConfig(config: WardenConfig): OidcVerifier | undefined {
    const { WARDEN_OIDC_ISSUER: issuer, WARDEN_OIDC_AUDIENCE: audience, WARDEN_OIDC_JWKS: jwks } = config;
    if (issuer === undefined || audience === undefined || jwks === undefined) return undefined;
    return new OidcVerifier({ issuer, audience, jwks, userClaim: config.WARDEN_OIDC_USER_CLAIM });
  }

  accepts(credential: string): boolean {
    return JWT.test(credential);
  }

  async verify(credential: string): Promise<ApproverIdentity> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(credential, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
        ...(this.options.now ? { currentDate: this.options.now() } : {}),
      }));
    } catch (error) {
      throw new ApproverAuthError(`OIDC token refused: ${refusal(error)}`);
    }
    const claim = this.options.userClaim ?? 'sub';
    const value = payload[claim];
    if (typeof value !== 'string' || value === '') {
      throw new ApproverAuthError(`OIDC token refused: it has no ${claim} claim naming the user`);
    }
    let user: ApproverIdentity['user'];
    try {
      user = parseUserRef(`User:${value}`);
    } catch {
      throw new ApproverAuthError(`OIDC token refused: ${claim} "${value}" is not a usable user id`);
    }
    const identity: ApproverIdentity = { user, authentication: 'oidc', tokenLabel: this.name };
    if (typeof payload.exp === 'number') identity.tokenExpiresAt = new Date(payload.exp * 1000).toISOString();
    return identity;
  }
}

function readJwks(file: string): JSONWebKeySet {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
  } catch (error) {
    throw new ApproverAuthError(
      `WARDEN_OIDC_JWKS: cannot read a JWKS from ${file} (${(error as Error).message})`,
    );
  }
}

function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `${error.claim} claim check failed (${error.reason})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed by a key the issuer does not publish';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  return error instanceof Error ? error.message : String(error);
}
