import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertRuleName } from '../../../src/alerts/alert.ts';
import { resolveAlertsConfig } from '../../../src/alerts/alerts-config.ts';
import { detectionFindingSchema } from '../../../src/alerts/ocsf-schema.ts';
import { ApproverAuthenticator } from '../../../src/approvals/auth/authenticate.ts';
import { submitApproval } from '../../../src/approvals/submit-approval.ts';
import { pendingApprovalsQuery } from '../../../src/workflows/guard/definitions.ts';
import type { ToolPlanResult } from '../../../src/workflows/tool-plan.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { PRIMARY_KEY } from '../../support/keys.ts';
import { testDataDir } from '../../support/temporal.ts';
import { startScenario, useAgentWorkers } from '../agents/support/agent-workers.ts';
import { startPlan } from '../guard/harness.ts';

/** The demo's scenarios a well-behaved model plays (injected-export and malformed-tool-calls are attacks). */
const BENIGN: Array<[scenario: string, input: string]> = [
  ['benign-ticket', 'Please handle ticket t-504 for me.'],
  ['refund-under-limit', 'Ticket t-501: refund the duplicate charge.'],
  ['refund-over-limit', 'Ticket t-503: refund the annual plan.'],
  ['handoff-to-billing', 'Ticket t-501 is a billing dispute.'],
  ['handoff-billing-dispute', 'Ticket t-501 is a billing dispute.'],
  ['handoff-refund-over-limit', 'Ticket t-503 needs a large refund.'],
  ['long-conversation', 'Summarize tickets t-501 and t-503 and their customer.'],
];

/** A collector that always fails, as a Splunk HEC under maintenance does. */
let failing: Server;
let failingHits = 0;
const jsonl = path.join(testDataDir(), 'alerts.jsonl');

beforeAll(async () => {
  failing = createServer((req, res) => {
    failingHits += 1;
    req.resume();
    res.statusCode = 503;
    res.end('down');
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => failing.close(resolve));
});

describe('alert rules on the tool worker, real Temporal server and policy', () => {
  const fixture = useAgentWorkers('alert-rules', {
    project: {
      get alerts() {
        const { port } = failing.address() as AddressInfo;
        return resolveAlertsConfig({
          rules: {
            massDataAccess: { minRecordsPerRun: 8 },
            unusualToolUsage: { learningRuns: 3 },
            newExternalHost: { knownHosts: ['*.acme.example'] },
            denialBurst: { threshold: 3 },
            // The test sweeps itself, at a time past every grant's expiry.
            approvalTimeout: { sweepSeconds: 3_600 },
          },
          sinks: [
            { kind: 'jsonl', path: jsonl },
            {
              kind: 'webhook',
              url: `http://127.0.0.1:${port}/services/collector`,
              retries: 2,
              timeoutMs: 1_000,
            },
            // Nothing listens there: connection refused on every attempt.
            { kind: 'webhook', url: 'http://127.0.0.1:9/collector', retries: 1, timeoutMs: 500 },
          ],
        });
      },
    },
  });
  const monitor = () => {
    const alerts = fixture.workers.deps.alerts;
    if (alerts === undefined) throw new Error('the workers run without alerts');
    return alerts;
  };
  const alertsOf = (workflowId: string): Alert[] =>
    monitor()
      .store.recent({ limit: 10_000 })
      .filter((a) => a.run.workflowId === workflowId);
  const rulesOf = (workflowId: string): AlertRuleName[] =>
    alertsOf(workflowId)
      .map((a) => a.rule)
      .sort();

  const bob = new ApproverAuthenticator('development', undefined).authenticate({ as: 'User:bob' });
  /** Runs to the end, approving as bob every call that waits (the demo's approver). */
  async function approvingAll<T>(handle: WorkflowHandle): Promise<T> {
    let finished = false;
    const result = handle.result().finally(() => {
      finished = true;
    });
    const approved = new Set<string>();
    while (!finished) {
      const pending = await handle.query(pendingApprovalsQuery).catch(() => []);
      for (const call of pending.filter((p) => !approved.has(p.callId))) {
        approved.add(call.callId);
        await submitApproval(fixture.client, {
          workflowId: handle.workflowId,
          callId: call.callId,
          approver: bob,
          decision: 'approve',
          signer: PRIMARY_KEY.signer,
          authorizer: fixture.workers.deps.authorizer,
          tools: fixture.workers.deps.tools,
          decisions: ringDecisionVerifier(fixture.workers.deps.zoneKeys, fixture.workers.deps.tools),
          mode: 'development',
        });
      }
      await Promise.race([result.catch(() => {}), new Promise((r) => setTimeout(r, 300))]);
    }
    return (await result) as T;
  }

  const benignRuns: string[] = [];
  const plan = async (calls: Parameters<typeof startPlan>[2]['calls'], extra = {}) => {
    const handle = await startPlan(fixture.client, fixture.taskQueue, { calls, ...extra });
    return { handle, result: await approvingAll<ToolPlanResult>(handle) };
  };

  it('the benign scenarios, twice (the first pass is the agent history), raise no alert', async () => {
    for (let pass = 0; pass < 2; pass++) {
      for (const [scenario, input] of BENIGN) {
        const handle = await startScenario(fixture.client, fixture.taskQueue, scenario, input);
        const result = await approvingAll<{ status: string }>(handle);
        expect({ scenario, status: result.status }).toEqual({ scenario, status: 'completed' });
        benignRuns.push(handle.workflowId);
      }
    }
    const falsePositives = benignRuns.flatMap(alertsOf);
    expect(falsePositives).toEqual([]);
  }, 240_000);

  it('mass data access: a run reading far more records than the agent history fires once', async () => {
    const calls = Array.from({ length: 10 }, (_, i) => ({
      tool: 'ticket.get',
      arguments: { ticketId: `t-50${(i % 4) + 1}` },
    }));
    const { handle, result } = await plan(calls);
    expect(result.outcomes.every((o) => o.status === 'executed')).toBe(true);
    expect(rulesOf(handle.workflowId)).toEqual(['mass_data_access']);
    expect(alertsOf(handle.workflowId)[0]?.counts).toMatchObject({ records: 9 });
  });

  it('unusual tool usage: a tool the agent never used in its history fires once, not per call', async () => {
    const search = { tool: 'crm.search_customers', arguments: { query: 'acme', limit: 1 } };
    const { handle, result } = await plan([search, search]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['executed', 'executed']);
    expect(rulesOf(handle.workflowId)).toEqual(['unusual_tool_usage']);
    expect(alertsOf(handle.workflowId)[0]).toMatchObject({
      tool: 'crm.search_customers',
      agent: 'support-bot',
    });
  });

  it('a new external host: the first call to it fires, even refused, and a second does not', async () => {
    const post = { tool: 'http.post', arguments: { url: 'https://hooks.partner.example/in', body: 'x' } };
    const first = await plan([post]);
    // The policy does not let the bot post anywhere; the attempt is what the SOC needs to see.
    expect(first.result.outcomes.map((o) => [o.status, o.reason])).toEqual([['denied', expect.any(String)]]);
    expect(rulesOf(first.handle.workflowId)).toEqual(['new_external_host']);
    const alert = alertsOf(first.handle.workflowId).find((a) => a.rule === 'new_external_host');
    // The host alone: never the URL's path or the body.
    expect(alert?.host).toBe('hooks.partner.example');
    expect(JSON.stringify(alert)).not.toContain('/in');

    const again = await plan([post]);
    expect(again.result.outcomes.map((o) => o.status)).toEqual(['denied']);
    expect(rulesOf(again.handle.workflowId)).not.toContain('new_external_host');
  });

  it('a burst of denials fires once for the run, whatever the workflow reports', async () => {
    const del = { tool: 'crm.delete_customer', arguments: { customerId: 'c-1001' } };
    const { handle, result } = await plan([del, del, del, del]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['denied', 'denied', 'denied', 'denied']);
    expect(rulesOf(handle.workflowId)).toEqual(['denial_burst']);
    expect(alertsOf(handle.workflowId)[0]?.counts).toMatchObject({ denials: 3, threshold: 3 });
  });

  it('an approval wait whose execution never comes fires when its grant expired; approved waits never do', async () => {
    const refund = {
      tool: 'crm.issue_refund',
      arguments: { customerId: 'c-1001', amount: 900, currency: 'EUR', reason: 'annual plan' },
    };
    const handle = await startPlan(fixture.client, fixture.taskQueue, {
      calls: [refund],
      approvalTimeouts: { 'crm.issue_refund': '1 second' },
    });
    const result = (await handle.result()) as ToolPlanResult;
    expect(result.outcomes.map((o) => o.status)).toEqual(['expired']);
    expect(rulesOf(handle.workflowId)).toEqual([]);
    // Past every grant this test issued: only the call nobody executed is reported.
    const raised = monitor().sweep(Date.now() + 48 * 3_600_000);
    expect(raised.map((a) => [a.rule, a.run.workflowId, a.tool])).toEqual([
      ['approval_timeout', handle.workflowId, 'crm.issue_refund'],
    ]);
    expect(monitor().sweep(Date.now() + 48 * 3_600_000)).toEqual([]);
    expect(benignRuns.flatMap(alertsOf)).toEqual([]);
  });

  it('every alert reached the JSON-lines sink as a valid OCSF Detection Finding; the failing collectors failed no call', async () => {
    const stored = monitor().store.recent({ limit: 10_000 });
    const sinks = monitor().sinks;
    await Promise.all(sinks.map((s) => s.close(10_000)));
    const lines = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.finding_info.uid).sort()).toEqual(stored.map((a) => a.id).sort());
    for (const line of lines) expect(detectionFindingSchema.safeParse(line).error).toBeUndefined();
    // Both webhooks were tried (with retries) and failed, while every run above completed.
    expect(failingHits).toBeGreaterThanOrEqual(stored.length);
    const [, down, refused] = sinks.map((s) => s.stats());
    expect(down).toMatchObject({ sent: 0, failed: stored.length });
    expect(refused).toMatchObject({ sent: 0 });
    expect((refused?.failed ?? 0) + (refused?.dropped ?? 0)).toBe(stored.length);
  });
});
