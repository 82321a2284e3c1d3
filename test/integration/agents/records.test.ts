import { describe, expect, it } from 'vitest';
import type { AgentRunResult, TimelineEntry } from '../../../src/workflows/agent-run.ts';
import { startScenario, useAgentWorkers } from './support/agent-workers.ts';
import { modelInvocations, toolResultsSent } from './support/history.ts';

function tools(result: AgentRunResult) {
  return result.timeline.filter((e): e is Extract<TimelineEntry, { kind: 'tool' }> => e.kind === 'tool');
}

describe('records through the bot: a scripted model, the real server, real Polar', () => {
  const fixture = useAgentWorkers('agents-records');
  const { taskQueue } = fixture;

  it('a model asking for a customer alice may not read gets a refusal, not the record', async () => {
    const crm = fixture.workers.deps.services.crm;
    const original = crm.getCustomer.bind(crm);
    const asked: string[] = [];
    crm.getCustomer = (id: string) => {
      asked.push(id);
      return original(id);
    };
    try {
      const handle = await startScenario(
        fixture.client,
        taskQueue,
        'other-org-customer',
        'Show me customer c-2001.',
      );
      const result = await handle.result();
      expect(result.status).toBe('completed');
      const [entry] = tools(result);
      expect(entry?.outcome).toMatchObject({ tool: 'crm.get_customer', status: 'denied' });
      expect(entry?.decision?.authorization?.records?.[0]).toMatchObject({
        resource: { type: 'Customer', id: 'c-2001' },
        allowed: false,
        deniedFor: ['user'],
      });
      expect(asked).toEqual([]);
      // The model's next input carries the refusal and none of the record.
      const invocations = await modelInvocations(fixture.client, handle.workflowId);
      const sent = [...toolResultsSent(invocations[1]!).values()].join('\n');
      expect(sent).toMatch(/record not authorized: User:alice may not read Customer:c-2001/);
      expect(sent).not.toContain('Rosa');
      expect(sent).not.toContain('910');
    } finally {
      crm.getCustomer = original;
    }
  });

  it('a search returns fewer records for alice than exist, and the model never sees the others', async () => {
    const crm = fixture.workers.deps.services.crm;
    expect(crm.searchCustomers('romero', 10)).toHaveLength(2);
    const handle = await startScenario(
      fixture.client,
      taskQueue,
      'filtered-search',
      'Which customers are called Romero?',
    );
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const [entry] = tools(result);
    expect(entry?.outcome.status).toBe('executed');
    expect(entry?.decision?.filtered).toMatchObject({ resourceType: 'Customer', checked: 2, removed: 1 });
    const invocations = await modelInvocations(fixture.client, handle.workflowId);
    expect(invocations).toHaveLength(2);
    const sent = [...toolResultsSent(invocations[1]!).values()].join('\n');
    expect(sent).toContain('c-1002');
    expect(sent).not.toContain('c-2001');
    expect(sent).not.toContain('Rosa');
    expect(JSON.stringify(result)).not.toContain('c-2001');
  });
});
