import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApproverAuthError, type ApproverIdentity } from '../approvals/auth/approver-identity.ts';
import type { ApproverAuthenticator } from '../approvals/auth/authenticate.ts';
import type { RunReadDecision } from '../audit/run-access.ts';
import type { OsoValue } from '../authz/types.ts';
import { formatValue } from '../authz/values.ts';
import { isEncrypted, PayloadDecryptionError, payloadWorkflowId } from '../temporal/encryption-codec.ts';
import { html } from './html.ts';
import { SessionStore } from './sessions.ts';
import { DEFAULT_SIGN_IN_LIMITS, type SignInLimits, SignInThrottle } from './sign-in-throttle.ts';

const DEFAULT_CODEC_REQUESTS_PER_MINUTE = 600;

/** Distinct from the approvals page's cookie: browsers share one cookie jar for every port of a host. */
export const CODEC_SESSION_COOKIE = 'warden_codec_session';

export interface CodecServerOptions {
  codec: PayloadCodec;
  authenticator: ApproverAuthenticator;
  /** Whether an identity may read (decrypt) the payloads of a workflow. */
  access: { decide(actor: OsoValue, workflowId: string): Promise<RunReadDecision> };
  /** The namespace whose payloads this server decodes; a request naming another is refused. */
  namespace: string;
  /** Origins allowed to call /encode and /decode from a browser (Temporal Web). */
  corsOrigins: string[];
  secureCookies?: boolean;
  /** Failed bearer-token and sign-in attempts before an address (or everyone) is locked out. */
  signInLimits?: Partial<SignInLimits>;
  /**
   * Requests to /encode and /decode one client address may make per minute (default 600). Temporal
   * Web asks once per payload group of a page, so this is far above a person's browsing and far
   * below a key-guessing or decryption-oracle loop.
   */
  codecRequestsPerMinute?: number;
  /** One line per decision (who, which runs, allowed or why not): the codec server's audit log. */
  log?: (line: string) => void;
}

const base64 = z
  .string()
  .max(8 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
const payloadsBody = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(10_000),
});
type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

function fromJson(payload: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {}))
    metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(payload.data ?? '', 'base64') };
}

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    metadata[key] = Buffer.from(value ?? []).toString('base64');
  }
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function signInPage(signedInAs?: string, message?: string) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Warden codec server</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>Warden codec server</h1>
<p>Decrypts Warden payloads for Temporal Web, for the runs the policy lets you read.</p>
${message ? html`<p role="alert">${message}</p>` : ''}
${
  signedInAs
    ? html`<p role="status">Signed in as ${signedInAs}.</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`
    : html`<form method="post" action="/login">
<label>Approver token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>`
}
<p>In Temporal Web, the codec endpoint is this server with “include cross-origin credentials” on.</p>
</body></html>`.toString();
}

/**
 * Temporal's remote codec protocol (`POST …/encode`, `POST …/decode` with `{payloads:[…]}` in proto
 * JSON) for Warden's encrypted payloads. Every request is authenticated: an approver token as
 * `Authorization: Bearer …` (the Temporal CLI's `--codec-auth`), or the session cookie this server's
 * own sign-in page sets (Temporal Web with "include cross-origin credentials"). Decoding is per run:
 * each encrypted payload names its workflow, and the whole request is refused unless the policy lets
 * the caller read every one of them; a payload bound to no run is refused too.
 */
export async function createCodecServer(options: CodecServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
  await app.register(cookie);
  await app.register(formbody);
  // Counted per address; `continueExceeding` keeps a client that goes on over its limit locked out.
  await app.register(rateLimit, { global: false, continueExceeding: true });
  const throttle = new SignInThrottle(app, { ...DEFAULT_SIGN_IN_LIMITS, ...options.signInLimits });
  // One budget per address for every encode and decode path (Temporal Web appends /encode or
  // /decode to any prefix), counted before the body is read.
  const codecBudget = app.createRateLimit({
    max: options.codecRequestsPerMinute ?? DEFAULT_CODEC_REQUESTS_PER_MINUTE,
    timeWindow: 60_000,
  });
  app.addHook('onRequest', async (request, reply) => {
    const route = request.url.split('?')[0];
    if (request.method !== 'POST' || route === '/login' || route === '/logout') return;
    const budget = await codecBudget(request);
    // `isAllowed` means allow-listed (never limited); otherwise the count decides.
    if (budget.isAllowed || !budget.isExceeded) return;
    const retryAfterSeconds = Math.max(1, budget.ttlInSeconds);
    return reply
      .code(429)
      .header('retry-after', String(retryAfterSeconds))
      .send({ error: `too many codec requests from your address: try again in ${retryAfterSeconds} s` });
  });
  const sessions = new SessionStore();
  const log = options.log ?? (() => {});
  const allowedOrigins = new Set(options.corsOrigins);
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/',
    secure: options.secureCookies ?? false,
  };

  app.addHook('onSend', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    const origin = request.headers.origin;
    if (origin !== undefined && allowedOrigins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
    }
  });

  /** Who a request is from: a bearer token (each failure counts towards a lockout), or a session. */
  const identityOf = async (
    request: FastifyRequest,
  ): Promise<
    | { kind: 'identity'; identity: ApproverIdentity | undefined }
    | { kind: 'locked'; why: string; retryAfterSeconds: number }
  > => {
    const header = request.headers.authorization;
    if (header === undefined) {
      const sessionId = request.cookies[CODEC_SESSION_COOKIE];
      return { kind: 'identity', identity: sessions.get(sessionId)?.identity };
    }
    const outcome = await throttle.attempt(request, () => {
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      // A malformed or unknown bearer token is refused even if a session cookie is present.
      if (!match?.[1]) throw new ApproverAuthError('expected Authorization: Bearer <approver token>');
      return options.authenticator.authenticate({ token: match[1] });
    });
    if (outcome.kind === 'failed') throw outcome.error;
    if (outcome.kind === 'locked') return outcome;
    return { kind: 'identity', identity: outcome.value };
  };

  /** Refuses cross-site form posts: browsers send Origin on every POST. */
  const sameOrigin = (request: FastifyRequest): boolean => {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };

  const authenticated = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<ApproverIdentity | undefined> => {
    try {
      const outcome = await identityOf(request);
      if (outcome.kind === 'locked') {
        void reply
          .code(429)
          .header('retry-after', String(outcome.retryAfterSeconds))
          .send({ error: `${outcome.why}: try again in ${outcome.retryAfterSeconds} s` });
        return undefined;
      }
      if (outcome.identity) return outcome.identity;
      void reply.code(401).send({ error: 'sign in: Authorization: Bearer <approver token>, or a session' });
    } catch (error) {
      const message = error instanceof ApproverAuthError ? error.message : 'authentication failed';
      void reply.code(401).send({ error: message });
    }
    return undefined;
  };

  const namespaceOk = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const namespace = request.headers['x-namespace'];
    if (namespace === undefined || namespace === options.namespace) return true;
    void reply.code(403).send({ error: `this codec server serves namespace ${options.namespace}` });
    return false;
  };

  const parse = (request: FastifyRequest, reply: FastifyReply): Payload[] | undefined => {
    const parsed = payloadsBody.safeParse(request.body);
    if (parsed.success) return parsed.data.payloads.map(fromJson);
    void reply
      .code(400)
      .send({ error: `expected {"payloads":[…]}: ${parsed.error.issues[0]?.message ?? ''}` });
    return undefined;
  };

  // Temporal Web appends /encode or /decode to the configured endpoint: only the last segment counts.
  const preflight = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowedOrigins.has(origin)) return reply.code(403).send();
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header(
        'access-control-allow-headers',
        'content-type, x-namespace, authorization, authorization-extras',
      )
      .header('access-control-max-age', '600')
      .send();
  };
  app.options('/encode', preflight);
  app.options('/decode', preflight);
  app.options('/*', preflight);

  const decode = async (request: FastifyRequest, reply: FastifyReply) => {
    const identity = await authenticated(request, reply);
    if (!identity || !namespaceOk(request, reply)) return reply;
    const payloads = parse(request, reply);
    if (!payloads) return reply;
    const who = formatValue(identity.user);
    const runs = new Set<string>();
    for (const payload of payloads) {
      if (!isEncrypted(payload)) continue;
      const workflowId = payloadWorkflowId(payload);
      if (workflowId === undefined) {
        log(`codec: decode refused for ${who}: a payload bound to no run`);
        return reply.code(403).send({ error: 'refused: a payload is bound to no run' });
      }
      runs.add(workflowId);
    }
    for (const workflowId of runs) {
      const decision = await options.access.decide(identity.user, workflowId);
      if (!decision.allowed) {
        log(`codec: decode refused for ${who} on ${workflowId}: ${decision.reason}`);
        return reply.code(403).send({ error: `refused: ${who} may not read run ${workflowId}` });
      }
    }
    try {
      // Each payload is decrypted under its own run: the key's authenticated data names the run.
      const decoded = await Promise.all(
        payloads.map(async (payload) => {
          const workflowId = payloadWorkflowId(payload);
          const context = workflowId
            ? { type: 'workflow' as const, namespace: options.namespace, workflowId }
            : undefined;
          const [result] = await options.codec.decode([payload], context);
          return result ?? payload;
        }),
      );
      if (runs.size > 0)
        log(`codec: decoded ${payloads.length} payload(s) for ${who} of ${[...runs].join(', ')}`);
      return reply.send({ payloads: decoded.map(toJson) });
    } catch (error) {
      if (error instanceof PayloadDecryptionError) {
        log(`codec: decode failed for ${who}: ${error.message}`);
        return reply.code(400).send({ error: error.message });
      }
      throw error;
    }
  };

  const encode = async (request: FastifyRequest, reply: FastifyReply) => {
    const identity = await authenticated(request, reply);
    if (!identity || !namespaceOk(request, reply)) return reply;
    const payloads = parse(request, reply);
    if (!payloads) return reply;
    const encoded = await options.codec.encode(payloads);
    return reply.send({ payloads: encoded.map(toJson) });
  };

  const endpoints = (request: FastifyRequest, reply: FastifyReply) => {
    const last = request.url.split('?')[0]?.split('/').pop();
    if (last === 'decode') return decode(request, reply);
    if (last === 'encode') return encode(request, reply);
    return reply.code(404).send({ error: 'POST …/encode or …/decode' });
  };
  app.post('/encode', encode);
  app.post('/decode', decode);
  app.post('/*', endpoints);

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/', async (request, reply) => {
    const session = sessions.get(request.cookies[CODEC_SESSION_COOKIE]);
    const who = session ? formatValue(session.identity.user) : undefined;
    return reply.type('text/html; charset=utf-8').send(signInPage(who));
  });

  app.post('/login', async (request, reply) => {
    if (!sameOrigin(request)) return reply.code(403).send('cross-site request refused');
    const token = (request.body as { token?: unknown } | undefined)?.token;
    const outcome = await throttle.attempt(request, () =>
      options.authenticator.authenticate({ token: typeof token === 'string' ? token : '' }),
    );
    if (outcome.kind === 'locked') {
      const message = `${outcome.why}: try again in ${outcome.retryAfterSeconds} s`;
      return reply
        .code(429)
        .header('retry-after', String(outcome.retryAfterSeconds))
        .type('text/html; charset=utf-8')
        .send(signInPage(undefined, message));
    }
    if (outcome.kind === 'failed') {
      const message = outcome.error instanceof ApproverAuthError ? outcome.error.message : 'sign-in failed';
      return reply.code(401).type('text/html; charset=utf-8').send(signInPage(undefined, message));
    }
    const identity = outcome.value;
    const expires = identity.tokenExpiresAt ? new Date(identity.tokenExpiresAt) : undefined;
    const { id } = sessions.create(identity, expires);
    reply.setCookie(CODEC_SESSION_COOKIE, id, cookieOptions);
    log(`codec: ${formatValue(identity.user)} signed in (${identity.tokenLabel ?? identity.authentication})`);
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    if (!sameOrigin(request)) return reply.code(403).send('cross-site request refused');
    sessions.delete(request.cookies[CODEC_SESSION_COOKIE]);
    reply.clearCookie(CODEC_SESSION_COOKIE, cookieOptions);
    return reply.redirect('/', 303);
  });

  return app;
}
