import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import type { Authorizer } from '../../../src/authz/types.ts';
import { createApprovalsServer } from '../../../src/web/approvals-server.ts';
import { ApprovalVisibility } from '../../../src/web/need-to-know.ts';
import type { SignInLimits } from '../../../src/web/sign-in-throttle.ts';
import { startApprovalsWeb } from '../../../src/web/start-approvals-web.ts';
import { TemporalApprovalsBackend } from '../../../src/web/temporal-backend.ts';
import { testClient, testConfig } from '../../support/temporal.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BOB = 'bob-7c1e4a9d2f6b3058e1a7c4d9f2b6e381';
const TOKENS = `${BOB}=User:bob`;
/** Wrong tokens that are strong enough to be looked up, like a real guesser's. */
const guess = (i: number) =>
  `guess-${(0x9e3779b97f4a7c15n * BigInt(i + 1)).toString(16).padStart(16, '0')}a1b2c3d4e5f6`;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: fetch cannot set Host, nor pick the client's source address. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: options.method ?? 'GET',
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...options.headers,
        },
        ...(options.from ? { localAddress: options.from } : {}),
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const cookiesOf = (answer: Answer) => (answer.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '');

/** The sign-in form's cookie and CSRF token, as a browser gets them. */
async function signInForm(baseUrl: string, from?: string): Promise<{ cookie: string; csrf: string }> {
  const form = await send(baseUrl, from ? { from } : {});
  const cookie = cookiesOf(form).find((c) => c.includes('warden_signin=')) ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  expect(cookie).not.toBe('');
  return { cookie, csrf };
}

async function signIn(baseUrl: string, token: string, from?: string): Promise<Answer> {
  const { cookie, csrf } = await signInForm(baseUrl, from);
  return send(`${baseUrl}/login`, {
    method: 'POST',
    headers: { cookie },
    body: `csrf=${csrf}&token=${encodeURIComponent(token)}`,
    ...(from ? { from } : {}),
  });
}

describe('approvals page hardening, on a real server', () => {
  let client: Client;
  let authorizer: Authorizer;
  const servers: FastifyInstance[] = [];

  const serve = async (limits: Partial<SignInLimits> = {}, allowedHosts?: string) => {
    const server = await createApprovalsServer({
      authenticator: new ApproverAuthenticator('production', TOKENS),
      backend: new TemporalApprovalsBackend(client, testConfig(), { authorizer, tools: new Map() }),
      visibility: new ApprovalVisibility(authorizer),
      signInLimits: limits,
      ...(allowedHosts ? { allowedHosts } : {}),
    });
    servers.push(server);
    return server.listen({ host: '127.0.0.1', port: 0 });
  };

  beforeAll(async () => {
    client = await testClient();
    authorizer = await createAuthorizer(testConfig());
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await authorizer?.close();
    await client?.connection.close();
  });

  it('locks out an address after N failed sign-ins with 429 and Retry-After; other addresses still sign in', async () => {
    const baseUrl = await serve({ failuresPerAddress: 5, failuresOverall: 100, windowMs: 60_000 });
    const { cookie, csrf } = await signInForm(baseUrl);
    const statuses: number[] = [];
    let locked: Answer | undefined;
    // Bounded: at most 20 guesses, against 127.0.0.1 only.
    for (let i = 0; i < 20 && locked === undefined; i += 1) {
      const answer = await send(`${baseUrl}/login`, {
        method: 'POST',
        headers: { cookie },
        body: `csrf=${csrf}&token=${guess(i)}`,
      });
      statuses.push(answer.status);
      if (answer.status === 429) locked = answer;
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(Number(locked?.headers['retry-after'])).toBeGreaterThanOrEqual(55);
    expect(locked?.body).toContain('too many failed sign-ins from your address');

    // Locked out means locked out: the right token from this address is not even looked at.
    const right = await send(`${baseUrl}/login`, {
      method: 'POST',
      headers: { cookie },
      body: `csrf=${csrf}&token=${BOB}`,
    });
    expect(right.status).toBe(429);
    expect(cookiesOf(right).some((c) => c.includes('warden_session='))).toBe(false);

    // Another client address (loopback 127.0.0.2) is not affected and signs in.
    const other = await signIn(baseUrl, BOB, '127.0.0.2');
    expect(other.status).toBe(303);
    expect(cookiesOf(other).some((c) => /^warden_session=.{43}$/.test(c))).toBe(true);
  });

  it('counts parallel guesses exactly: 40 at once from one address get 5 answers and 35 refusals', async () => {
    const baseUrl = await serve({ failuresPerAddress: 5, failuresOverall: 100, windowMs: 60_000 });
    const { cookie, csrf } = await signInForm(baseUrl);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        send(`${baseUrl}/login`, {
          method: 'POST',
          headers: { cookie },
          body: `csrf=${csrf}&token=${guess(i)}`,
        }).then((a) => a.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
  });

  it('bounds failed sign-ins across all addresses, and refused attempts do not spend that budget', async () => {
    const baseUrl = await serve({ failuresPerAddress: 3, failuresOverall: 5, windowMs: 60_000 });
    const fail = async (from: string, i: number) => (await signIn(baseUrl, guess(i), from)).status;
    // 127.0.0.1 spends 3 and is locked out; its further attempts are refused without counting.
    expect(await Promise.all([0, 1, 2].map((i) => fail('127.0.0.1', i)))).toEqual([401, 401, 401]);
    for (let i = 3; i < 8; i += 1) expect(await fail('127.0.0.1', i)).toBe(429);
    // 127.0.0.2 spends the last 2 of the overall 5.
    expect(await fail('127.0.0.2', 10)).toBe(401);
    expect(await fail('127.0.0.2', 11)).toBe(401);
    const third = await signIn(baseUrl, guess(12), '127.0.0.3');
    expect(third.status).toBe(429);
    expect(third.body).toContain('too many failed sign-ins');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers a malformed session cookie with 400, and ignores other apps’ cookies', async () => {
    const baseUrl = await serve();
    for (const value of ['%E0%A4%A', '%zz', 'x'.repeat(43).replace('x', '%'), 'short']) {
      const answer = await send(baseUrl, { headers: { cookie: `warden_session=${value}` } });
      expect(answer.status, value).toBe(400);
    }
    const foreign = await send(baseUrl, { headers: { cookie: 'other_app=%E0%A4%A; theme=%zz' } });
    expect(foreign.status).toBe(200);
    expect(foreign.body).toContain('Sign in with your approver token.');
  });

  it('refuses sign-out without the CSRF token (403) and keeps the session', async () => {
    const baseUrl = await serve();
    const login = await signIn(baseUrl, BOB);
    expect(login.status).toBe(303);
    const session = cookiesOf(login).find((c) => c.startsWith('warden_session=')) ?? '';
    const page = await send(baseUrl, { headers: { cookie: session } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(page.body).toContain('Signed in as');

    const forged = [
      { body: '' },
      { body: 'csrf=wrong' },
      // A cross-site form post that somehow knows the token is still refused by its Origin.
      { body: `csrf=${csrf}`, origin: 'https://evil.example' },
    ];
    for (const { body, origin } of forged) {
      const answer = await send(`${baseUrl}/logout`, {
        method: 'POST',
        headers: { cookie: session, ...(origin ? { origin } : {}) },
        body,
      });
      expect(answer.status, body).toBe(403);
    }
    expect((await send(baseUrl, { headers: { cookie: session } })).body).toContain('Signed in as');

    const real = await send(`${baseUrl}/logout`, {
      method: 'POST',
      headers: { cookie: session },
      body: `csrf=${csrf}`,
    });
    expect(real.status).toBe(303);
    expect((await send(baseUrl, { headers: { cookie: session } })).body).toContain(
      'Sign in with your approver token.',
    );
  });

  it('refuses any Host it does not serve before anything, even with a matching Origin (DNS rebinding)', async () => {
    const baseUrl = await serve({}, 'approvals.example.com');
    const port = new URL(baseUrl).port;
    const { cookie, csrf } = await signInForm(baseUrl);
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`]) {
      const page = await send(baseUrl, { headers: { host } });
      expect(page.status, host).toBe(421);
      expect(page.headers['set-cookie'], host).toBeUndefined();
      const login = await send(`${baseUrl}/login`, {
        method: 'POST',
        headers: { host, origin: `http://${host}`, cookie },
        body: `csrf=${csrf}&token=${BOB}`,
      });
      expect(login.status, host).toBe(421);
      expect(login.headers['set-cookie'], host).toBeUndefined();
      expect((await send(`${baseUrl}/healthz`, { headers: { host } })).status).toBe(421);
    }
    expect((await send(baseUrl, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    expect((await send(baseUrl, { headers: { host: 'approvals.example.com' } })).status).toBe(200);
  });
});

describe('Secure cookies in production mode and over TLS, in headless Chromium', () => {
  let client: Client;
  let browser: Browser;
  let certDir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    client = await testClient();
    certDir = mkdtempSync(path.join(tmpdir(), 'warden-web-tls-'));
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      path.join(certDir, 'key.pem'),
      '-out',
      path.join(certDir, 'cert.pem'),
    ]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await client?.connection.close();
  });

  it('sets a Secure __Host- session cookie in production mode (auto)', async () => {
    const web = await startApprovalsWeb(
      testConfig({ WARDEN_MODE: 'production', WARDEN_APPROVER_TOKENS: TOKENS }),
      client,
      { port: 0 },
    );
    try {
      expect(web.secureCookies).toBe(true);
      const form = await send(web.url);
      expect(form.headers['set-cookie']?.[0]).toMatch(
        /^__Host-warden_signin=.{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
      );
      const { cookie, csrf } = await signInForm(web.url);
      const login = await send(`${web.url}/login`, {
        method: 'POST',
        headers: { cookie },
        body: `csrf=${csrf}&token=${BOB}`,
      });
      expect(login.status).toBe(303);
      const session = (login.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-warden_session='));
      expect(session).toMatch(/^__Host-warden_session=.{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      // Loopback is a secure context, so Chromium keeps Secure cookies from http://127.0.0.1 too.
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(web.url);
      await page.fill('input[name=token]', BOB);
      await page.click('button[type=submit]');
      await expect(page.textContent('#who')).resolves.toBe('User:bob');
      expect((await context.cookies()).find((c) => c.name === '__Host-warden_session')).toMatchObject({
        secure: true,
        httpOnly: true,
      });
      await context.close();
    } finally {
      await web.close();
    }
    // `never` is the explicit opt-out, e.g. for plain-HTTP access from another machine in a lab.
    const plain = await startApprovalsWeb(
      testConfig({
        WARDEN_MODE: 'production',
        WARDEN_APPROVER_TOKENS: TOKENS,
        WARDEN_WEB_SECURE_COOKIES: 'never',
      }),
      client,
      { port: 0 },
    );
    try {
      expect((await send(plain.url)).headers['set-cookie']?.[0]).toMatch(
        /^warden_signin=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/,
      );
    } finally {
      await plain.close();
    }
  });

  it('serves HTTPS with WARDEN_WEB_TLS_CERT/KEY; Chromium signs in and holds a Secure HttpOnly __Host- cookie', async () => {
    const web = await startApprovalsWeb(
      testConfig({
        WARDEN_MODE: 'development',
        WARDEN_APPROVER_TOKENS: TOKENS,
        WARDEN_WEB_TLS_CERT: path.join(certDir, 'cert.pem'),
        WARDEN_WEB_TLS_KEY: path.join(certDir, 'key.pem'),
      }),
      client,
      { port: 0 },
    );
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      expect(web.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(web.secureCookies).toBe(true);
      const page = await context.newPage();
      await page.goto(web.url);
      await page.fill('input[name=token]', BOB);
      await page.click('button[type=submit]');
      await expect(page.textContent('#who')).resolves.toBe('User:bob');
      const session = (await context.cookies()).find((c) => c.name === '__Host-warden_session');
      expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict', path: '/' });
      // Sign-out through the page's own form (CSRF token and Origin) ends the session.
      await page.click('header button[type=submit]');
      await expect(page.textContent('main')).resolves.toContain('Sign in with your approver token.');
    } finally {
      await context.close();
      await web.close();
    }
  });
});
