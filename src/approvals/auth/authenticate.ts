import type { WardenConfig } from '../../config/env.ts';
import { ApproverAuthError, type ApproverIdentity, parseUserRef } from './approver-identity.ts';
import type { CredentialVerifier } from './credential-verifier.ts';
import { OidcVerifier } from './oidc-verifier.ts';
import { findToken, loadTokenRegistry, type TokenEntry } from './token-registry.ts';
import { estimateTokenBits, productionTokenWeakness } from './token-strength.ts';

export interface ApproverCredentials {
  token?: string;
  /** Development only: act as this user without a token. */
  as?: string;
}

/**
 * Verifies the credentials of approvers and of users starting runs: the configured tokens, then any
 * pluggable verifier (OIDC). Throws ApproverAuthError, one line.
 */
export class ApproverAuthenticator {
  private readonly registry: TokenEntry[];

  constructor(
    private readonly mode: WardenConfig['WARDEN_MODE'],
    tokensSetting: string | undefined,
    private readonly now: () => Date = () => new Date(),
    private readonly verifiers: CredentialVerifier[] = [],
  ) {
    this.registry = loadTokenRegistry(tokensSetting);
    if (mode === 'production') {
      this.registry.forEach((entry, index) => {
        const weakness =
          entry.strengthBits === undefined ? undefined : productionTokenWeakness(entry.strengthBits);
        if (weakness)
          throw new ApproverAuthError(`WARDEN_APPROVER_TOKENS entry ${index + 1}: token ${weakness}`);
      });
    }
  }

  static fromConfig(config: WardenConfig): ApproverAuthenticator {
    const oidc = OidcVerifier.fromConfig(config);
    return new ApproverAuthenticator(
      config.WARDEN_MODE,
      config.WARDEN_APPROVER_TOKENS,
      () => new Date(),
      oidc ? [oidc] : [],
    );
  }

  get configuredTokens(): number {
    return this.registry.length;
  }

  /**
   * Like `authenticate`, and a credential the configured tokens do not know goes to the first
   * verifier that accepts its form (an OIDC JWT).
   */
  async verify(credentials: ApproverCredentials): Promise<ApproverIdentity> {
    const token = credentials.token?.trim();
    if (token && credentials.as === undefined && findToken(this.registry, token) === undefined) {
      const verifier = this.verifiers.find((v) => v.accepts(token));
      if (verifier) return verifier.verify(token);
    }
    return this.authenticate(credentials);
  }

  /** The configured tokens and the development `--as` only (synchronous). */
  authenticate(credentials: ApproverCredentials): ApproverIdentity {
    const token = credentials.token?.trim();
    if (credentials.as !== undefined && token) {
      throw new ApproverAuthError('give either an approver token or --as, not both');
    }
    if (credentials.as !== undefined) return this.developmentIdentity(credentials.as);
    if (!token) {
      throw new ApproverAuthError(
        'no approver token: set WARDEN_TOKEN, or pass --token / --token-file' +
          (this.mode === 'development' ? ' (or --as <user> in development mode)' : ''),
      );
    }
    return this.tokenIdentity(token);
  }

  private developmentIdentity(as: string): ApproverIdentity {
    if (this.mode === 'production') {
      throw new ApproverAuthError('--as is refused in production mode: authenticate with an approver token');
    }
    return { user: parseUserRef(as), authentication: 'unauthenticated-dev' };
  }

  private tokenIdentity(token: string): ApproverIdentity {
    if (this.registry.length === 0) {
      throw new ApproverAuthError(
        `no approver tokens are configured (WARDEN_APPROVER_TOKENS)${this.verifiers.length > 0 ? ' and no verifier accepts this credential' : ''}`,
      );
    }
    // Hashed registries cannot be checked at load; a weak token is refused when presented instead.
    if (this.mode === 'production') {
      const weakness = productionTokenWeakness(estimateTokenBits(token));
      if (weakness) throw new ApproverAuthError(`approver token refused: ${weakness}`);
    }
    const entry = findToken(this.registry, token);
    if (!entry) throw new ApproverAuthError('unknown approver token');
    if (entry.expiresAt && entry.expiresAt.getTime() <= this.now().getTime()) {
      throw new ApproverAuthError(`approver token expired at ${entry.expiresAt.toISOString()}`);
    }
    const identity: ApproverIdentity = { user: entry.user, authentication: 'token', tokenLabel: entry.label };
    if (entry.expiresAt) identity.tokenExpiresAt = entry.expiresAt.toISOString();
    return identity;
  }
}
