import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiActivitySchema } from '../../../src/alerts/ocsf-schema.ts';
import { AUDIT_SCHEMA } from '../../../src/audit/siem-export.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import { decide, type GuardWorkers, startGuardWorkers, startPlan, waitForPending } from '../guard/harness.ts';
import { STABLE_AUDIT_KEYS } from './audit-keys.ts';
import { useTestServerEnv, warden } from './cli-harness.ts';

describe('warden export: a decision taken again after a policy change', () => {
  const taskQueue = uniqueTaskQueue('ops-redecision-export');
  let client: Client;
  let workers: GuardWorkers;
  let policyDir: string;

  beforeAll(async () => {
    useTestServerEnv({ WARDEN_TASK_QUEUE: taskQueue });
    client = await testClient();
    workers = await startGuardWorkers(taskQueue);
    policyDir = mkdtempSync(path.join(tmpdir(), 'warden-ops-policy-'));
    cpSync(path.resolve('examples/support-copilot/policies'), policyDir, { recursive: true });
    appendFileSync(path.join(policyDir, 'warden.polar'), '\n# Reviewed: refunds unchanged.\n');
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
    if (policyDir) rmSync(policyDir, { recursive: true, force: true });
  });

  it('writes a redecision line with the previous policy version, outcome and approver, under the stable keys', async () => {
    const { authorizer } = workers.deps;
    const handle = await startPlan(client, taskQueue, {
      calls: [
        {
          tool: 'crm.issue_refund',
          callId: 'refund',
          arguments: { customerId: 'c-1001', amount: 230, currency: 'EUR', reason: 'double charge' },
        },
      ],
    });
    const [first] = await waitForPending(handle);
    const reload = await authorizer.reloadPolicy(policyDir);
    expect(reload.policyVersion).not.toBe(first?.policyVersion);
    await decide({ client, workers }, handle, 'refund', 'bob', 'approve', { shown: first! });
    const second = await eventually(async () =>
      (await handle.query(pendingApprovalsQuery)).find((p) => p.digest !== first!.digest),
    );
    await decide({ client, workers }, handle, 'refund', 'carol', 'approve', { shown: second });
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed' });

    const lines = await eventually(async () => {
      const result = await warden('export', '--since', '1h');
      expect(result.code, result.stderr).toBe(0);
      const mine = result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((r) => r.workflow_id === handle.workflowId);
      return mine.some((r) => r.event === 'tool_outcome') ? mine : undefined;
    });
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(STABLE_AUDIT_KEYS);
    const redecisions = lines.filter((l) => l.event === 'redecision');
    expect(redecisions).toEqual([
      {
        schema: AUDIT_SCHEMA,
        ts: expect.any(String),
        event: 'redecision',
        workflow_id: handle.workflowId,
        run_id: expect.any(String),
        workflow_type: 'toolPlanWorkflow',
        agent: 'Agent:support-bot',
        user: 'User:alice',
        call_id: 'refund',
        tool: 'crm.issue_refund',
        decision: 'approved',
        reason: expect.stringMatching(
          new RegExp(`policy_changed.*from ${first!.policyVersion} to ${reload.policyVersion}`),
        ),
        action: null,
        actor: null,
        approver: 'bob',
        policy_version: first!.policyVersion,
        facts_version: null,
        engine: null,
        target: null,
        provenance: null,
        decision_signature: null,
      },
    ]);

    // The same audit as OCSF API Activity events: each carries its Warden record unchanged.
    const ocsf = await warden('export', '--since', '1h', '--format', 'ocsf');
    expect(ocsf.code, ocsf.stderr).toBe(0);
    const events = ocsf.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { unmapped: { warden: Record<string, unknown> } });
    for (const event of events) expect(apiActivitySchema.safeParse(event).error).toBeUndefined();
    const ocsfMine = events.map((e) => e.unmapped.warden).filter((r) => r.workflow_id === handle.workflowId);
    expect(ocsfMine).toEqual(lines);
    const bad = await warden('export', '--format', 'cef');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('invalid --format');
  });
});
