import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApproverIdentity } from '../approvals/auth/approver-identity.ts';

const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** Every id and token this module issues: 32 random bytes, base64url. */
const ISSUED_VALUE = /^[A-Za-z0-9_-]{43}$/;

export interface CookieNames {
  /** The signed-in session. */
  session: string;
  /** The pre-session CSRF token the sign-in form carries (double submit). */
  signIn: string;
}

/**
 * With Secure cookies the names take the `__Host-` prefix: the browser then accepts them only from
 * this origin over TLS, with Path=/ and no Domain, so neither a sibling subdomain nor a plain-HTTP
 * page on the same host can plant or overwrite them.
 */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}warden_session`, signIn: `${prefix}warden_signin` };
}

export function newRandomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a cookie value has the shape of what this server issues (anything else is malformed). */
export function isIssuedValue(value: string): boolean {
  return ISSUED_VALUE.test(value);
}

export interface WebSession {
  identity: ApproverIdentity;
  /** Per-session token every form carries; checked on each POST. */
  csrfToken: string;
  expiresAt: number;
  flash?: string;
}

/** In-memory sessions: the page serves approvers of one Warden deployment, restarts log them out. */
export class SessionStore {
  private readonly sessions = new Map<string, WebSession>();

  constructor(private readonly now: () => number = Date.now) {}

  create(identity: ApproverIdentity, tokenExpiresAt?: Date): { id: string; session: WebSession } {
    const id = newRandomToken();
    const ttlEnd = this.now() + SESSION_TTL_MS;
    const session: WebSession = {
      identity,
      csrfToken: newRandomToken(),
      // A session never outlives the token it was opened with.
      expiresAt: tokenExpiresAt ? Math.min(ttlEnd, tokenExpiresAt.getTime()) : ttlEnd,
    };
    this.sessions.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): WebSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}

/** Constant-time comparison of a presented CSRF token with the expected one. */
export function tokensMatch(expected: string | undefined, presented: unknown): boolean {
  if (expected === undefined || typeof presented !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function csrfMatches(session: WebSession, presented: unknown): boolean {
  return tokensMatch(session.csrfToken, presented);
}
