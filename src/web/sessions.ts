import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApproverIdentity } from '../approvals/auth/approver-identity.ts';

export const SESSION_COOKIE = 'warden_session';
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

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
    const id = randomBytes(32).toString('base64url');
    const ttlEnd = this.now() + SESSION_TTL_MS;
    const session: WebSession = {
      identity,
      csrfToken: randomBytes(32).toString('base64url'),
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

export function csrfMatches(session: WebSession, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
