import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Enforcement } from '../../../src/activities/guard/enforce.ts';
import { observationOf } from '../../../src/activities/guard/observer.ts';
import { AlertMonitor } from '../../../src/alerts/alert-monitor.ts';
import { resolveAlertsConfig } from '../../../src/alerts/alerts-config.ts';
import { detectionFinding } from '../../../src/alerts/ocsf.ts';
import { apiActivitySchema, detectionFindingSchema } from '../../../src/alerts/ocsf-schema.ts';
import { WebhookSink } from '../../../src/alerts/sinks.ts';
import { ocsfAuditEvent } from '../../../src/audit/ocsf-audit.ts';
import { AUDIT_SCHEMA, type AuditRecord } from '../../../src/audit/siem-export.ts';
import { buildProgram } from '../../../src/cli/main.ts';
import { exampleProject } from '../../support/example.ts';

const run = { workflowId: 'wf-tainted', runId: 'run-1' };
const secretArgument = 'customer-secret-4242';

async function decided(tainted: unknown): Promise<Enforcement> {
  const { tools } = await exampleProject();
  const tool = tools.get('crm.get_customer');
  if (!tool) throw new Error('no crm.get_customer');
  const summary = {
    allowed: true,
    unattended: true,
    reason: 'policy',
    policyVersion: 'p1',
    factsVersion: 'f1',
    engine: 'embedded',
  };
  return {
    kind: 'admitted',
    tool,
    args: { customerId: secretArgument },
    callId: 'call-1',
    approvers: [],
    authorization: { invoke: { allowed: true, reason: 'policy' } as never, summary },
    // The verdict as provenance tracking extends it: a `tainted` mark beside the findings.
    intent: {
      verdict: { verdict: 'allow', reasons: [], findings: [], ...(tainted ? { tainted } : {}) },
      digest: 'd',
      policyVersion: 'p1',
    },
  };
}

describe('alert rules on synthetic decisions, OCSF shape, sinks', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warden-alerts-unit-'));
  const monitor = AlertMonitor.inDataDir(dir, resolveAlertsConfig({}));
  afterAll(() => monitor.close());
  const request = {
    callId: 'call-1',
    agent: { type: 'Agent', id: 'support-bot' },
    onBehalfOf: { type: 'User', id: 'alice' },
  };

  it('a decision marked tainted fires tainted_arguments once; an unmarked one does not', async () => {
    const { tools } = await exampleProject();
    monitor.observe(observationOf('decide', tools, run, request, await decided(undefined)));
    expect(monitor.store.recent().filter((a) => a.rule === 'tainted_arguments')).toEqual([]);
    for (const mark of [true, ['ticket.get#2']]) {
      monitor.observe(observationOf('decide', tools, run, request, await decided(mark)));
    }
    const tainted = monitor.store.recent().filter((a) => a.rule === 'tainted_arguments');
    expect(tainted).toHaveLength(1);
    expect(tainted[0]).toMatchObject({ agent: 'support-bot', user: 'alice', tool: 'crm.get_customer' });
    // No argument value in the alert or its OCSF event.
    expect(JSON.stringify(detectionFinding(tainted[0] as never))).not.toContain(secretArgument);
  });

  it('an OCSF Detection Finding has the required fields; one missing or wrong fails the schema', async () => {
    const [alert] = monitor.store.recent();
    const event = detectionFinding(alert as never);
    expect(detectionFindingSchema.safeParse(event).error).toBeUndefined();
    expect(event.observables.map((o) => o.name)).toEqual(
      expect.arrayContaining(['warden.workflow_id', 'warden.agent', 'actor.user.name', 'warden.tool']),
    );
    for (const broken of [
      { ...event, class_uid: 2003 },
      { ...event, type_uid: 200402 },
      { ...event, finding_info: { title: 'x' } },
      { ...event, metadata: { version: '1.3.0' } },
      { ...event, time: undefined },
    ]) {
      expect(detectionFindingSchema.safeParse(broken).success).toBe(false);
    }
  });

  it('`warden alerts --json` lists the stored alerts as OCSF Detection Findings', async () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    vi.stubEnv('WARDEN_DATA_DIR', dir);
    try {
      await buildProgram().parseAsync(['node', 'warden', 'alerts', '--json']);
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
    const events = written
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.finding_info.uid)).toEqual(monitor.store.recent().map((a) => a.id));
    for (const event of events) expect(detectionFindingSchema.safeParse(event).error).toBeUndefined();
  });

  it('an audit record exports as an OCSF API Activity with the required fields', () => {
    const record: AuditRecord = {
      schema: AUDIT_SCHEMA,
      ts: new Date().toISOString(),
      event: 'authz_decision',
      workflow_id: 'wf',
      run_id: 'r',
      workflow_type: 'agentRunWorkflow',
      agent: 'Agent:support-bot',
      user: 'User:alice',
      call_id: 'c1',
      tool: 'crm.delete_customer',
      decision: 'deny',
      reason: 'no rule allows it',
      action: 'invoke',
      actor: 'Agent:support-bot',
      approver: null,
      policy_version: 'p1',
      facts_version: 'f1',
      engine: 'embedded',
      target: null,
      provenance: null,
      decision_signature: null,
    };
    const event = ocsfAuditEvent(record, 0);
    expect(apiActivitySchema.safeParse(event).error).toBeUndefined();
    expect(event).toMatchObject({ status_id: 2, api: { operation: 'crm.delete_customer' } });
  });

  it("a call's provenance exports in short, with whether its decision signature verified", () => {
    const base = {
      schema: AUDIT_SCHEMA as typeof AUDIT_SCHEMA,
      ts: new Date().toISOString(),
      event: 'provenance' as const,
      workflow_id: 'wf',
      run_id: 'r',
      workflow_type: 'toolPlanWorkflow',
      agent: 'Agent:support-bot',
      user: 'User:alice',
      call_id: 'refund',
      tool: 'crm.issue_refund',
      action: null,
      actor: null,
      approver: null,
      policy_version: null,
      facts_version: null,
      engine: null,
      target: null,
    };
    const verified: AuditRecord = {
      ...base,
      decision: 'escalate',
      reason: 'tainted: account customerId `c-1003` comes only from untrusted content',
      provenance: [
        { argument: 'customerId', origin: 'ticket.get#read.body', trust: 'untrusted', verdict: 'tainted' },
      ],
      decision_signature: 'verified',
    };
    const event = ocsfAuditEvent(verified, 0);
    expect(apiActivitySchema.safeParse(event).error).toBeUndefined();
    expect(event.metadata).toMatchObject({ labels: ['decision_signature:verified'] });
    expect(event.unmapped.warden.provenance).toEqual(verified.provenance);
    const forged = ocsfAuditEvent(
      {
        ...base,
        decision: 'unverified',
        reason: 'the decision is not signed by the worker of trust zone default',
        provenance: null,
        decision_signature: 'unverified',
      },
      1,
    );
    expect(apiActivitySchema.safeParse(forged).error).toBeUndefined();
    expect(forged).toMatchObject({ status_id: 2, severity: 'Medium' });
    expect(forged.metadata).toMatchObject({ labels: ['decision_signature:unverified'] });
  });
});

describe('the webhook sink never holds up the caller', () => {
  let hanging: Server;
  let url: string;
  beforeAll(async () => {
    // Accepts the connection and never answers: a collector that is stuck.
    hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('send returns at once to a stuck collector; the queue stays bounded and drops the oldest', async () => {
    const sink = new WebhookSink(
      resolveAlertsConfig({ sinks: [{ kind: 'webhook', url, queueSize: 5, retries: 0, timeoutMs: 2_000 }] })
        .sinks[0] as never,
      1,
    );
    const [alert] = [
      {
        id: 'a',
        rule: 'denial_burst' as const,
        title: 't',
        description: 'd',
        severity: 'medium' as const,
        at: Date.now(),
        run,
      },
    ];
    const started = performance.now();
    for (let i = 0; i < 100; i++) sink.send(detectionFinding({ ...alert, id: `a-${i}` }));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(200);
    // One is in flight; five wait; the other 94 were dropped.
    expect(sink.stats().dropped).toBe(94);
    await sink.close(100);
    expect(sink.stats()).toMatchObject({ sent: 0 });
  });
});
