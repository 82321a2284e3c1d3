import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApproverAuthError } from '../approvals/auth/approver-identity.ts';
import type { ApproverAuthenticator } from '../approvals/auth/authenticate.ts';
import type { ApprovalsBackend } from './approvals-backend.ts';
import { approvalsPage, loginPage } from './pages.ts';
import { csrfMatches, readCookie, SESSION_COOKIE, SessionStore, type WebSession } from './sessions.ts';

export interface ApprovalsServerOptions {
  authenticator: ApproverAuthenticator;
  backend: ApprovalsBackend;
  /** Set the Secure cookie flag (behind TLS). */
  secureCookies?: boolean;
  recentLimit?: number;
}

const decideForm = z.object({
  csrf: z.string(),
  run: z.string().min(1).max(300),
  call: z.string().min(1).max(300),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().min(1, 'a reason is required').max(500),
});

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/**
 * The approvals page: server-rendered HTML, no scripts, no external assets. Sign-in with an approver
 * token opens an HttpOnly SameSite=Strict cookie session; every POST carries the session's CSRF token
 * and must come from this origin. The approver's identity comes from the session, never from the form.
 */
export async function createApprovalsServer(options: ApprovalsServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  await app.register(formbody);
  const sessions = new SessionStore();
  const cookieFlags = `HttpOnly; SameSite=Strict; Path=/${options.secureCookies ? '; Secure' : ''}`;

  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  const sessionOf = (request: FastifyRequest) => {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    return { id, session: sessions.get(id) };
  };

  /** Refuses cross-site POSTs (a browser always sends Origin on POST). */
  const sameOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };

  const renderApprovals = async (reply: FastifyReply, session: WebSession) => {
    const flash = session.flash;
    delete session.flash;
    const [pending, recent] = await Promise.all([
      options.backend.listPending(),
      options.backend.recentDecisions(options.recentLimit ?? 20),
    ]);
    const error = flash?.startsWith('!') ?? false;
    return reply.type('text/html; charset=utf-8').send(
      approvalsPage({
        session,
        pending,
        recent,
        now: Date.now(),
        ...(flash ? { flash: { text: error ? flash.slice(1) : flash, error } } : {}),
      }),
    );
  };

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/', async (request, reply) => {
    const { session } = sessionOf(request);
    if (!session) return reply.type('text/html; charset=utf-8').send(loginPage());
    return renderApprovals(reply, session);
  });

  app.post('/login', async (request, reply) => {
    if (!sameOrigin(request)) return reply.code(403).send('cross-site request refused');
    const token = (request.body as { token?: unknown } | undefined)?.token;
    try {
      const identity = options.authenticator.authenticate({ token: typeof token === 'string' ? token : '' });
      const expires = identity.tokenExpiresAt ? new Date(identity.tokenExpiresAt) : undefined;
      const { id } = sessions.create(identity, expires);
      reply.header('set-cookie', `${SESSION_COOKIE}=${id}; ${cookieFlags}`);
      return reply.redirect('/', 303);
    } catch (error) {
      const message = error instanceof ApproverAuthError ? error.message : 'sign-in failed';
      return reply.code(401).type('text/html; charset=utf-8').send(loginPage(message));
    }
  });

  app.post('/logout', async (request, reply) => {
    const { id, session } = sessionOf(request);
    if (session && csrfMatches(session, (request.body as { csrf?: unknown } | undefined)?.csrf)) {
      sessions.delete(id);
    }
    reply.header('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; ${cookieFlags}`);
    return reply.redirect('/', 303);
  });

  app.post('/decide', async (request, reply) => {
    const { session } = sessionOf(request);
    if (!session) return reply.code(401).type('text/html; charset=utf-8').send(loginPage('session expired'));
    const body = request.body as { csrf?: unknown } | undefined;
    if (!sameOrigin(request) || !csrfMatches(session, body?.csrf)) {
      return reply.code(403).send('invalid or missing CSRF token');
    }
    const form = decideForm.safeParse(body);
    if (!form.success) {
      session.flash = `!${form.error.issues[0]?.message ?? 'invalid form'}`;
      return reply.redirect('/', 303);
    }
    const { run, call, decision, reason } = form.data;
    try {
      session.flash = await options.backend.decide(session.identity, {
        workflowId: run,
        callId: call,
        approve: decision === 'approve',
        reason,
      });
    } catch (error) {
      session.flash = `!${error instanceof Error ? (error.message.split('\n')[0] ?? 'refused') : String(error)}`;
    }
    return reply.redirect('/', 303);
  });

  return app;
}
