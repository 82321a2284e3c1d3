import fastifyCookie, { type CookieSerializeOptions } from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApproverAuthError } from '../approvals/auth/approver-identity.ts';
import type { ApproverAuthenticator } from '../approvals/auth/authenticate.ts';
import { InvalidCursorError } from '../approvals/listing-cursor.ts';
import { formatValue } from '../authz/values.ts';
import type { ApprovalsBackend } from './approvals-backend.ts';
import { HostAllowList } from './host-allow-list.ts';
import type { ApprovalVisibility } from './need-to-know.ts';
import { approvalsPage, callPage, loginPage } from './pages.ts';
import {
  cookieNames,
  csrfMatches,
  isIssuedValue,
  newRandomToken,
  SessionStore,
  tokensMatch,
  type WebSession,
} from './sessions.ts';
import { DEFAULT_SIGN_IN_LIMITS, type SignInLimits, SignInThrottle } from './sign-in-throttle.ts';

export interface ApprovalsServerOptions {
  authenticator: ApproverAuthenticator;
  backend: ApprovalsBackend;
  /** Who may see which calls and decisions (need-to-know). */
  visibility: ApprovalVisibility;
  /** Secure, `__Host-` cookies: the page is reached over TLS (here or at a proxy in front). */
  secureCookies?: boolean;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** WARDEN_WEB_ALLOWED_HOSTS: names the page answers to besides the loopback names. */
  allowedHosts?: string;
  /** Fastify's `trustProxy`: which proxies' X-Forwarded-For names the client address. */
  trustProxy?: string;
  signInLimits?: Partial<SignInLimits>;
  /** Requests one address may make per minute to any route (each page view queries Temporal). */
  requestsPerMinute?: number;
  /**
   * Listings (the pending page, a call's page) one approver may load per minute, from any address:
   * each reads up to a page of runs from Temporal, so a stolen token cannot make the page a cheap
   * way to load the workers. Default 60.
   */
  listingsPerMinute?: number;
  /** Runs one page of the pending listing reads (the backend's page size otherwise). */
  pageSize?: number;
  recentLimit?: number;
}

const decideForm = z.object({
  csrf: z.string(),
  run: z.string().min(1).max(300),
  call: z.string().min(1).max(300),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().min(1, 'a reason is required').max(500),
});

const callQuery = z.object({ run: z.string().min(1).max(300), call: z.string().min(1).max(300) });
const listQuery = z.object({ after: z.string().min(1).max(2048).optional() });

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const HTML = 'text/html; charset=utf-8';

function formField(request: FastifyRequest, name: string): unknown {
  const body = request.body;
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/**
 * The approvals page: server-rendered HTML, no scripts, no external assets. It answers only to
 * allowed Host names; sign-in with an approver token is throttled and opens an HttpOnly
 * SameSite=Strict cookie session (Secure and `__Host-` behind TLS); every POST, sign-in and sign-out
 * included, carries a CSRF token and must come from this origin. The approver's identity comes from
 * the session, never from the form, and a user sees only the calls the policy lets her approve.
 */
export async function createApprovalsServer(options: ApprovalsServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    // HTTP and HTTPS instances differ only in their raw server type, which nothing below touches.
  }) as unknown as FastifyInstance;
  const hosts = new HostAllowList(options.allowedHosts);
  const secure = options.secureCookies ?? options.tls !== undefined;
  const names = cookieNames(secure);
  const cookieOptions: CookieSerializeOptions = { httpOnly: true, sameSite: 'strict', path: '/', secure };
  const sessions = new SessionStore();

  // First of all hooks: a request under a name we do not serve (DNS rebinding) gets nothing.
  app.addHook('onRequest', async (request, reply) => {
    const allowed = hosts.allows({
      host: request.headers.host,
      localPort: request.socket.localPort,
      tls: options.tls !== undefined,
    });
    if (!allowed) return reply.code(421).type('text/plain; charset=utf-8').send('unknown host name');
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  await app.register(fastifyCookie);
  // Only our own cookies are judged: other local apps may set anything on this host name.
  app.addHook('onRequest', async (request, reply) => {
    for (const name of [names.session, names.signIn]) {
      const value = request.cookies[name];
      if (value !== undefined && !isIssuedValue(value)) {
        return reply.code(400).type('text/plain; charset=utf-8').send(`malformed ${name} cookie`);
      }
    }
  });
  await app.register(rateLimit, {
    global: true,
    max: options.requestsPerMinute ?? 300,
    timeWindow: 60_000,
    continueExceeding: true,
  });
  await app.register(formbody);
  const throttle = new SignInThrottle(app, { ...DEFAULT_SIGN_IN_LIMITS, ...options.signInLimits });

  const sessionOf = (request: FastifyRequest) => {
    const id = request.cookies[names.session];
    return { id, session: sessions.get(id) };
  };

  // Counted per approver, not per address: one token's sessions share one budget wherever they are.
  // Over budget, each reload starts the window again (continueExceeding): a person who waits a
  // minute gets back in, a script that keeps reloading stays out.
  const listingBudget = app.createRateLimit({
    max: options.listingsPerMinute ?? 60,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const { session } = sessionOf(request);
      return session ? `approver ${formatValue(session.identity.user)}` : 'no session';
    },
  });
  /** Whether this approver may load another listing now; answers 429 with Retry-After when not. */
  const withinListingBudget = async (request: FastifyRequest, reply: FastifyReply, session: WebSession) => {
    const budget = await listingBudget(request);
    // `isAllowed` is true only for an allow-listed key; any other answer says whether it is over.
    if (budget.isAllowed || !budget.isExceeded) return true;
    const seconds = Math.max(1, budget.ttlInSeconds);
    reply
      .code(429)
      .header('retry-after', String(seconds))
      .type('text/plain; charset=utf-8')
      .send(
        `too many page loads for ${formatValue(session.identity.user)} (each reads runs from Temporal): try again in ${seconds} s`,
      );
    return false;
  };

  /** Refuses cross-site POSTs (a browser always sends Origin on POST). */
  const sameOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      const url = new URL(origin);
      return url.host === request.headers.host && url.protocol === `${request.protocol}:`;
    } catch {
      return false;
    }
  };

  /** The sign-in form's CSRF token: a random value in a cookie and the form (double submit). */
  const signInToken = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[names.signIn];
    if (existing !== undefined) return existing;
    const token = newRandomToken();
    reply.setCookie(names.signIn, token, cookieOptions);
    return token;
  };

  const showLogin = (request: FastifyRequest, reply: FastifyReply, code: number, error?: string) =>
    reply
      .code(code)
      .type(HTML)
      .send(loginPage(signInToken(request, reply), error));

  const takeFlash = (session: WebSession) => {
    const flash = session.flash;
    delete session.flash;
    if (!flash) return {};
    const error = flash.startsWith('!');
    return { flash: { text: error ? flash.slice(1) : flash, error } };
  };

  const renderApprovals = async (reply: FastifyReply, session: WebSession, after?: string) => {
    const visible = options.visibility.forIdentity(session.identity);
    const page = {
      ...(options.pageSize !== undefined ? { limit: options.pageSize } : {}),
      ...(after !== undefined ? { after } : {}),
    };
    let listing: Awaited<ReturnType<ApprovalsBackend['listPending']>>;
    try {
      listing = await options.backend.listPending(page);
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      return reply
        .code(400)
        .type(HTML)
        .send(approvalsPage({ session, pending: [], recent: [], now: Date.now(), refused: error.message }));
    }
    const [pending, recent] = await Promise.all([
      visible.pending(listing.items),
      options.backend.recentDecisions(options.recentLimit ?? 20).then((rows) => visible.decisions(rows)),
    ]);
    return reply.type(HTML).send(
      approvalsPage({
        session,
        pending,
        recent,
        now: Date.now(),
        ...(listing.next !== undefined ? { next: listing.next } : {}),
        laterPage: after !== undefined,
        ...takeFlash(session),
      }),
    );
  };

  /** The pending call if this user may see it; the same undefined whether it is missing or hidden. */
  const visibleCall = async (session: WebSession, workflowId: string, callId: string) => {
    const item = await options.backend.pendingCall(workflowId, callId);
    if (item === undefined) return undefined;
    return (await options.visibility.forIdentity(session.identity).maySee(item)) ? item : undefined;
  };

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/', async (request, reply) => {
    const { session } = sessionOf(request);
    if (!session) return showLogin(request, reply, 200);
    const query = listQuery.safeParse(request.query);
    if (!query.success)
      return reply.code(400).type('text/plain; charset=utf-8').send('malformed page cursor');
    if (!(await withinListingBudget(request, reply, session))) return reply;
    return renderApprovals(reply, session, query.data.after);
  });

  app.get('/call', async (request, reply) => {
    const { session } = sessionOf(request);
    if (!session) return showLogin(request, reply, 401, 'sign in to see this call');
    if (!(await withinListingBudget(request, reply, session))) return reply;
    const query = callQuery.safeParse(request.query);
    const item = query.success ? await visibleCall(session, query.data.run, query.data.call) : undefined;
    if (!item) {
      return reply
        .code(404)
        .type(HTML)
        .send(callPage({ session, now: Date.now() }));
    }
    return reply.type(HTML).send(callPage({ session, item, now: Date.now(), ...takeFlash(session) }));
  });

  app.post('/login', async (request, reply) => {
    if (!sameOrigin(request) || !tokensMatch(request.cookies[names.signIn], formField(request, 'csrf'))) {
      return showLogin(request, reply, 403, 'the sign-in form expired or came from another site: try again');
    }
    const token = formField(request, 'token');
    const outcome = await throttle.attempt(request, () =>
      options.authenticator.authenticate({ token: typeof token === 'string' ? token : '' }),
    );
    if (outcome.kind === 'locked') {
      reply.header('retry-after', String(outcome.retryAfterSeconds));
      return showLogin(request, reply, 429, `${outcome.why}: try again in ${outcome.retryAfterSeconds} s`);
    }
    if (outcome.kind === 'failed') {
      const message = outcome.error instanceof ApproverAuthError ? outcome.error.message : 'sign-in failed';
      return showLogin(request, reply, 401, message);
    }
    const identity = outcome.value;
    const expires = identity.tokenExpiresAt ? new Date(identity.tokenExpiresAt) : undefined;
    const { id } = sessions.create(identity, expires);
    reply.setCookie(names.session, id, cookieOptions);
    reply.clearCookie(names.signIn, cookieOptions);
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    const { id, session } = sessionOf(request);
    if (session) {
      if (!sameOrigin(request) || !csrfMatches(session, formField(request, 'csrf'))) {
        return reply.code(403).type('text/plain; charset=utf-8').send('invalid or missing CSRF token');
      }
      sessions.delete(id);
    }
    reply.clearCookie(names.session, cookieOptions);
    return reply.redirect('/', 303);
  });

  app.post('/decide', async (request, reply) => {
    const { session } = sessionOf(request);
    if (!session) return showLogin(request, reply, 401, 'session expired');
    if (!sameOrigin(request) || !csrfMatches(session, formField(request, 'csrf'))) {
      return reply.code(403).type('text/plain; charset=utf-8').send('invalid or missing CSRF token');
    }
    const form = decideForm.safeParse(request.body);
    if (!form.success) {
      session.flash = `!${form.error.issues[0]?.message ?? 'invalid form'}`;
      return reply.redirect('/', 303);
    }
    const { run, call, decision, reason } = form.data;
    const shown = await visibleCall(session, run, call);
    if (!shown) {
      session.flash = `!no call ${call} of ${run} is waiting for your approval`;
      return reply.redirect('/', 303);
    }
    try {
      // What is signed is the call this check just read and let this user see: one read of the run.
      session.flash = await options.backend.decide(session.identity, {
        workflowId: run,
        callId: call,
        approve: decision === 'approve',
        reason,
        shown,
      });
    } catch (error) {
      session.flash = `!${error instanceof Error ? (error.message.split('\n')[0] ?? 'refused') : String(error)}`;
    }
    return reply.redirect('/', 303);
  });

  return app;
}
