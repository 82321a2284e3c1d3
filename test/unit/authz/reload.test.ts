import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { type Authorizer, PolicyError } from '../../../src/authz/types.ts';
import { withoutTests } from '../../support/policy-text.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const bot = { type: 'Agent', id: 'support-bot' };
const alice = { type: 'User', id: 'alice' };
const mallory = { type: 'User', id: 'mallory' };
const refund = { type: 'Tool', id: 'crm.issue_refund' };
const botRefunds = { actor: bot, action: 'invoke', resource: refund, onBehalfOf: alice };
const malloryApproves = { actor: mallory, action: 'approve', resource: refund };
/** Without it, a capped refunder (support-bot on refunds) may no longer invoke refunds at all. */
const CAPPED_REFUNDER_INVOKES = '"user" if "capped_refunder";';

const dirs: string[] = [];
const open: Authorizer[] = [];

function policyCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-reload-'));
  dirs.push(dir);
  cpSync(POLICY_DIR, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: 'warden.polar' | 'facts.yaml', change: (text: string) => string): void {
  const target = path.join(dir, file);
  const before = readFileSync(target, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(target, after);
}

async function embedded(dir: string): Promise<Authorizer> {
  const authz = await createAuthorizer({
    WARDEN_PDP: 'embedded',
    WARDEN_POLICY_DIR: dir,
    OSO_URL: undefined,
    OSO_AUTH: undefined,
  });
  open.push(authz);
  return authz;
}

afterEach(async () => {
  for (const authz of open.splice(0)) await authz.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('embedded PDP: policy reload at run time', () => {
  it('refuses a policy that fails its own test blocks and keeps deciding with the current one', async () => {
    const authz = await embedded(POLICY_DIR);
    const before = authz.policyVersion();
    const next = policyCopy();
    // The refund rule changes but the tests that state it stay: they fail now.
    edit(next, 'warden.polar', (s) => s.replace(CAPPED_REFUNDER_INVOKES, ''));
    const reload = authz.reloadPolicy(next);
    await expect(reload).rejects.toBeInstanceOf(PolicyError);
    await expect(reload).rejects.toThrow(
      /policy tests failed: \d+ of \d+ assertions .*test "refunds run unattended only up to 100": assert allow\(Agent\{"support-bot"\}, "invoke", Tool\{"crm.issue_refund"\}\)/,
    );
    expect(authz.policyVersion()).toBe(before);
    expect(await authz.authorize(botRefunds)).toMatchObject({ allowed: true, policyVersion: before });
  });

  it('switches version and decisions to a good policy, and says what it loaded', async () => {
    const authz = await embedded(POLICY_DIR);
    const before = authz.policyVersion();
    expect((await authz.authorize(botRefunds)).allowed).toBe(true);

    const next = policyCopy();
    edit(next, 'warden.polar', (s) => withoutTests(s.replace(CAPPED_REFUNDER_INVOKES, '')));
    edit(next, 'facts.yaml', (s) => `${s}  - has_role(User{"mallory"}, "approver", Toolset{"refunds"})\n`);
    const reload = await authz.reloadPolicy(next);

    expect(reload.previousPolicyVersion).toBe(before);
    expect(reload.policyVersion).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(reload.policyVersion).not.toBe(before);
    expect(reload).toMatchObject({ dir: next, factsVersion: authz.factsVersion() });
    expect(reload.facts).toBeGreaterThan(30);
    expect(authz.policyVersion()).toBe(reload.policyVersion);
    const denied = await authz.authorize(botRefunds);
    expect(denied).toMatchObject({ allowed: false, policyVersion: reload.policyVersion });
    expect(denied.error).toBeUndefined();
    expect((await authz.authorize(malloryApproves)).allowed).toBe(true);

    // Without a directory it reads the one it was created from, not the last one given.
    expect(await authz.reloadPolicy()).toMatchObject({ dir: POLICY_DIR, policyVersion: before });
    expect((await authz.authorize(botRefunds)).allowed).toBe(true);
  });

  it.each([
    [
      'a syntax error in the policy',
      'warden.polar',
      (s: string) => s.replace('actor User {}', 'actor User {'),
      /warden\.polar:\d+:\d+: /,
    ],
    [
      'a rule the engine cannot translate',
      'warden.polar',
      (s: string) => `${s}\nallow(u: User, "x", r: Tool) if u.name = "x";\n`,
      /warden\.polar:\d+:\d+: unsupported construct: field access/,
    ],
    [
      'an undeclared role in the facts',
      'facts.yaml',
      (s: string) => `${s}  - has_role(User{"mallory"}, "owner", Toolset{"refunds"})\n`,
      /facts\.yaml:\d+: facts\[\d+\]: .*"owner" is not a role of Toolset/,
    ],
    ['malformed facts YAML', 'facts.yaml', () => 'facts: [unclosed\n', /facts\.yaml: malformed YAML/],
  ] as const)(
    'keeps the old version and decisions on %s, and names the problem',
    async (_name, file, change, error) => {
      const dir = policyCopy();
      const authz = await embedded(dir);
      const before = { policy: authz.policyVersion(), facts: authz.factsVersion() };
      // Together with the broken file, a change that would flip a decision if it were half-applied.
      edit(dir, 'facts.yaml', (s) => `${s}  - has_role(User{"mallory"}, "approver", Toolset{"refunds"})\n`);
      edit(dir, file, change);

      const failed = authz.reloadPolicy();
      await expect(failed).rejects.toBeInstanceOf(PolicyError);
      await expect(failed).rejects.toThrow(error);
      expect({ policy: authz.policyVersion(), facts: authz.factsVersion() }).toEqual(before);
      const allowed = await authz.authorize(botRefunds);
      expect(allowed).toMatchObject({
        allowed: true,
        policyVersion: before.policy,
        factsVersion: before.facts,
      });
      expect((await authz.authorize(malloryApproves)).allowed).toBe(false);
    },
  );

  it('refuses a directory that does not exist or holds no policy, keeping the old one', async () => {
    const authz = await embedded(POLICY_DIR);
    const before = authz.policyVersion();
    await expect(authz.reloadPolicy(path.join(POLICY_DIR, 'missing'))).rejects.toThrow(
      /cannot read policy directory/,
    );
    const empty = mkdtempSync(path.join(tmpdir(), 'warden-reload-empty-'));
    dirs.push(empty);
    await expect(authz.reloadPolicy(empty)).rejects.toThrow(/no \.polar files/);
    expect(authz.policyVersion()).toBe(before);
    expect((await authz.authorize(botRefunds)).allowed).toBe(true);
  });

  it('reads its own directory again without an argument; the facts file replaces run-time facts', async () => {
    const dir = policyCopy();
    const authz = await embedded(dir);
    await authz.insertFacts([['has_role', mallory, 'approver', { type: 'Toolset', id: 'refunds' }]]);
    expect((await authz.authorize(malloryApproves)).allowed).toBe(true);
    const before = authz.policyVersion();

    edit(dir, 'warden.polar', (s) => `${s}\n# reviewed\n`);
    const reload = await authz.reloadPolicy();
    expect(reload.dir).toBe(dir);
    expect(reload.policyVersion).not.toBe(before);
    expect((await authz.authorize(malloryApproves)).allowed).toBe(false);
    expect((await authz.authorize(botRefunds)).allowed).toBe(true);
  });

  it('never mixes two policies in one decision while reloads and decisions run together', async () => {
    const authz = await embedded(POLICY_DIR);
    const old = authz.policyVersion();
    const next = policyCopy();
    edit(next, 'warden.polar', (s) => withoutTests(s.replace(CAPPED_REFUNDER_INVOKES, '')));
    const decisions = Array.from({ length: 40 }, () => authz.authorize(botRefunds));
    const reload = authz.reloadPolicy(next);
    decisions.push(...Array.from({ length: 40 }, () => authz.authorize(botRefunds)));
    const { policyVersion: updated } = await reload;
    const seen = await Promise.all(decisions);
    for (const d of seen) {
      expect(d.error).toBeUndefined();
      expect([old, updated]).toContain(d.policyVersion);
      expect(d.allowed).toBe(d.policyVersion === old);
    }
    expect((await authz.authorize(botRefunds)).policyVersion).toBe(updated);
  });
});
