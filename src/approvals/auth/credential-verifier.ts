import type { ApproverIdentity } from './approver-identity.ts';

/**
 * A way of proving who someone is with a bearer credential, beside the configured tokens: an OIDC
 * ID or access token, say. The authenticator asks each verifier in turn whether a credential has
 * its form; the first that claims it decides, and refuses it with an ApproverAuthError.
 */
export interface CredentialVerifier {
  /** A short name for messages, e.g. `oidc https://login.example`. */
  readonly name: string;
  accepts(credential: string): boolean;
  verify(credential: string): Promise<ApproverIdentity>;
}
