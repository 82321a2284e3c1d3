import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizedActors } from '../../../src/authz/authorized-actors.ts';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import type { EmbeddedAuthorizer } from '../../../src/authz/embedded/authorizer.ts';
import type { Authorizer } from '../../../src/authz/types.ts';
import { CASES } from './cases.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const bot = { type: 'Agent', id: 'support-bot' };
const alice = { type: 'User', id: 'alice' };
const refund = { type: 'Tool', id: 'crm.issue_refund' };

describe('embedded PDP on the shipped policy', () => {
  let authz: Authorizer;
  beforeAll(async () => {
    authz = await createAuthorizer({
      WARDEN_PDP: 'embedded',
      WARDEN_POLICY_DIR: POLICY_DIR,
      OSO_URL: undefined,
      OSO_AUTH: undefined,
    });
  });
  afterAll(() => authz.close());

  it.each(CASES)('$name', async ({ req, allowed }) => {
    const d = await authz.authorize(req);
    expect(d.error).toBeUndefined();
    expect(d.allowed).toBe(allowed);
  });

  it('returns a complete, JSON-clean decision record', async () => {
    const d = await authz.authorize({
      actor: bot,
      action: 'invoke',
      resource: { type: 'Tool', id: 'crm.delete_customer' },
      onBehalfOf: alice,
    });
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({
      allowed: false,
      engine: 'embedded',
      action: 'invoke',
      actor: bot,
      onBehalfOf: alice,
      context: [['acts_for', bot, alice]],
      policyVersion: authz.policyVersion(),
      factsVersion: authz.factsVersion(),
    });
    expect(d.reason).toMatch(
      /^denied: .*Agent:support-bot acting for User:alice invoke Tool:crm.delete_customer/,
    );
    expect(d.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lists actions for inventory', async () => {
    expect(await authz.actions(bot, refund, [['acts_for', bot, alice]])).toEqual(['invoke']);
    expect(
      await authz.actions(bot, refund, [
        ['acts_for', bot, alice],
        ['refund_amount', refund, 5],
      ]),
    ).toEqual(['invoke', 'invoke_unattended']);
    expect(await authz.actions({ type: 'User', id: 'bob' }, refund)).toEqual(['approve']);
  });

  it('enumerates approvers', async () => {
    const approvers = await authorizedActors(authz, 'User', 'approve', refund);
    expect(approvers.map((u) => u.id)).toEqual(['bob', 'carol']);
  });

  it('changes facts at run time and bumps the facts version', async () => {
    const mallory = { type: 'User', id: 'mallory' };
    const before = authz.factsVersion();
    const req = { actor: mallory, action: 'approve', resource: refund };
    expect((await authz.authorize(req)).allowed).toBe(false);
    await authz.insertFacts([['has_role', mallory, 'approver', { type: 'Toolset', id: 'refunds' }]]);
    expect(authz.factsVersion()).not.toBe(before);
    const d = await authz.authorize(req);
    expect(d.allowed).toBe(true);
    expect(d.cached).toBeUndefined();
    await authz.deleteFacts([['has_role', mallory, null, null]]);
    expect(authz.factsVersion()).toBe(before);
    expect((await authz.authorize(req)).allowed).toBe(false);
  });

  it('serves repeated decisions from the cache, keyed by versions', async () => {
    const req = { actor: bot, action: 'invoke', resource: refund, onBehalfOf: alice };
    await authz.authorize(req);
    const again = await authz.authorize(req);
    expect(again.cached).toBe(true);
    expect(again.allowed).toBe(true);
  });

  it('refuses stored acts_for facts and unknown predicates', async () => {
    await expect(authz.insertFacts([['acts_for', bot, { type: 'User', id: 'bob' }]])).rejects.toThrow(
      /context fact/,
    );
    await expect(authz.insertFacts([['is_vip', alice]])).rejects.toThrow(/unknown fact predicate is_vip\/1/);
    await expect(
      authz.insertFacts([['has_role', alice, 'owner', { type: 'Toolset', id: 'x' }]]),
    ).rejects.toThrow(/"owner" is not a role of Toolset/);
  });

  it('decides a call whose context names a predicate the policy never uses by the rest of the policy, as Oso Cloud does', async () => {
    const unattended = (amount: number, extra: Array<[string, ...never[]]> = []) =>
      authz.authorize({
        actor: bot,
        action: 'invoke_unattended',
        resource: refund,
        onBehalfOf: alice,
        context: [['refund_amount', refund, amount], ...extra],
      });
    const unknown = [
      ['vip', alice],
      ['region', { type: 'Region', id: 'eu' }, 'west'],
    ] as unknown as Array<[string, ...never[]]>;
    for (const amount of [50, 500]) {
      const plain = await unattended(amount);
      const withUnknown = await unattended(amount, unknown);
      expect(withUnknown.error).toBeUndefined();
      expect(withUnknown.allowed).toBe(plain.allowed);
    }
    // The two amounts decide differently: the unknown facts neither grant nor deny.
    expect((await unattended(50, unknown)).allowed).toBe(true);
    expect((await unattended(500, unknown)).allowed).toBe(false);
  });

  it('still denies, fail closed, on a malformed context fact (known predicate or not) or a malformed request', async () => {
    const withContext = (context: unknown) =>
      authz.authorize({
        actor: bot,
        action: 'invoke',
        resource: refund,
        onBehalfOf: alice,
        context: context as never,
      });
    const float = await withContext([['refund_amount', refund, 1.5]]);
    expect(float).toMatchObject({ allowed: false, error: expect.stringMatching(/only integers/) });
    const unknownFloat = await withContext([['vip', alice, 1.5]]);
    expect(unknownFloat).toMatchObject({ allowed: false, error: expect.stringMatching(/only integers/) });
    const nested = await withContext([['vip', { nested: { deep: true } }]]);
    expect(nested).toMatchObject({ allowed: false, error: expect.stringMatching(/bad argument/) });
    const noPredicate = await withContext([['', alice]]);
    expect(noPredicate).toMatchObject({
      allowed: false,
      error: expect.stringMatching(/without a predicate/),
    });
    const wrongRole = await withContext([['has_role', alice, 'owner', { type: 'Toolset', id: 'x' }]]);
    expect(wrongRole).toMatchObject({ allowed: false, error: expect.stringMatching(/not a role/) });
    expect(float.reason).toMatch(/^denied, fail closed/);
    const bad = await authz.authorize({
      actor: { type: 'Agent', id: '' },
      action: 'invoke',
      resource: refund,
    });
    expect(bad).toMatchObject({ allowed: false, error: 'malformed actor' });
  });

  it('denies after close', async () => {
    const other = await createAuthorizer({
      WARDEN_PDP: 'embedded',
      WARDEN_POLICY_DIR: POLICY_DIR,
      OSO_URL: undefined,
      OSO_AUTH: undefined,
    });
    await other.close();
    const d = await other.authorize({
      actor: { type: 'User', id: 'bob' },
      action: 'approve',
      resource: refund,
    });
    expect(d.allowed).toBe(false);
    expect(d.error).toMatch(/closed/);
    expect((other as EmbeddedAuthorizer).engine).toBe('embedded');
  });
});
