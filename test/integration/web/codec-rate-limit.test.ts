import { defaultPayloadConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { EncryptionCodec } from '../../../src/temporal/encryption-codec.ts';
import { generateKeyEntry, parseKeyRing, StaticKeyProvider } from '../../../src/temporal/payload-keys.ts';
import { createCodecServer } from '../../../src/web/codec-server.ts';

const TOKEN = 'carol-codec-limit-token-0123456789abcdef';
const payloads = [defaultPayloadConverter.toPayload({ note: 'public' })].map((p) => ({
  metadata: Object.fromEntries(
    Object.entries(p?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(p?.data ?? []).toString('base64'),
}));

/** The codec server with a real key ring and token registry; no run is decoded, so no policy is asked. */
async function server(limits: { codecRequestsPerMinute?: number; failuresPerAddress?: number }) {
  const keys = new StaticKeyProvider(parseKeyRing(generateKeyEntry('k-limit'), 'test'));
  return createCodecServer({
    codec: new EncryptionCodec(keys),
    authenticator: new ApproverAuthenticator('production', `${TOKEN}=User:carol`),
    access: {
      decide: async () => {
        throw new Error('no run is decoded in these tests');
      },
    },
    namespace: 'default',
    corsOrigins: [],
    signInLimits: { failuresPerAddress: limits.failuresPerAddress ?? 10, failuresOverall: 1_000 },
    ...(limits.codecRequestsPerMinute ? { codecRequestsPerMinute: limits.codecRequestsPerMinute } : {}),
  });
}

const post = (app: FastifyInstance, url: string, from: string, token: string) =>
  app.inject({
    method: 'POST',
    url,
    remoteAddress: from,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ payloads }),
  });

describe('the codec server limits /encode and /decode', () => {
  const apps: FastifyInstance[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('an authenticated client looping on /decode or /encode gets 429 past its per-minute budget; others do not', async () => {
    const app = await server({ codecRequestsPerMinute: 5 });
    apps.push(app);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await post(app, '/decode', '10.0.0.1', TOKEN)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const limited = await post(app, '/decode', '10.0.0.1', TOKEN);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // One budget for every codec path: another prefix or /encode is no way around it.
    expect((await post(app, '/api/codec/decode', '10.0.0.1', TOKEN)).statusCode).toBe(429);
    expect((await post(app, '/encode', '10.0.0.1', TOKEN)).statusCode).toBe(429);
    expect((await post(app, '/decode', '10.0.0.2', TOKEN)).statusCode).toBe(200);
  });

  it('a bearer-token guesser is locked out with 429 after N failures, even once it guesses right', async () => {
    const app = await server({ failuresPerAddress: 4 });
    apps.push(app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await post(app, '/decode', '10.0.0.3', `guess-${i}-0123456789abcdef0123`)).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const right = await post(app, '/decode', '10.0.0.3', TOKEN);
    expect(right.statusCode).toBe(429);
    expect(right.json()).toMatchObject({
      error: expect.stringMatching(/too many failed sign-ins from your address/),
    });
    expect(right.body).not.toContain('public');
    // Another address, and the right token: served.
    expect((await post(app, '/decode', '10.0.0.4', TOKEN)).statusCode).toBe(200);
  });

  it('the sign-in form shares the failure budget: guessing there locks the address out of /decode too', async () => {
    const app = await server({ failuresPerAddress: 3 });
    apps.push(app);
    const login = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.0.0.5',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `token=${token}`,
      });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await login(`wrong-${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await login(TOKEN)).statusCode).toBe(429);
    expect((await post(app, '/decode', '10.0.0.5', TOKEN)).statusCode).toBe(429);
  });
});
