import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents } from '../../../examples/support-copilot/agents.ts';
import { CrmService } from '../../../examples/support-copilot/services/crm-service.ts';
import { Egress } from '../../../examples/support-copilot/services/egress.ts';
import { demoTools } from '../../../examples/support-copilot/tools/index.ts';
import type { GuardDependencies } from '../../../src/activities/guard/dependencies.ts';
import { executeGuardedToolActivity } from '../../../src/activities/guard/execute-tool.ts';
import { signGrant } from '../../../src/activities/guard/grant.ts';
import { approvalDigest } from '../../../src/approvals/digest.ts';
import { issueRequesterAssertion } from '../../../src/approvals/requester-assertion.ts';
import { signApproval } from '../../../src/approvals/sign-approval.ts';
import { parsePublicKeys } from '../../../src/approvals/signing-keys.ts';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import { loadConfig } from '../../../src/config/env.ts';
import type {
  ApprovalSubmission,
  ExecuteToolInput,
  GuardGrant,
  RequesterAssertion,
} from '../../../src/guard/types.ts';
import { ProvenanceIndex } from '../../../src/provenance/provenance-index.ts';
import { SqliteUsageStore } from '../../../src/usage/sqlite-usage-store.ts';
import { ZoneKeyring } from '../../../src/zones/zone-keyring.ts';
import { EXAMPLE_POLICY_DIR } from '../../support/example.ts';
import { PRIMARY_KEY, RETIRED_KEY, TEST_KEY_CONFIG } from '../../support/keys.ts';
import { quietActivityEnvironment, RecordingLogger } from './quiet-activity-environment.ts';

const SECRET = 'unit-test-approval-secret-0123456789abcdef';
// MockActivityEnvironment's default calling workflow.
const RUN = { workflowId: 'test', runId: '00000000-0000-0000-0000-000000000000' };
const agent = { type: 'Agent', id: 'support-bot' };
const onBehalfOf = { type: 'User', id: 'alice' };

describe('the tool activity called directly, without the guard', () => {
  let deps: GuardDependencies;
  let run: (input: ExecuteToolInput) => Promise<unknown>;
  const logger = new RecordingLogger();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'warden-recheck-'));

  beforeAll(async () => {
    const authorizer = await createAuthorizer(
      loadConfig({ ...process.env }, { policyDir: EXAMPLE_POLICY_DIR }),
    );
    deps = {
      authorizer,
      tools: demoTools,
      services: { crm: new CrmService(), egress: new Egress() },
      agents,
      approvalSecret: SECRET,
      approvalKeys: parsePublicKeys(TEST_KEY_CONFIG.WARDEN_APPROVAL_PUBLIC_KEYS),
      usage: SqliteUsageStore.inDataDir(dataDir),
      provenance: ProvenanceIndex.inDataDir(dataDir, SECRET),
      zoneKeys: new ZoneKeyring(path.join(dataDir, 'zone-keys'), 'development'),
      mode: 'production',
    };
    const activity = executeGuardedToolActivity(deps, 'default');
    run = (input) => quietActivityEnvironment(logger).run(activity, input);
  });
  afterAll(async () => {
    deps?.usage.close();
    deps?.provenance.close();
    await deps?.authorizer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const refundArgs = (amount: number) => ({
    customerId: 'c-1001',
    amount,
    currency: 'EUR',
    reason: 'duplicate',
  });

  function grantFor(args: unknown, overrides: Partial<GuardGrant> = {}, callId = 'c1'): GuardGrant {
    const policyVersion = deps.authorizer.policyVersion();
    const digest = approvalDigest({
      tool: 'crm.issue_refund',
      toolVersion: '1',
      arguments: args,
      ...RUN,
      callId,
      policyVersion,
    });
    const now = Date.now();
    return signGrant(SECRET, {
      ...RUN,
      callId,
      tool: 'crm.issue_refund',
      agent,
      onBehalfOf,
      digest,
      policyVersion,
      verdict: 'allow',
      issuedAt: now,
      expiresAt: now + 60_000,
      ...overrides,
    });
  }

  const alice = { user: onBehalfOf, authentication: 'token' as const };
  const aliceStarted = issueRequesterAssertion(PRIMARY_KEY.signer, alice, RUN.workflowId);

  function input(
    args: unknown,
    grant: GuardGrant | undefined,
    approvals: ApprovalSubmission[] = [],
    requester: RequesterAssertion | undefined = aliceStarted,
  ): ExecuteToolInput {
    return {
      callId: 'c1',
      tool: 'crm.issue_refund',
      arguments: args,
      agent,
      onBehalfOf,
      authority: grant ? { grant, approvals } : (undefined as never),
      ...(requester ? { requester } : {}),
    };
  }

  function approval(
    digest: string,
    approver: string,
    authentication: 'token' | 'unauthenticated-dev' = 'token',
    key = PRIMARY_KEY,
    callId = 'c1',
  ) {
    const issuedAt = Date.now();
    return signApproval(key.signer, {
      ...RUN,
      callId,
      digest,
      approver,
      authentication,
      decision: 'approve' as const,
      issuedAt,
      expiresAt: issuedAt + 60_000,
    });
  }

  it('refuses a call without a guard decision', async () => {
    await expect(run(input(refundArgs(50), undefined))).rejects.toThrow(/refused \(no_grant\)/);
    expect(deps.services.crm.sideEffects).toBe(0);
  });

  it('refuses a forged or altered decision', async () => {
    const grant = grantFor(refundArgs(50));
    await expect(run(input(refundArgs(50), { ...grant, mac: 'f'.repeat(64) }))).rejects.toThrow(/bad_grant/);
    await expect(
      run(input(refundArgs(50), { ...grant, verdict: 'allow', expiresAt: grant.expiresAt + 1 })),
    ).rejects.toThrow(/not authentic/);
    // A genuine decision for 50 does not cover 90.
    await expect(run(input(refundArgs(90), grant))).rejects.toThrow(/arguments differ/);
    await expect(run(input(refundArgs(50), grantFor(refundArgs(50), {}, 'other-call')))).rejects.toThrow(
      /another call/,
    );
    expect(deps.services.crm.sideEffects).toBe(0);
  });

  it('refuses an expired decision', async () => {
    const grant = grantFor(refundArgs(50), {
      issuedAt: Date.now() - 120_000,
      expiresAt: Date.now() - 60_000,
    });
    await expect(run(input(refundArgs(50), grant))).rejects.toThrow(/refused \(expired\)/);
  });

  it('refuses, without approvals, a call the policy does not let run unattended', async () => {
    await expect(run(input(refundArgs(250), grantFor(refundArgs(250))))).rejects.toThrow(/approval_missing/);
    expect(deps.services.crm.sideEffects).toBe(0);
  });

  it('refuses approvals by the requester, or not authenticated by a token in production', async () => {
    const grant = grantFor(refundArgs(250));
    await expect(run(input(refundArgs(250), grant, [approval(grant.digest, 'alice')]))).rejects.toThrow(
      /alice: self-approval/,
    );
    await expect(
      run(input(refundArgs(250), grant, [approval(grant.digest, 'bob', 'unauthenticated-dev')])),
    ).rejects.toThrow(/bob: not authenticated \(production\)/);
    expect(deps.services.crm.sideEffects).toBe(0);
  });

  it('refuses approvals signed by a key it does not accept, altered, or for another run', async () => {
    const grant = grantFor(refundArgs(250));
    const forged = approval(grant.digest, 'bob', 'token', RETIRED_KEY);
    await expect(run(input(refundArgs(250), grant, [forged]))).rejects.toThrow(/bob: signature invalid/);
    const altered = { ...approval(grant.digest, 'bob'), approver: 'carol' };
    await expect(run(input(refundArgs(250), grant, [altered]))).rejects.toThrow(/carol: signature invalid/);
    const otherRun = signApproval(PRIMARY_KEY.signer, {
      ...approval(grant.digest, 'bob'),
      runId: 'another-run',
      nonce: undefined,
    });
    await expect(run(input(refundArgs(250), grant, [otherRun]))).rejects.toThrow(/bob: other call/);
    expect(deps.services.crm.sideEffects).toBe(0);
  });

  it('acts only for the user the signed requester assertion names (production)', async () => {
    const grant = grantFor(refundArgs(50));
    const carol = issueRequesterAssertion(
      PRIMARY_KEY.signer,
      { user: { type: 'User', id: 'carol' }, authentication: 'token' },
      RUN.workflowId,
    );
    const refusals: Array<[RequesterAssertion | undefined, RegExp]> = [
      [undefined, /bad_requester.*carries no signed assertion that User:alice started it/],
      [carol, /claims to act for User:alice but was started by User:carol/],
      [{ ...carol, user: onBehalfOf }, /not signed by an accepted key/],
      [issueRequesterAssertion(RETIRED_KEY.signer, alice, RUN.workflowId), /not signed by an accepted key/],
      [issueRequesterAssertion(PRIMARY_KEY.signer, alice, 'another-run'), /issued for run another-run/],
      [issueRequesterAssertion(PRIMARY_KEY.signer, alice, RUN.workflowId, { now: 0 }), /expired/],
      [
        issueRequesterAssertion(
          PRIMARY_KEY.signer,
          { user: onBehalfOf, authentication: 'unauthenticated-dev' },
          RUN.workflowId,
        ),
        /not authenticated \(development --as\)/,
      ],
    ];
    for (const [requester, reason] of refusals) {
      await expect(run({ ...input(refundArgs(50), grant), requester } as ExecuteToolInput)).rejects.toThrow(
        reason,
      );
    }
    expect(deps.services.crm.sideEffects).toBe(0);
  });

  it('runs the tool when the decision and the approvals hold, with the idempotency key', async () => {
    const grant = grantFor(refundArgs(250));
    const result = (await run(input(refundArgs(250), grant, [approval(grant.digest, 'bob')]))) as {
      idempotencyKey: string;
    };
    expect(result.idempotencyKey).toBe('test:c1');
    expect(deps.services.crm.refunds).toHaveLength(1);
  });

  it('runs an approved call once: a retry of the execution may run again, another execution may not', async () => {
    const args = { ...refundArgs(260), reason: 'replayed grant' };
    const grant = grantFor(args, {}, 'c2');
    const call = {
      ...input(args, grant, [approval(grant.digest, 'bob', 'token', PRIMARY_KEY, 'c2')]),
      callId: 'c2',
    };
    const before = deps.services.crm.refunds.length;
    await run(call);
    // The same activity execution retried (the mock's activity id): allowed, the tool dedupes.
    await run(call);
    expect(deps.services.crm.refunds.length - before).toBe(1);
    const activity = executeGuardedToolActivity(deps, 'default');
    const replay = quietActivityEnvironment(new RecordingLogger(), { activityId: 'replayed-execution' });
    await expect(replay.run(activity, call)).rejects.toThrow(/refused \(already_executed\)/);
    expect(deps.services.crm.refunds.length - before).toBe(1);
  });

  it('refuses a call of an agent the catalog does not define', async () => {
    const grant = grantFor(refundArgs(20), { agent: { type: 'Agent', id: 'rogue-bot' } });
    await expect(
      run({ ...input(refundArgs(20), grant), agent: { type: 'Agent', id: 'rogue-bot' } }),
    ).rejects.toThrow(/refused \(unknown_agent\)/);
  });

  it('refuses a tool of another trust zone', async () => {
    const zoned = executeGuardedToolActivity(deps, 'external');
    const zoneLogger = new RecordingLogger();
    await expect(
      quietActivityEnvironment(zoneLogger).run(zoned, input(refundArgs(50), grantFor(refundArgs(50)))),
    ).rejects.toThrow(/does not run in trust zone external/);
    // Recorded rather than printed: the refusal still reaches the activity log.
    expect(zoneLogger.entries.filter((e) => e.level === 'WARN')).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'Activity failed',
        meta: expect.objectContaining({
          error: expect.objectContaining({ message: expect.stringMatching(/trust zone external/) }),
        }),
      }),
    ]);
  });
});
