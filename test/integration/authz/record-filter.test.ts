import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { startWireServer, type WireServer } from '../../../src/authz/oso-cloud/wire-server.ts';
import { checkRecords } from '../../../src/authz/record-checks.ts';
import { filterRecords } from '../../../src/authz/record-filter.ts';
import type { Authorizer, OsoValue } from '../../../src/authz/types.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const bot = { type: 'Agent', id: 'support-bot' };
const user = (id: string) => ({ type: 'User', id });
const customer = (id: string) => ({ type: 'Customer', id });
const ticket = (id: string) => ({ type: 'Ticket', id });

/** acme's (alice may read), globex's (only bob may), one nobody's facts name, one malformed. */
const CANDIDATES: OsoValue[] = [
  customer('c-1001'),
  customer('c-2001'),
  customer('c-1002'),
  customer('c-9999'),
  customer(''),
  ticket('t-501'),
];

/**
 * The same batch decisions from both PDP backends: the embedded engine for real, and the oso-cloud
 * client against the local wire-protocol stand-in. There is no Oso Cloud here: the stand-in answers
 * `POST /api/list` with the embedded engine, so what this proves about the oso-cloud backend is the
 * client's request and response format and our use of it, not Oso Cloud's own list semantics.
 */
describe.each(['embedded', 'oso-cloud'] as const)('record authorization in batches (%s)', (engine) => {
  let authorizer: Authorizer;
  let server: WireServer | undefined;

  beforeAll(async () => {
    if (engine === 'oso-cloud') server = await startWireServer();
    authorizer = await createAuthorizer(
      {
        WARDEN_PDP: engine,
        WARDEN_POLICY_DIR: POLICY_DIR,
        OSO_URL: server?.url,
        OSO_AUTH: server?.apiKey,
      },
      // Uploading runs the policy's tests on the stand-in: more than one short attempt.
      { osoCloud: { attemptTimeoutMs: 5_000, backoffMs: 10, retries: 1 } },
    );
  });
  afterAll(async () => {
    await authorizer?.close();
    await server?.close();
  });

  it('answers each record for the user, and for the agent acting for the user, in order', async () => {
    const [alice, bobOwn, botForBob, mallory] = await Promise.all([
      authorizer.authorizeBatch({ actor: user('alice'), action: 'read', resources: CANDIDATES }),
      authorizer.authorizeBatch({ actor: user('bob'), action: 'read', resources: CANDIDATES }),
      authorizer.authorizeBatch({
        actor: bot,
        onBehalfOf: user('bob'),
        action: 'read',
        resources: CANDIDATES,
      }),
      authorizer.authorizeBatch({ actor: user('mallory'), action: 'read', resources: CANDIDATES }),
    ]);
    expect(alice.allowed).toEqual([true, false, true, false, false, true]);
    expect(bobOwn.allowed).toEqual([true, true, true, false, false, true]);
    // bob may read globex's c-2001; the bot serves acme only, so not for bob either.
    expect(botForBob.allowed).toEqual([true, false, true, false, false, true]);
    expect(mallory.allowed).toEqual([false, false, false, false, false, false]);
    for (const d of [alice, bobOwn, botForBob, mallory]) {
      expect(d).toMatchObject({ engine, action: 'read', policyVersion: authorizer.policyVersion() });
      expect(d.error).toBeUndefined();
    }
    expect(botForBob.onBehalfOf).toEqual(user('bob'));
    if (server) {
      // Oso Cloud's list filtering: one `list` per resource type of the batch, no authorize per record.
      const lists = server.requests.filter((r) => r === 'POST /api/list').length;
      expect(lists).toBe(8);
      expect(server.requests).not.toContain('POST /api/authorize');
    }
  });

  it('the per-record check says whether the user or the agent may not', async () => {
    const [forAlice, forBob, forMallory] = await Promise.all([
      checkRecords(
        authorizer,
        { agent: bot, onBehalfOf: user('alice') },
        () => [
          { action: 'read', resource: customer('c-1001') },
          { action: 'update', resource: ticket('t-501') },
        ],
        { type: 'Tool', id: 'test' },
      ),
      checkRecords(
        authorizer,
        { agent: bot, onBehalfOf: user('bob') },
        () => [{ action: 'read', resource: customer('c-2001') }],
        { type: 'Tool', id: 'test' },
      ),
      checkRecords(
        authorizer,
        { agent: bot, onBehalfOf: user('mallory') },
        () => [{ action: 'read', resource: customer('c-1001') }],
        { type: 'Tool', id: 'test' },
      ),
    ]);
    expect(forAlice.map((c) => [c.allowed, c.deniedFor])).toEqual([
      [true, []],
      [true, []],
    ]);
    expect(forBob[0]).toMatchObject({ allowed: false, deniedFor: ['agent'] });
    expect(forBob[0]?.user.allowed).toBe(true);
    expect(forBob[0]?.reason).toMatch(
      /^Agent:support-bot may not read Customer:c-2001, although User:bob may/,
    );
    expect(forMallory[0]).toMatchObject({ allowed: false, deniedFor: ['user'] });
    expect(forMallory[0]?.reason).toMatch(/^User:mallory may not read Customer:c-1001, so no agent may/);
  });

  it('a declaration that throws denies the call, fail closed', async () => {
    const [check] = await checkRecords(
      authorizer,
      { agent: bot, onBehalfOf: user('alice') },
      () => {
        throw new Error('no customer id');
      },
      { type: 'Tool', id: 'crm.get_customer' },
    );
    expect(check).toMatchObject({ allowed: false, action: 'declare' });
    expect(check?.reason).toMatch(/could not name the records it touches: no customer id/);
    expect(check?.user.error).toMatch(/no customer id/);
  });

  it('filtering counts what it removed, never which', async () => {
    const { keep, summary } = await filterRecords(
      authorizer,
      { agent: bot, onBehalfOf: user('alice') },
      'read',
      'Customer',
      [customer('c-1002'), customer('c-2001'), undefined, customer('c-1001')],
    );
    expect(keep).toEqual([true, false, false, true]);
    expect(summary).toMatchObject({
      action: 'read',
      resourceType: 'Customer',
      checked: 4,
      removed: 2,
      engine,
    });
    expect(JSON.stringify(summary)).not.toContain('c-2001');
  });

  it('a malformed actor denies the whole batch with the reason', async () => {
    const d = await authorizer.authorizeBatch({
      actor: { type: 'User', id: '' },
      action: 'read',
      resources: [customer('c-1001')],
    });
    expect(d.allowed).toEqual([false]);
    expect(d.error).toBe('malformed actor');
  });

  it.runIf(engine === 'oso-cloud')('removes everything when Oso Cloud cannot answer', async () => {
    server?.failRoute('POST /api/list', 503, 10);
    const { keep, summary } = await filterRecords(
      authorizer,
      { agent: bot, onBehalfOf: user('alice') },
      'read',
      'Customer',
      [customer('c-1001'), customer('c-1002')],
    );
    expect(keep).toEqual([false, false]);
    expect(summary.removed).toBe(2);
    expect(summary.error).toMatch(/503|injected/);
  });
});
