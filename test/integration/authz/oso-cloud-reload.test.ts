import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { startWireServer, type WireServer } from '../../../src/authz/oso-cloud/wire-server.ts';
import { type Authorizer, PolicyError } from '../../../src/authz/types.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const mallory = { type: 'User', id: 'mallory' };
const bot = { type: 'Agent', id: 'support-bot' };
const refund = { type: 'Tool', id: 'crm.issue_refund' };
const malloryApproves = { actor: mallory, action: 'approve', resource: refund };
const botRefunds = {
  actor: bot,
  action: 'invoke',
  resource: refund,
  onBehalfOf: { type: 'User', id: 'alice' },
};

describe('oso-cloud backend: policy reload against the local wire-protocol endpoint', () => {
  let server: WireServer;
  let remote: Authorizer;
  const dirs: string[] = [];

  function policyCopy(polar: (s: string) => string, facts: (s: string) => string = (s) => s): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'warden-cloud-reload-'));
    dirs.push(dir);
    cpSync(POLICY_DIR, dir, { recursive: true });
    for (const [file, change] of [
      ['warden.polar', polar],
      ['facts.yaml', facts],
    ] as const) {
      const target = path.join(dir, file);
      writeFileSync(target, change(readFileSync(target, 'utf8')));
    }
    return dir;
  }

  beforeAll(async () => {
    server = await startWireServer();
    remote = await createAuthorizer(
      {
        WARDEN_PDP: 'oso-cloud',
        WARDEN_POLICY_DIR: POLICY_DIR,
        OSO_URL: server.url,
        OSO_AUTH: server.apiKey,
      },
      // Uploading runs the policy's tests on the server: give it more than one short attempt.
      { osoCloud: { attemptTimeoutMs: 5_000, backoffMs: 10 } },
    );
  });
  afterAll(async () => {
    await remote?.close();
    await server?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the new policy, syncs its facts, then decides with the new version', async () => {
    const before = remote.policyVersion();
    expect((await remote.authorize(malloryApproves)).allowed).toBe(false);
    const dir = policyCopy(
      (s) => `${s}\n# mallory joins the refund approvers\n`,
      (s) => `${s}  - has_role(User{"mallory"}, "approver", Toolset{"refunds"})\n`,
    );
    const sent = server.requests.length;
    const reload = await remote.reloadPolicy(dir);
    expect(server.requests.slice(sent)).toEqual(['POST /api/policy', 'POST /api/batch']);
    expect(reload.previousPolicyVersion).toBe(before);
    expect(reload.policyVersion).not.toBe(before);
    expect(remote.policyVersion()).toBe(reload.policyVersion);
    expect(await remote.authorize(malloryApproves)).toMatchObject({
      allowed: true,
      engine: 'oso-cloud',
      policyVersion: reload.policyVersion,
    });
  });

  it('refuses a policy whose test blocks fail before sending it, and keeps the version and decisions', async () => {
    const before = remote.policyVersion();
    const dir = policyCopy((s) => s.replace('"user" if "capped_refunder";', ''));
    const sent = server.requests.length;
    await expect(remote.reloadPolicy(dir)).rejects.toThrow(/policy tests failed: /);
    expect(server.requests.length).toBe(sent);
    expect(remote.policyVersion()).toBe(before);
    expect(await remote.authorize(botRefunds)).toMatchObject({ allowed: true, policyVersion: before });
  });

  it('sends nothing for a policy that does not load here, and keeps deciding', async () => {
    const before = remote.policyVersion();
    const dir = policyCopy((s) => s.replace('actor User {}', 'actor User {'));
    const sent = server.requests.length;
    const failed = remote.reloadPolicy(dir);
    await expect(failed).rejects.toBeInstanceOf(PolicyError);
    await expect(failed).rejects.toThrow(/warden\.polar:\d+:\d+: /);
    expect(server.requests.length).toBe(sent);
    expect(remote.policyVersion()).toBe(before);
    expect((await remote.authorize(botRefunds)).allowed).toBe(true);
  });

  it('keeps the version when the server is failing, and decides again once it answers', async () => {
    const before = remote.policyVersion();
    server.failNext(500, 3);
    const dir = policyCopy((s) => `${s}\n# another revision\n`);
    await expect(remote.reloadPolicy(dir)).rejects.toThrow(/refused the policy: .*HTTP 500/);
    expect(remote.policyVersion()).toBe(before);
    expect(await remote.authorize(botRefunds)).toMatchObject({ allowed: true, policyVersion: before });
  });
  it('puts the previous policy and facts back when the facts fail after the policy was accepted', async () => {
    const before = remote.policyVersion();
    const dir = policyCopy(
      (s) => `${s}\n# facts will fail\n`,
      (s) => `${s}  - has_role(User{"mallory"}, "approver", Toolset{"crm-write"})\n`,
    );
    server.failRoute('POST /api/batch', 500, 3);
    const sent = server.requests.length;
    await expect(remote.reloadPolicy(dir)).rejects.toThrow(
      /refused the facts: .*HTTP 500.*; the previous policy and facts are back in place/,
    );
    expect(server.requests.slice(sent)).toEqual([
      'POST /api/policy',
      ...Array(3).fill('POST /api/batch'),
      'POST /api/policy',
      'POST /api/batch',
    ]);
    expect(remote.policyVersion()).toBe(before);
    expect(await remote.authorize(botRefunds)).toMatchObject({ allowed: true, policyVersion: before });
    const write = { actor: mallory, action: 'approve', resource: { type: 'Tool', id: 'crm.update_ticket' } };
    expect((await remote.authorize(write)).allowed).toBe(false);
  });

  it('denies everything when neither the new nor the previous facts can be synced, until a reload succeeds', async () => {
    const dir = policyCopy((s) => `${s}\n# the server breaks down\n`);
    server.failRoute('POST /api/batch', 500, 6);
    await expect(remote.reloadPolicy(dir)).rejects.toThrow(
      /restoring the previous policy failed too .*every decision denies until a reload succeeds/,
    );
    const denied = await remote.authorize(botRefunds);
    expect(denied.allowed).toBe(false);
    expect(denied.error).toMatch(/policy on the Oso server is unknown/);
    expect(await remote.actions(bot, refund, [['acts_for', bot, { type: 'User', id: 'alice' }]])).toEqual([]);

    const reload = await remote.reloadPolicy(dir);
    expect(await remote.authorize(botRefunds)).toMatchObject({
      allowed: true,
      policyVersion: reload.policyVersion,
    });
  });
});
