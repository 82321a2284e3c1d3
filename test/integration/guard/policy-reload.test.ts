import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistoryWithClient } from '../../../src/audit/decode-history.ts';
import { decodeRunHistory } from '../../../src/audit/run-history.ts';
import { buildTimeline } from '../../../src/audit/timeline.ts';
import { describeEntry } from '../../../src/cli/commands/audit.ts';
import type { PendingApproval } from '../../../src/guard/types.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { withoutTests } from '../../support/policy-text.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { decide, type GuardWorkers, startGuardWorkers, startPlan, waitForPending } from './harness.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');

const refund = (amount: number, callId: string) => ({
  tool: 'crm.issue_refund',
  callId,
  arguments: { customerId: 'c-1001', amount, currency: 'EUR', reason: 'cancelled plan' },
});

/** A copy of the shipped policy with `change` applied to its Polar file. */
function policyVariant(dirs: string[], change: (polar: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-guard-policy-'));
  dirs.push(dir);
  cpSync(POLICY_DIR, dir, { recursive: true });
  const polar = path.join(dir, 'warden.polar');
  const before = readFileSync(polar, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(polar, after);
  return dir;
}

/** Polls until the call is pending again, under another digest than `previous`. */
async function waitForNewPending(handle: WorkflowHandle, previous: string): Promise<PendingApproval> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pending = (await handle.query(pendingApprovalsQuery)).find((p) => p.digest !== previous);
    if (pending) return pending;
    if (Date.now() > deadline) throw new Error('the call did not wait for a fresh approval');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function decodedHistory(handle: WorkflowHandle) {
  return decodeHistoryWithClient(handle.client, await handle.fetchHistory(), handle.workflowId);
}

/** What `warden audit` prints about the run's decisions taken again. */
async function auditedRedecisions(handle: WorkflowHandle): Promise<string[]> {
  const run = decodeRunHistory(await decodedHistory(handle), handle.workflowId);
  return buildTimeline(run).flatMap((e) => (e.kind === 'redecision' ? [describeEntry(e)] : []));
}

/** The failures of the run's tool executions, from its history. */
async function executionFailures(handle: WorkflowHandle): Promise<string[]> {
  const run = decodeRunHistory(await decodedHistory(handle), handle.workflowId);
  return run.steps.flatMap((s) =>
    s.kind === 'activity' && s.activityType === 'executeGuardedTool' && s.failure ? [s.failure] : [],
  );
}

describe('guard: the policy changes while a call waits for approval', () => {
  const taskQueue = uniqueTaskQueue('guard-policy-reload');
  const dirs: string[] = [];
  let client: Client;
  let workers: GuardWorkers;

  beforeAll(async () => {
    client = await testClient();
    workers = await startGuardWorkers(taskQueue);
  });
  afterEach(async () => {
    // Back to the shipped policy (WARDEN_POLICY_DIR) for the next case.
    await workers.deps.authorizer.reloadPolicy();
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the approved call at execution, decides again, and denies it under a policy that now forbids it', async () => {
    const { authorizer, services } = workers.deps;
    const before = services.crm.refunds.length;
    const handle = await startPlan(client, taskQueue, { calls: [refund(250, 'refund')] });
    const [pending] = await waitForPending(handle);
    expect(pending?.policyVersion).toBe(authorizer.policyVersion());

    // The new policy no longer lets a capped refunder (support-bot) invoke refunds at all.
    const stricter = policyVariant(dirs, (s) => withoutTests(s.replace('"user" if "capped_refunder";', '')));
    const reload = await authorizer.reloadPolicy(stricter);
    expect(reload.policyVersion).not.toBe(pending?.policyVersion);

    await decide({ client, workers }, handle, 'refund', 'bob', 'approve', { shown: pending! });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'denied' });
    expect(outcomes[0]?.reason).toContain(
      `denied: no rule in policy ${reload.policyVersion} grants Agent:support-bot acting for User:alice invoke Tool:crm.issue_refund`,
    );
    expect(records[0]).toMatchObject({
      outcome: 'denied',
      authorization: { allowed: false, policyVersion: reload.policyVersion },
    });
    expect(services.crm.refunds.length).toBe(before);
    const failures = await executionFailures(handle);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      new RegExp(`policy_changed.*from ${pending!.policyVersion} to ${reload.policyVersion}`),
    );
    // The record keeps the refused decision, not only the last one.
    expect(records[0]?.redecisions).toEqual([
      {
        at: expect.any(String),
        reason: failures[0],
        previousPolicyVersion: pending!.policyVersion,
        previousOutcome: 'approved',
        previousApprovers: ['bob'],
      },
    ]);
    expect(await auditedRedecisions(handle)).toEqual([
      `redecision    crm.issue_refund#refund decided again (was approved by bob under policy ${pending!.policyVersion}): ${failures[0]}`,
    ]);
  });

  it('asks for a fresh approval bound to the new policy version when the new policy still allows the call, then executes it once', async () => {
    const { authorizer, services } = workers.deps;
    const before = services.crm.refunds.length;
    const handle = await startPlan(client, taskQueue, { calls: [refund(260, 'refund')] });
    const [first] = await waitForPending(handle);

    const revised = policyVariant(dirs, (s) => `${s}\n# Reviewed: refunds unchanged.\n`);
    const reload = await authorizer.reloadPolicy(revised);
    expect(reload.policyVersion).not.toBe(first?.policyVersion);

    const approved = await decide({ client, workers }, handle, 'refund', 'bob', 'approve', { shown: first! });
    expect(approved.state).toBe('approved');
    const second = await waitForNewPending(handle, first!.digest);
    expect(second).toMatchObject({ callId: 'refund', policyVersion: reload.policyVersion, approvals: [] });
    expect(second.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The first approval was for the old policy's digest: it does not count now.
    expect(services.crm.refunds.length).toBe(before);
    await expect(
      decide({ client, workers }, handle, 'refund', 'carol', 'approve', { shown: first! }),
    ).rejects.toThrow(/digest does not match/);

    await decide({ client, workers }, handle, 'refund', 'carol', 'approve', { shown: second });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (approved by carol)' });
    expect(services.crm.refunds.length - before).toBe(1);
    expect(records[0]).toMatchObject({
      outcome: 'executed',
      argsDigest: second.digest,
      authorization: { allowed: true, policyVersion: reload.policyVersion },
    });
    expect(await executionFailures(handle)).toEqual([expect.stringMatching(/policy_changed/)]);
    expect(records[0]?.redecisions).toEqual([
      expect.objectContaining({
        previousPolicyVersion: first!.policyVersion,
        previousOutcome: 'approved',
        previousApprovers: ['bob'],
      }),
    ]);
  });

  it('gives back the window place of a call refused at execution, so the next call fits the window', async () => {
    const { authorizer } = workers.deps;
    // A window of one refund an hour, for alice through support-bot; no other case here reserves one.
    const rules = [
      { kind: 'max_calls_per_window' as const, limit: 1, windowSeconds: 3600, onExceed: 'deny' as const },
    ];
    const refused = await startPlan(client, taskQueue, { calls: [refund(240, 'refund')], rules });
    const [pending] = await waitForPending(refused);
    const stricter = policyVariant(dirs, (s) => withoutTests(s.replace('"user" if "capped_refunder";', '')));
    await authorizer.reloadPolicy(stricter);
    await decide({ client, workers }, refused, 'refund', 'bob', 'approve', { shown: pending! });
    const first = await refused.result();
    expect(first.outcomes[0]).toMatchObject({ status: 'denied' });
    expect(await executionFailures(refused)).toEqual([expect.stringMatching(/policy_changed/)]);

    await authorizer.reloadPolicy();
    const next = await startPlan(client, taskQueue, { calls: [refund(40, 'small')], rules });
    const { outcomes, records } = await next.result();
    // The refused refund never ran: the small one is the first of the window and runs unattended.
    expect(outcomes[0]).toMatchObject({ status: 'executed', reason: 'executed (unattended)' });
    expect(records[0]?.intent?.findings).toContainEqual({
      rule: 'max_calls_per_window',
      verdict: 'allow',
      reason: '1 calls within 1 per 3600 s',
    });
  });

  it('counts a call decided again once towards the per-run call limit', async () => {
    const { authorizer } = workers.deps;
    const handle = await startPlan(client, taskQueue, {
      calls: [
        refund(270, 'refund'),
        { tool: 'ticket.get', callId: 'read', arguments: { ticketId: 't-501' } },
      ],
      rules: [{ kind: 'max_calls_per_run', limit: 2, anyTool: true }],
    });
    const [first] = await waitForPending(handle);
    const revised = policyVariant(dirs, (s) => `${s}\n# Reviewed: limits unchanged.\n`);
    await authorizer.reloadPolicy(revised);
    await decide({ client, workers }, handle, 'refund', 'bob', 'approve', { shown: first! });
    const second = await waitForNewPending(handle, first!.digest);
    await decide({ client, workers }, handle, 'refund', 'carol', 'approve', { shown: second });

    const { outcomes, records } = await handle.result();
    // The refused round never reached the tool: the refund is one call, the read the second.
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'executed']);
    expect(records[0]?.redecisions).toHaveLength(1);
    expect(records[1]?.intent?.findings).toContainEqual({
      rule: 'max_calls_per_run',
      verdict: 'allow',
      reason: '2 tool calls within 2',
    });
  });
});
