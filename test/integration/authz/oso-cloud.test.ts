import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizedActors } from '../../../src/authz/authorized-actors.ts';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { startWireServer, type WireServer } from '../../../src/authz/oso-cloud/wire-server.ts';
import type { Authorizer } from '../../../src/authz/types.ts';
import { CASES } from '../../unit/authz/cases.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const refund = { type: 'Tool', id: 'crm.issue_refund' };
const bob = { type: 'User', id: 'bob' };

async function cloud(url: string, apiKey: string, extra: Parameters<typeof createAuthorizer>[1] = {}) {
  return createAuthorizer(
    { WARDEN_PDP: 'oso-cloud', WARDEN_POLICY_DIR: POLICY_DIR, OSO_URL: url, OSO_AUTH: apiKey },
    { osoCloud: { attemptTimeoutMs: 300, backoffMs: 10, ...extra.osoCloud } },
  );
}

describe('oso-cloud backend against the local wire-protocol endpoint', () => {
  let server: WireServer;
  let remote: Authorizer;
  let local: Authorizer;

  beforeAll(async () => {
    server = await startWireServer();
    // Uploading runs the policy's tests on the server: give it more than one short attempt.
    remote = await cloud(server.url, server.apiKey, { osoCloud: { attemptTimeoutMs: 5_000 } });
    local = await createAuthorizer({
      WARDEN_PDP: 'embedded',
      WARDEN_POLICY_DIR: POLICY_DIR,
      OSO_URL: undefined,
      OSO_AUTH: undefined,
    });
  });
  afterAll(async () => {
    await remote?.close();
    await local?.close();
    await server?.close();
  });

  it('uploaded the policy and synced the facts through the SDK', () => {
    expect(server.requests.slice(0, 2)).toEqual(['POST /api/policy', 'POST /api/batch']);
  });

  it('gives the same answers as the embedded engine on every case', async () => {
    const rows = [];
    for (const c of CASES) {
      const [a, b] = await Promise.all([local.authorize(c.req), remote.authorize(c.req)]);
      rows.push({ name: c.name, expected: c.allowed, embedded: a.allowed, cloud: b.allowed, error: b.error });
    }
    expect(rows).toEqual(
      CASES.map((c) => ({
        name: c.name,
        expected: c.allowed,
        embedded: c.allowed,
        cloud: c.allowed,
        error: undefined,
      })),
    );
    expect(server.requests).toContain('POST /api/authorize');
  });

  it('records the oso-cloud engine and the same versions', async () => {
    const d = await remote.authorize(CASES[0]!.req);
    expect(d).toMatchObject({
      engine: 'oso-cloud',
      policyVersion: local.policyVersion(),
      factsVersion: local.factsVersion(),
    });
  });

  it('lists actions and approvers like the embedded engine', async () => {
    const bot = { type: 'Agent', id: 'support-bot' };
    const ctx = [['acts_for', bot, { type: 'User', id: 'alice' }] as [string, typeof bot, typeof bot]];
    expect(await remote.actions(bot, refund, ctx)).toEqual(await local.actions(bot, refund, ctx));
    expect(await authorizedActors(remote, 'User', 'approve', refund)).toEqual(
      await authorizedActors(local, 'User', 'approve', refund),
    );
  });

  it('decides a call whose context names a predicate the policy never uses by the rest of the policy, on both backends', async () => {
    const bot = { type: 'Agent', id: 'support-bot' };
    const alice = { type: 'User', id: 'alice' };
    // Unknown to the policy: Oso Cloud accepts such context facts and they match nothing.
    const unknown = [
      ['customer_tier', alice, 'gold'],
      ['region', { type: 'Region', id: 'eu' }],
    ] as unknown as Array<[string]>;
    const rows = [];
    for (const amount of [50, 500]) {
      const req = {
        actor: bot,
        action: 'invoke_unattended',
        resource: refund,
        onBehalfOf: alice,
        context: [['refund_amount', refund, amount], ...unknown] as never,
      };
      const [a, b] = await Promise.all([local.authorize(req), remote.authorize(req)]);
      rows.push({ amount, embedded: a.allowed, cloud: b.allowed, errors: [a.error, b.error] });
    }
    expect(rows).toEqual([
      { amount: 50, embedded: true, cloud: true, errors: [undefined, undefined] },
      { amount: 500, embedded: false, cloud: false, errors: [undefined, undefined] },
    ]);
    // The wire endpoint, like Oso Cloud, accepts them too when a client sends them unfiltered.
    const response = await fetch(`${server.url}/api/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        actor_type: 'Agent',
        actor_id: 'support-bot',
        action: 'invoke',
        resource_type: 'Tool',
        resource_id: 'crm.issue_refund',
        context_facts: [
          { predicate: 'acts_for', args: [bot, alice] },
          { predicate: 'customer_tier', args: [alice, { type: 'String', id: 'gold' }] },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ allowed: true });
  });

  it('changes facts through batch', async () => {
    const dave = { type: 'User', id: 'dave' };
    await remote.insertFacts([['has_role', dave, 'approver', { type: 'Toolset', id: 'refunds' }]]);
    expect((await remote.authorize({ actor: dave, action: 'approve', resource: refund })).allowed).toBe(true);
    await remote.deleteFacts([['has_role', dave, null, null]]);
    expect((await remote.authorize({ actor: dave, action: 'approve', resource: refund })).allowed).toBe(
      false,
    );
  });

  it('retries a transient 500 visibly, then answers', async () => {
    server.failNext(500, 1);
    const d = await remote.authorize({ actor: bob, action: 'approve', resource: refund });
    expect(d.allowed).toBe(true);
    expect(d.reason).toMatch(/2 attempts; earlier failures: HTTP 500/);
  });

  it('denies when the server keeps answering 500', async () => {
    server.failNext(500, 3);
    const d = await remote.authorize({ actor: bob, action: 'approve', resource: refund });
    expect(d.allowed).toBe(false);
    expect(d.error).toMatch(/injected HTTP 500/);
    expect(d.reason).toMatch(/^denied, fail closed: .*3 attempts/);
  });

  it('denies on a bad API key', async () => {
    const wrong = await cloud(server.url, 'wrong-key', {
      osoCloud: { uploadPolicy: false, syncFacts: 'none' },
    });
    const d = await wrong.authorize({ actor: bob, action: 'approve', resource: refund });
    expect(d.allowed).toBe(false);
    expect(d.error).toMatch(/invalid API key/);
  });

  it('denies within a bounded time when the server hangs', async () => {
    const fast = await cloud(server.url, server.apiKey, {
      osoCloud: { uploadPolicy: false, syncFacts: 'none' },
    });
    server.hangNext(3);
    const started = Date.now();
    const d = await fast.authorize({ actor: bob, action: 'approve', resource: refund });
    expect(d.allowed).toBe(false);
    expect(d.error).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('oso-cloud backend, server unreachable', () => {
  let closed: Server;
  let port = 0;
  beforeAll(async () => {
    // Reserve a port, then close it: nothing listens there.
    closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });

  it('refuses to start when the policy cannot be uploaded', async () => {
    await expect(cloud(`http://127.0.0.1:${port}`, 'k')).rejects.toThrow(
      /refused the policy or facts: .*unreachable/,
    );
  });

  it('denies every call with the error as the reason, in bounded time', async () => {
    const authz = await cloud(`http://127.0.0.1:${port}`, 'k', {
      osoCloud: { uploadPolicy: false, syncFacts: 'none' },
    });
    const started = Date.now();
    const d = await authz.authorize({ actor: bob, action: 'approve', resource: refund });
    expect(d.allowed).toBe(false);
    expect(d.error).toMatch(/unreachable: ECONNREFUSED/);
    expect(d.reason).toMatch(/3 attempts/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await authz.actions(bob, refund)).toEqual([]);
  });
});
