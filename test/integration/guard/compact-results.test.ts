import { describe, expect, it } from 'vitest';
import { authorizeCall } from '../../../src/activities/guard/authorize-call.ts';
import { fetchDecodedHistory, loadRun } from '../../../src/audit/load-run.ts';
import { auditRecords } from '../../../src/audit/siem-export.ts';
import { buildTimeline } from '../../../src/audit/timeline.ts';
import { whatIf } from '../../../src/audit/what-if.ts';
import type { GuardedCallResult } from '../../../src/guard/types.ts';
import { GUARD_PATCHES } from '../../../src/workflows/guard/guard-patches.ts';
import { ringDecisionVerifier } from '../../../src/zones/host-decision-verifier.ts';
import { startPlan, useGuardWorkers } from './harness.ts';

const who = { agent: { type: 'Agent', id: 'support-bot' }, onBehalfOf: { type: 'User', id: 'alice' } };

describe('a guarded call answers with a compact result, and the history still holds every decision', () => {
  const fixture = useGuardWorkers('guard-compact');

  it('leaves the summary to the run, which derives the one the tool worker would give', async () => {
    const handle = await startPlan(fixture.client, fixture.taskQueue, {
      calls: [
        { tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'ticket' },
        // Alice may use the tool, not read this customer: denied on a record check.
        { tool: 'crm.get_customer', arguments: { customerId: 'c-2001' }, callId: 'globex' },
      ],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'denied']);

    const run = await loadRun(fixture.client, handle.workflowId);
    const guarded = run.steps.filter((s) => s.kind === 'activity' && s.activityType === 'guardedToolCall');
    expect(guarded).toHaveLength(2);
    for (const step of guarded) {
      const result = (step as { result: GuardedCallResult }).result;
      expect(result.authorization.summary).toBeUndefined();
      expect(result.authorization.invoke.action).toBe('invoke');
      expect(result.authorization.unattended?.action).toBe('invoke_unattended');
      expect(result.authorization.records?.[0]?.user.actor).toEqual(who.onBehalfOf);
    }

    // The summary each record shows is the one the tool worker computes for the same call.
    const { deps } = fixture.workers;
    const ticket = deps.tools.get('ticket.get');
    const customer = deps.tools.get('crm.get_customer');
    if (!ticket || !customer) throw new Error('the example registers both tools');
    expect(records[0]?.authorization).toEqual(
      (await authorizeCall(deps, who, ticket, { ticketId: 't-501' })).summary,
    );
    expect(records[1]?.authorization).toEqual(
      (await authorizeCall(deps, who, customer, { customerId: 'c-2001' })).summary,
    );
    expect(records[1]?.authorization).toMatchObject({
      allowed: false,
      records: [{ resource: { type: 'Customer', id: 'c-2001' }, deniedFor: ['user'] }],
    });

    // What the audit, the export and what-if read is all still there: per call, invoke,
    // invoke_unattended and both decisions of each record check.
    const decisions = buildTimeline(run).filter((e) => e.kind === 'authz_decision');
    expect(decisions.map((e) => [e.callId, e.action, e.allowed])).toEqual([
      ['ticket', 'invoke', true],
      ['ticket', 'invoke_unattended', true],
      ['ticket', 'read', true],
      ['ticket', 'read', true],
      ['globex', 'invoke', true],
      ['globex', 'invoke_unattended', true],
      ['globex', 'read', false],
      ['globex', 'read', false],
    ]);
    expect(auditRecords(run).filter((r) => r.event === 'authz_decision')).toHaveLength(8);
    const report = await whatIf(run, deps.authorizer, ringDecisionVerifier(deps.zoneKeys, deps.tools));
    expect(report.rows.map((r) => [r.callId, r.action, r.changed])).toEqual([
      ['ticket', 'invoke', false],
      ['ticket', 'invoke_unattended', false],
      ['globex', 'invoke', false],
      ['globex', 'invoke_unattended', false],
    ]);
  });

  it('records one patch marker for the guard, and its first attributes in one upsert', async () => {
    const handle = await startPlan(fixture.client, fixture.taskQueue, {
      calls: [{ tool: 'ticket.get', arguments: { ticketId: 't-502' } }],
    });
    await handle.result();
    const patches: string[] = [];
    const upserts: string[][] = [];
    for (const event of (await fetchDecodedHistory(fixture.client, handle.workflowId)).events ?? []) {
      const marker = event.markerRecordedEventAttributes;
      const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
      if (marker?.markerName === 'core_patch' && data) {
        patches.push((JSON.parse(Buffer.from(data).toString()) as { id: string }).id);
      }
      const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (fields) upserts.push(Object.keys(fields).sort());
    }
    expect(patches).toEqual([GUARD_PATCHES]);
    expect(upserts).toEqual([
      ['TemporalChangeVersion'],
      ['WardenAgent', 'WardenDenials', 'WardenPendingApprovals', 'WardenStatus', 'WardenUser'],
      ['WardenStatus'],
    ]);
  });
});
