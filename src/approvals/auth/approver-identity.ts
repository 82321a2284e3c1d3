import type { OsoValue } from '../../authz/types.ts';
import type { Authentication } from '../../guard/types.ts';

/**
 * Who is approving, or starting a run, as established by Warden (never by a free-text field a person
 * fills in). `unauthenticated-dev` marks the development-only `--as` shortcut so it stands out.
 */
export interface ApproverIdentity {
  user: OsoValue;
  authentication: Authentication;
  /** Which configured token was used (its label, never the token itself). */
  tokenLabel?: string;
  /** ISO time the token stops being accepted; sessions opened with it end then too. */
  tokenExpiresAt?: string;
}

/** `User:bob` → `{type:'User', id:'bob'}`; a bare `bob` means a user. */
export function parseUserRef(text: string): OsoValue {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const [type, id] = colon === -1 ? ['User', trimmed] : [trimmed.slice(0, colon), trimmed.slice(colon + 1)];
  if (!/^[A-Z][A-Za-z0-9_]*$/.test(type) || !/^[A-Za-z0-9_.@-]+$/.test(id)) {
    throw new ApproverAuthError(`invalid identity "${text}": expected Type:id, e.g. User:bob`);
  }
  return { type, id };
}

export class ApproverAuthError extends Error {
  override name = 'ApproverAuthError';
}
