import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_SCHEMA } from '../../../src/audit/siem-export.ts';
import type { TimelineEntry } from '../../../src/audit/timeline.ts';
import type { WhatIfReport } from '../../../src/audit/what-if.ts';
import { testClient, uniqueTaskQueue } from '../../support/temporal.ts';
import { eventually } from '../../support/waiting.ts';
import {
  type AgentWorkers,
  startAgentWorkers,
  startScenario,
  TEST_SECRET,
} from '../agents/support/agent-workers.ts';
import { useTestServerEnv, warden } from './cli-harness.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');
const DELEGATOR_FACT = '  - has_role(Agent{"support-bot"}, "delegator", Agent{"billing-bot"})\n';

describe('handoff decisions in audit, export and what-if (handoff-billing-dispute)', () => {
  const taskQueue = uniqueTaskQueue('ops-handoff');
  const dirs: string[] = [];
  let client: Client;
  let workers: AgentWorkers;
  let workflowId = '';
  let policyVersion = '';

  beforeAll(async () => {
    useTestServerEnv({
      WARDEN_APPROVAL_SECRET: TEST_SECRET,
      WARDEN_MODE: 'development',
      WARDEN_TASK_QUEUE: taskQueue,
    });
    client = await testClient();
    workers = await startAgentWorkers(taskQueue);
    policyVersion = workers.deps.authorizer.policyVersion();
    const handle = await startScenario(
      client,
      taskQueue,
      'handoff-billing-dispute',
      'Ticket t-501 is a billing dispute.',
    );
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', finalAgent: 'billing-specialist' });
    workflowId = handle.workflowId;
  }, 120_000);
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('warden audit shows the handoff decision with its policy version', async () => {
    const json = await warden('audit', workflowId, '--json');
    expect(json.code).toBe(0);
    const timeline = (JSON.parse(json.stdout) as { timeline: TimelineEntry[] }).timeline;
    const handoffs = timeline.filter((e) => e.kind === 'handoff_decision');
    expect(handoffs).toEqual([
      expect.objectContaining({
        from: 'Agent:support-bot',
        to: 'Agent:billing-bot',
        onBehalfOf: 'User:alice',
        allowed: true,
        policyVersion,
        engine: 'embedded',
        reason: expect.stringMatching(
          /^allowed: .*Agent:support-bot acting for User:alice handoff Agent:billing-bot/,
        ),
      }),
    ]);
    // It is no longer an anonymous activity line.
    expect(timeline.filter((e) => e.kind === 'activity' && e.activityType === 'authorizeHandoff')).toEqual(
      [],
    );
    // Before the specialist's refund, after the copilot's first tool call.
    const at = (kind: string, tool?: string) =>
      timeline.findIndex((e) => e.kind === kind && (tool === undefined || ('tool' in e && e.tool === tool)));
    expect(at('handoff_decision')).toBeLessThan(at('authz_decision', 'crm.issue_refund'));

    const text = await warden('audit', workflowId);
    expect(text.stdout).toMatch(
      new RegExp(
        `handoff\\s+ALLOW Agent:support-bot → Agent:billing-bot for User:alice \\(policy ${policyVersion}\\): allowed`,
      ),
    );
  });

  it('warden export writes a handoff_decision line with the same stable keys', async () => {
    const lines = await eventually(async () => {
      const result = await warden('export', '--since', '1h');
      expect(result.code, result.stderr).toBe(0);
      const mine = result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((r) => r.workflow_id === workflowId);
      return mine.some((r) => r.event === 'handoff_decision') ? mine : undefined;
    });
    const keys = Object.keys(lines[0] ?? {}).sort();
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(keys);
    const handoff = lines.filter((r) => r.event === 'handoff_decision');
    expect(handoff).toEqual([
      expect.objectContaining({
        schema: AUDIT_SCHEMA,
        agent: 'Agent:support-bot',
        user: 'User:alice',
        call_id: null,
        tool: null,
        decision: 'allow',
        action: 'handoff',
        actor: 'Agent:support-bot',
        approver: null,
        policy_version: policyVersion,
        facts_version: workers.deps.authorizer.factsVersion(),
        engine: 'embedded',
        target: 'Agent:billing-bot',
        reason: expect.stringMatching(/^handoff to Agent:billing-bot: allowed: /),
      }),
    ]);
  });

  it('warden what-if takes the handoff again under the other policy too', async () => {
    const same = await warden('what-if', workflowId, '--policy', POLICY_DIR, '--json');
    expect(same.code).toBe(0);
    const unchanged = JSON.parse(same.stdout) as WhatIfReport;
    expect(unchanged.changed).toBe(0);
    expect(unchanged.rows.filter((r) => r.kind === 'handoff')).toEqual([
      expect.objectContaining({ tool: 'Agent:billing-bot', action: 'handoff', changed: false }),
    ]);

    // The other policy no longer lets support-bot delegate to billing-bot.
    const dir = mkdtempSync(path.join(tmpdir(), 'warden-whatif-handoff-'));
    dirs.push(dir);
    cpSync(POLICY_DIR, dir, { recursive: true });
    const facts = path.join(dir, 'facts.yaml');
    const text = readFileSync(facts, 'utf8');
    expect(text).toContain(DELEGATOR_FACT);
    writeFileSync(facts, text.replace(DELEGATOR_FACT, ''));

    const json = await warden('what-if', workflowId, '--policy', dir, '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as WhatIfReport;
    expect(report.changed).toBe(1);
    expect(report.rows.filter((r) => r.changed)).toEqual([
      expect.objectContaining({
        kind: 'handoff',
        tool: 'Agent:billing-bot',
        action: 'handoff',
        actor: 'Agent:support-bot',
        onBehalfOf: 'User:alice',
        recorded: expect.objectContaining({ allowed: true, policyVersion }),
        replayed: expect.objectContaining({ allowed: false }),
      }),
    ]);
    // The specialist's own tool calls are re-taken too, and unchanged.
    expect(report.rows.some((r) => r.kind === 'tool_call' && r.actor === 'Agent:billing-bot')).toBe(true);

    const lines = await warden('what-if', workflowId, '--policy', dir);
    expect(lines.stdout).toMatch(
      /CHANGED handoff Agent:billing-bot by Agent:support-bot for User:alice: allow → deny \(denied: /,
    );
  });
});
