import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { CrmService } from '../../../examples/support-copilot/services/crm-service.ts';
import { fetchDecodedHistory, loadRun } from '../../../src/audit/load-run.ts';
import { auditRecords } from '../../../src/audit/siem-export.ts';
import { useRogueWorker } from './fixtures/rogue-worker.ts';
import { startPlan, useGuardWorkers } from './harness.ts';

/** Counts the CRM reads of one kind on the workers' own CRM: what "nothing executed" means for a read. */
function countReads(crm: CrmService, method: 'getCustomer' | 'searchCustomers') {
  const original = crm[method].bind(crm) as (...args: unknown[]) => unknown;
  const calls: unknown[][] = [];
  (crm as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    calls.push(args);
    return original(...args);
  };
  return {
    calls,
    restore: () => {
      (crm as unknown as Record<string, unknown>)[method] = original;
    },
  };
}

/** Every payload of a run's history as text (decoded by the run's codec): what the history holds. */
async function historyText(client: Client, workflowId: string): Promise<string> {
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (o.metadata !== undefined && o.data instanceof Uint8Array)
        texts.push(Buffer.from(o.data).toString('utf8'));
      else for (const x of Object.values(o)) walk(x);
    }
  };
  walk(await fetchDecodedHistory(client, workflowId));
  return texts.join('\n');
}

describe('per-record authorization at the tool worker (real server, real Polar)', () => {
  const fixture = useGuardWorkers('guard-records');
  const { taskQueue } = fixture;

  it('refuses a customer the user may not read: nothing executed, the decision record explains', async () => {
    const reads = countReads(fixture.workers.deps.services.crm, 'getCustomer');
    try {
      const handle = await startPlan(fixture.client, taskQueue, {
        calls: [{ tool: 'crm.get_customer', arguments: { customerId: 'c-2001' }, callId: 'globex' }],
      });
      const { outcomes, records } = await handle.result();
      expect(outcomes[0]).toMatchObject({ status: 'denied', callId: 'globex' });
      expect(outcomes[0]?.output).toBeUndefined();
      expect(outcomes[0]?.reason).toMatch(
        /^record not authorized: User:alice may not read Customer:c-2001, so no agent may for them/,
      );
      expect(reads.calls).toEqual([]);
      // The tool check passed; the record check did not, and the record says for whom.
      expect(records[0]?.authorization).toMatchObject({
        allowed: false,
        records: [
          {
            action: 'read',
            resource: { type: 'Customer', id: 'c-2001' },
            allowed: false,
            deniedFor: ['user'],
          },
        ],
      });
      expect(records[0]?.intent).toBeUndefined();
      // The history keeps both decisions of the record check.
      const history = await historyText(fixture.client, handle.workflowId);
      expect(history.includes('"code":"record_not_authorized"')).toBe(true);
      expect(history.includes('"invoke":{"allowed":true')).toBe(true);
      expect(history.includes('"user":{"allowed":false')).toBe(true);
      // The export a SIEM reads names both record decisions and the record they are about.
      const exported = auditRecords(await loadRun(fixture.client, handle.workflowId)).filter(
        (r) => r.event === 'authz_decision' && r.target !== null,
      );
      expect(exported.map((r) => [r.actor, r.action, r.target, r.decision])).toEqual([
        ['User:alice', 'read', 'Customer:c-2001', 'deny'],
        ['Agent:support-bot', 'read', 'Customer:c-2001', 'deny'],
      ]);
    } finally {
      reads.restore();
    }
  });

  it('refuses the agent a customer the user may read but the agent may not', async () => {
    const reads = countReads(fixture.workers.deps.services.crm, 'getCustomer');
    try {
      const handle = await startPlan(fixture.client, taskQueue, {
        onBehalfOf: 'bob',
        purpose: 'look up customers for bob',
        calls: [
          { tool: 'crm.get_customer', arguments: { customerId: 'c-2001' }, callId: 'globex' },
          { tool: 'crm.get_customer', arguments: { customerId: 'c-1001' }, callId: 'acme' },
        ],
      });
      const { outcomes, records } = await handle.result();
      expect(outcomes.map((o) => o.status)).toEqual(['denied', 'executed']);
      expect(outcomes[0]?.reason).toMatch(
        /record not authorized: Agent:support-bot may not read Customer:c-2001, although User:bob may/,
      );
      expect(records[0]?.authorization?.records?.[0]?.deniedFor).toEqual(['agent']);
      expect(outcomes[1]?.output).toMatchObject({ id: 'c-1001' });
      expect(records[1]?.authorization?.records).toEqual([
        expect.objectContaining({ action: 'read', allowed: true, deniedFor: [] }),
      ]);
      expect(reads.calls).toEqual([['c-1001']]);
    } finally {
      reads.restore();
    }
  });

  it('refuses a ticket update for a user who is neither assignee nor lead', async () => {
    const crm = fixture.workers.deps.services.crm;
    const effects = crm.sideEffects;
    // t-501 is alice's; bob is acme's lead, so he may. A third user with the tool role but no data role may not.
    await fixture.workers.deps.authorizer.insertFacts([
      ['has_role', { type: 'User', id: 'erin' }, 'unattended_user', { type: 'Toolset', id: 'crm-write' }],
    ]);
    const handle = await startPlan(fixture.client, taskQueue, {
      onBehalfOf: 'erin',
      calls: [
        { tool: 'crm.update_ticket', arguments: { ticketId: 't-501', status: 'closed' }, callId: 'close' },
      ],
    });
    const { outcomes } = await handle.result();
    expect(outcomes[0]?.status).toBe('denied');
    expect(outcomes[0]?.reason).toMatch(/User:erin may not update Ticket:t-501/);
    expect(crm.sideEffects).toBe(effects);
    expect(crm.getTicket('t-501').status).toBe('open');
  });

  it('filters a search on the worker: the run, its history and the model see only readable records', async () => {
    const crm = fixture.workers.deps.services.crm;
    // What exists: both Romeros; alice's team serves acme only.
    expect(crm.searchCustomers('romero', 10).map((c) => c.id)).toEqual(['c-1002', 'c-2001']);
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [{ tool: 'crm.search_customers', arguments: { query: 'romero', limit: 10 }, callId: 'search' }],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]?.status).toBe('executed');
    expect(outcomes[0]?.output).toEqual([expect.objectContaining({ id: 'c-1002' })]);
    expect(records[0]?.filtered).toMatchObject({
      action: 'read',
      resourceType: 'Customer',
      checked: 2,
      removed: 1,
      engine: 'embedded',
    });
    // How many, never which: the removed record appears nowhere in the run's history.
    const history = await historyText(fixture.client, handle.workflowId);
    expect(history.includes('Eli Romero')).toBe(true);
    expect(history.includes('c-2001')).toBe(false);
    expect(history.includes('Rosa')).toBe(false);
  });

  it('filters everything for a user who may read nothing of it', async () => {
    await fixture.workers.deps.authorizer.insertFacts([
      ['has_role', { type: 'User', id: 'frank' }, 'unattended_user', { type: 'Toolset', id: 'crm-search' }],
    ]);
    const handle = await startPlan(fixture.client, taskQueue, {
      onBehalfOf: 'frank',
      calls: [{ tool: 'crm.search_customers', arguments: { query: '', limit: 50 }, callId: 'all' }],
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'executed', output: [] });
    expect(records[0]?.filtered).toMatchObject({ checked: 14, removed: 14 });
  });
});

describe('a hostile namespace client asks the tool worker for a record directly', () => {
  const fixture = useGuardWorkers('guard-records-rogue');
  const runRogue = useRogueWorker(fixture);

  it('gets neither a grant it can execute nor the record from the one-activity path', async () => {
    const reads = countReads(fixture.workers.deps.services.crm, 'getCustomer');
    try {
      const result = await runRogue({
        callId: 'rogue-globex',
        tool: 'crm.get_customer',
        arguments: { customerId: 'c-2001' },
        executions: 2,
      });
      // Whatever its workflow code skipped, the worker checks the record before it runs the tool.
      expect(result.executions.map((e) => e.executed)).toEqual([false, false]);
      for (const e of result.executions) expect(e.detail).toMatch(/record_not_authorized/);
      expect(result.oneActivity.map((o) => o.decision)).toEqual(['denied', 'denied']);
      for (const o of result.oneActivity) expect(o.detail).toMatch(/^record not authorized: User:alice/);
      expect(reads.calls).toEqual([]);
    } finally {
      reads.restore();
    }
  });
});
