import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/authz/dialect/model.ts';
import { EmbeddedAuthorizer } from '../../../src/authz/embedded/authorizer.ts';
import { dispatchPositions, translatePolicy } from '../../../src/authz/embedded/translate.ts';
import { loadPolicyDir } from '../../../src/authz/policy-loader.ts';
import type { AuthzRequest, Fact, OsoValue } from '../../../src/authz/types.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');

/** A small policy in the shape of the shipped one: roles on a Toolset, inherited by its Tools. */
const TOOLSET_POLICY = `
actor User {}
actor Agent {}
resource Toolset { roles = ["user"]; }
resource Tool {
  permissions = ["invoke"];
  roles = ["user"];
  relations = { toolset: Toolset };
  "user" if "user" on "toolset";
  "invoke" if "user";
}
allow(actor: Actor, action: String, resource: Resource) if has_permission(actor, action, resource);
`;

const user = (id: string): OsoValue => ({ type: 'User', id });
const tool = (id: string): OsoValue => ({ type: 'Tool', id });
const toolset = (id: string): OsoValue => ({ type: 'Toolset', id });

async function embedded(text: string, facts: Fact[]): Promise<EmbeddedAuthorizer> {
  return EmbeddedAuthorizer.create(buildModel([{ file: 'p.polar', text }]), facts, { cacheSize: 0 });
}

async function allowed(authz: EmbeddedAuthorizer, req: AuthzRequest): Promise<boolean> {
  const d = await authz.authorize(req);
  expect(d.error).toBeUndefined();
  return d.allowed;
}

describe('embedded translation: encodings and per-type rules', () => {
  it('keeps ids with colons, quotes and backslashes apart', async () => {
    const ids = ['a:b', 'Tool:x', 'say "hi"', 'back\\slash', "it's", 'ünï', 'a, "b"]'];
    const facts: Fact[] = ids.flatMap((id): Fact[] => [
      ['has_relation', tool(id), 'toolset', toolset(id)],
      ['has_role', user(id), 'user', toolset(id)],
    ]);
    const authz = await embedded(TOOLSET_POLICY, facts);
    try {
      for (const id of ids) {
        expect(await allowed(authz, { actor: user(id), action: 'invoke', resource: tool(id) })).toBe(true);
        for (const other of ids.filter((o) => o !== id)) {
          expect(await allowed(authz, { actor: user(id), action: 'invoke', resource: tool(other) })).toBe(
            false,
          );
        }
      }
      // The id "a:b" of a Tool is not the Tool "a" of some type "b", nor a string.
      expect(await allowed(authz, { actor: user('a'), action: 'invoke', resource: tool('b') })).toBe(false);
    } finally {
      await authz.close();
    }
  });

  it('never lets a role on one type answer for another type with the same id', async () => {
    const authz = await embedded(TOOLSET_POLICY, [
      ['has_role', user('alice'), 'user', toolset('x')],
      ['has_relation', tool('x'), 'toolset', toolset('other')],
    ]);
    try {
      expect(await allowed(authz, { actor: user('alice'), action: 'invoke', resource: tool('x') })).toBe(
        false,
      );
      expect(await authz.holds('has_role', [user('alice'), 'user', toolset('x')], [])).toBe(true);
      expect(await authz.holds('has_role', [user('alice'), 'user', tool('x')], [])).toBe(false);
    } finally {
      await authz.close();
    }
  });

  it('reads context facts of every predicate, including roles and relations, per query', async () => {
    const authz = await embedded(TOOLSET_POLICY, []);
    const req = { actor: user('alice'), action: 'invoke', resource: tool('t') };
    const relation: Fact = ['has_relation', tool('t'), 'toolset', toolset('s')];
    const role: Fact = ['has_role', user('alice'), 'user', toolset('s')];
    try {
      expect(await allowed(authz, { ...req, context: [relation, role] })).toBe(true);
      expect(await allowed(authz, { ...req, context: [relation] })).toBe(false);
      expect(await allowed(authz, { ...req, context: [role] })).toBe(false);
      expect(await allowed(authz, req)).toBe(false);
      // A context role on the Tool itself, with no relation at all.
      expect(
        await allowed(authz, { ...req, context: [['has_role', user('alice'), 'user', tool('t')]] }),
      ).toBe(true);
    } finally {
      await authz.close();
    }
  });

  it('gives concurrent queries their own context', async () => {
    const { model, facts } = await loadPolicyDir(POLICY_DIR);
    const authz = await EmbeddedAuthorizer.create(model, facts, { cacheSize: 0 });
    const bot = { type: 'Agent', id: 'support-bot' };
    const refund = tool('crm.issue_refund');
    const request = (amount: number, onBehalfOf: OsoValue): AuthzRequest => ({
      actor: bot,
      action: 'invoke_unattended',
      resource: refund,
      onBehalfOf,
      context: [['refund_amount', refund, amount]],
    });
    const cases = Array.from({ length: 60 }, (_, i) => {
      const amount = i % 3 === 0 ? 150 : 80;
      const who = i % 5 === 0 ? user('mallory') : user('alice');
      return { req: request(amount, who), expect: amount <= 100 && who.id === 'alice' };
    });
    try {
      const decisions = await Promise.all(cases.map((c) => authz.authorize(c.req)));
      expect(decisions.map((d) => d.allowed)).toEqual(cases.map((c) => c.expect));
    } finally {
      await authz.close();
    }
  });

  it('denies, without error, a resource of an undeclared type', async () => {
    const authz = await embedded(TOOLSET_POLICY, []);
    try {
      const d = await authz.authorize({
        actor: user('a'),
        action: 'invoke',
        resource: { type: 'Nope', id: 'x' },
      });
      expect(d).toMatchObject({ allowed: false });
      expect(d.error).toBeUndefined();
    } finally {
      await authz.close();
    }
  });

  it('splits rules by type only where every clause takes an entity there', async () => {
    const { model } = await loadPolicyDir(POLICY_DIR);
    expect([...dispatchPositions(model).keys()].sort()).toEqual([
      'allow/3',
      'has_permission/3',
      'has_relation/3',
      'has_role/3',
    ]);
    const untyped = buildModel([
      {
        file: 'p.polar',
        text: `${TOOLSET_POLICY}\nhas_permission(actor: Actor, "invoke", thing) if thing = "anything";`,
      },
    ]);
    expect(dispatchPositions(untyped).has('has_permission/3')).toBe(false);
    expect(translatePolicy(untyped)).toContain('c_has_permission(actor, "invoke", resource)');
    const authz = await EmbeddedAuthorizer.create(
      untyped,
      [['has_relation', tool('t'), 'toolset', toolset('s')]],
      {
        cacheSize: 0,
      },
    );
    try {
      // Through the untyped rule, a plain string is a valid has_permission argument.
      expect(await authz.holds('has_permission', [user('a'), 'invoke', 'anything'], [])).toBe(true);
      expect(await allowed(authz, { actor: user('a'), action: 'invoke', resource: tool('t') })).toBe(false);
      expect(
        await allowed(authz, {
          actor: user('a'),
          action: 'invoke',
          resource: tool('t'),
          context: [['has_role', user('a'), 'user', toolset('s')]],
        }),
      ).toBe(true);
    } finally {
      await authz.close();
    }
  });

  it('keeps the actor check where a hand-written rule does not type its actor', async () => {
    const text = `${TOOLSET_POLICY}\nhas_role(who, "user", t: Tool) if has_relation(t, "toolset", who);`;
    const model = buildModel([{ file: 'p.polar', text }]);
    const authz = await EmbeddedAuthorizer.create(
      model,
      [['has_relation', tool('t'), 'toolset', toolset('s')]],
      {
        cacheSize: 0,
      },
    );
    try {
      // The rule makes Toolset:s a "user" of Tool:t, but a Toolset is no actor: no invoke permission.
      expect(await authz.holds('has_role', [toolset('s'), 'user', tool('t')], [])).toBe(true);
      expect(await authz.holds('has_permission', [toolset('s'), 'invoke', tool('t')], [])).toBe(false);
    } finally {
      await authz.close();
    }
  });
});
