import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/authz/dialect/model.ts';
import { EmbeddedAuthorizer } from '../../../src/authz/embedded/authorizer.ts';
import { translateProgram } from '../../../src/authz/embedded/translate.ts';
import { loadPolicyDir } from '../../../src/authz/policy-loader.ts';
import type { AuthzRequest, ContextFact, Fact, OsoValue } from '../../../src/authz/types.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');

/** Roles on a Toolset inherited by its Tools; Customer/Ticket data through an Org, two hops. */
const POLICY = `
actor User {}
actor Agent {}
resource Toolset { roles = ["user", "admin"]; }
resource Tool {
  permissions = ["invoke", "configure"];
  roles = ["user"];
  relations = { toolset: Toolset, backup: Toolset };
  "user" if "user" on "toolset";
  "invoke" if "user";
  "configure" if "admin" on "backup";
}
resource Org { roles = ["support", "lead"]; "support" if "lead"; }
resource Customer {
  permissions = ["read"];
  relations = { org: Org };
  "read" if "support" on "org";
}
resource Ticket {
  permissions = ["read"];
  relations = { customer: Customer };
  "read" if "read" on "customer";
}
allow(actor: Actor, action: String, resource: Resource) if has_permission(actor, action, resource);
`;

const v = (type: string, id: string): OsoValue => ({ type, id });
const alice = v('User', 'alice');
const bob = v('User', 'bob');

async function embedded(text: string, facts: Fact[]): Promise<EmbeddedAuthorizer> {
  return EmbeddedAuthorizer.create(buildModel([{ file: 'p.polar', text }]), facts, { cacheSize: 0 });
}

async function allowed(authz: EmbeddedAuthorizer, req: AuthzRequest): Promise<boolean> {
  const d = await authz.authorize(req);
  expect(d.error).toBeUndefined();
  return d.allowed;
}

/** A role fact for nobody: it changes no decision, but a context role forces the general rules. */
const INERT_ROLE: ContextFact = ['has_role', v('User', 'nobody-at-all'), 'user', v('Toolset', 'none')];

describe('embedded PDP: precomputed roles and permissions', () => {
  it('the shipped policy has the precomputed path and needs no host calls', async () => {
    const { model, facts } = await loadPolicyDir(POLICY_DIR);
    const program = translateProgram(model, facts);
    expect(program.fast).toBe(true);
    expect(program.usesHost).toBe(false);
    expect(program.text).not.toContain(' matches ');
  });

  it('sees facts inserted and deleted at run time at once', async () => {
    const authz = await embedded(POLICY, [['has_relation', v('Tool', 't'), 'toolset', v('Toolset', 's')]]);
    const req = { actor: alice, action: 'invoke', resource: v('Tool', 't') };
    try {
      expect(await allowed(authz, req)).toBe(false);
      await authz.insertFacts([['has_role', alice, 'user', v('Toolset', 's')]]);
      expect(await allowed(authz, req)).toBe(true);
      await authz.deleteFacts([['has_relation', v('Tool', 't'), 'toolset', null]]);
      expect(await allowed(authz, req)).toBe(false);
      await authz.insertFacts([['has_relation', v('Tool', 't'), 'toolset', v('Toolset', 's')]]);
      expect(await allowed(authz, req)).toBe(true);
      await authz.deleteFacts([['has_role', alice, null, null]]);
      expect(await allowed(authz, req)).toBe(false);
    } finally {
      await authz.close();
    }
  });

  it('still reads roles and relations given as context facts, next to stored ones', async () => {
    const authz = await embedded(POLICY, [
      ['has_role', alice, 'user', v('Toolset', 's')],
      ['has_relation', v('Tool', 'stored'), 'toolset', v('Toolset', 's')],
    ]);
    const relation: ContextFact = ['has_relation', v('Tool', 't'), 'toolset', v('Toolset', 's')];
    try {
      // A context relation joins a stored role; a context role joins a stored relation.
      expect(await allowed(authz, { actor: alice, action: 'invoke', resource: v('Tool', 't') })).toBe(false);
      expect(
        await allowed(authz, {
          actor: alice,
          action: 'invoke',
          resource: v('Tool', 't'),
          context: [relation],
        }),
      ).toBe(true);
      const bobRole: ContextFact = ['has_role', bob, 'user', v('Toolset', 's')];
      expect(
        await allowed(authz, {
          actor: bob,
          action: 'invoke',
          resource: v('Tool', 'stored'),
          context: [bobRole],
        }),
      ).toBe(true);
      expect(await allowed(authz, { actor: bob, action: 'invoke', resource: v('Tool', 'stored') })).toBe(
        false,
      );
      // A context role on the tool itself, with no relation.
      const direct: ContextFact = ['has_role', bob, 'user', v('Tool', 'lone')];
      expect(
        await allowed(authz, {
          actor: bob,
          action: 'invoke',
          resource: v('Tool', 'lone'),
          context: [direct],
        }),
      ).toBe(true);
    } finally {
      await authz.close();
    }
  });

  it('follows relation chains by name and type, never across them', async () => {
    const authz = await embedded(POLICY, [
      ['has_role', alice, 'lead', v('Org', 'acme')],
      ['has_role', bob, 'support', v('Org', 'other')],
      ['has_relation', v('Customer', 'c1'), 'org', v('Org', 'acme')],
      ['has_relation', v('Ticket', 't1'), 'customer', v('Customer', 'c1')],
      ['has_relation', v('Ticket', 't2'), 'customer', v('Customer', 'c2')],
      // "admin" on the tool's toolset does not count where the rule asks for it on "backup".
      ['has_role', alice, 'admin', v('Toolset', 'main')],
      ['has_relation', v('Tool', 'x'), 'toolset', v('Toolset', 'main')],
      ['has_relation', v('Tool', 'y'), 'backup', v('Toolset', 'main')],
    ]);
    const can = (actor: OsoValue, action: string, resource: OsoValue) =>
      allowed(authz, { actor, action, resource });
    try {
      expect(await can(alice, 'read', v('Ticket', 't1'))).toBe(true);
      expect(await can(alice, 'read', v('Customer', 'c1'))).toBe(true);
      expect(await can(alice, 'read', v('Ticket', 't2'))).toBe(false);
      expect(await can(bob, 'read', v('Ticket', 't1'))).toBe(false);
      expect(await can(alice, 'configure', v('Tool', 'x'))).toBe(false);
      expect(await can(alice, 'configure', v('Tool', 'y'))).toBe(true);
      expect(await can(alice, 'invoke', v('Tool', 'x'))).toBe(false);
      // A role of one type never answers for another type with the same id.
      expect(await can(alice, 'read', v('Customer', 'acme'))).toBe(false);
      // Adding the missing link at run time completes the chain.
      await authz.insertFacts([['has_relation', v('Customer', 'c2'), 'org', v('Org', 'acme')]]);
      expect(await can(alice, 'read', v('Ticket', 't2'))).toBe(true);
    } finally {
      await authz.close();
    }
  });

  it('keeps hand-written and global-role derivations, and what the shorthands build on them', async () => {
    const text = `${POLICY.replace('actor Agent {}', 'actor Agent {}\nglobal { roles = ["root"]; }').replace(
      '"invoke" if "user";',
      '"invoke" if "user";\n  "user" if global "root";',
    )}
has_role(actor: User, "user", set: Toolset) if member(actor, set);`;
    const authz = await embedded(text, [
      ['has_relation', v('Tool', 't'), 'toolset', v('Toolset', 's')],
      ['member', bob, v('Toolset', 's')],
      ['has_role', v('User', 'root'), 'root'],
    ]);
    const req = (actor: OsoValue, context: ContextFact[] = []) => ({
      actor,
      action: 'invoke',
      resource: v('Tool', 't'),
      context,
    });
    try {
      // Stored member fact → has_role on the toolset (a rule) → "user" on the tool → invoke.
      expect(await allowed(authz, req(bob))).toBe(true);
      // The same through a context fact that is not a role or relation.
      expect(await allowed(authz, req(alice))).toBe(false);
      expect(await allowed(authz, req(alice, [['member', alice, v('Toolset', 's')]]))).toBe(true);
      expect(await allowed(authz, req(alice, [['member', alice, v('Toolset', 'elsewhere')]]))).toBe(false);
      // A global role grants "user" on every tool, related or not.
      expect(await allowed(authz, req(v('User', 'root')))).toBe(true);
      expect(
        await allowed(authz, {
          actor: v('User', 'root'),
          action: 'invoke',
          resource: v('Tool', 'unrelated'),
        }),
      ).toBe(true);
      expect(await allowed(authz, req(alice, [['has_role', alice, 'root']]))).toBe(true);
    } finally {
      await authz.close();
    }
  });

  it('checks the action type before the query, as the rule would', async () => {
    const authz = await embedded(POLICY, [['has_role', alice, 'user', v('Tool', 't')]]);
    try {
      expect(await authz.holds('allow', [alice, 'invoke', v('Tool', 't')], [])).toBe(true);
      expect(await authz.holds('allow', [alice, 7, v('Tool', 't')], [])).toBe(false);
      expect(await authz.holds('allow', [alice, v('Tool', 'invoke'), v('Tool', 't')], [])).toBe(false);
    } finally {
      await authz.close();
    }
  });

  it('still evaluates primitive types that rules check inside the policy', async () => {
    const text = `${POLICY}
has_permission(actor: User, "invoke", t: Tool) if tag(t, s) and named(s);
named(_s: String);`;
    const model = buildModel([{ file: 'p.polar', text }]);
    expect(translateProgram(model, []).usesHost).toBe(true);
    const authz = await EmbeddedAuthorizer.create(model, [], { cacheSize: 0 });
    const req = (tag: number | string): AuthzRequest => ({
      actor: alice,
      action: 'invoke',
      resource: v('Tool', 't'),
      context: [['tag', v('Tool', 't'), tag]],
    });
    try {
      expect(await allowed(authz, req('x'))).toBe(true);
      expect(await allowed(authz, req(3))).toBe(false);
    } finally {
      await authz.close();
    }
  });

  it('decides exactly as the general rules on the shipped policy, for every actor, action and resource', async () => {
    const { model, facts } = await loadPolicyDir(POLICY_DIR);
    const authz = await EmbeddedAuthorizer.create(model, facts, { cacheSize: 0 });
    const values = (type: string) => authz.knownValues(type);
    const actors = [...(await values('User')), ...(await values('Agent')), v('User', 'mallory')];
    const resources = (
      await Promise.all([...model.resources.keys()].filter((t) => !model.actorTypes.has(t)).map(values))
    ).flat();
    const users = [...(await values('User')), v('User', 'mallory')];
    try {
      let compared = 0;
      let granted = 0;
      for (const actor of actors) {
        const onBehalf = actor.type === 'Agent' ? users : [undefined];
        for (const user of onBehalf) {
          for (const resource of resources) {
            for (const action of [...model.strings].sort()) {
              for (const extra of [[], [['refund_amount', resource, 80] as ContextFact]]) {
                const base = { actor, action, resource, ...(user ? { onBehalfOf: user } : {}) };
                const fast = await allowed(authz, { ...base, context: extra });
                const general = await allowed(authz, { ...base, context: [...extra, INERT_ROLE] });
                expect({ ...base, extra, allowed: fast }).toEqual({ ...base, extra, allowed: general });
                compared++;
                if (fast) granted++;
              }
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(500);
      expect(granted).toBeGreaterThan(20);
    } finally {
      await authz.close();
    }
  });
});
