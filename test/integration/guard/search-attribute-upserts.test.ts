import { describe, expect, it } from 'vitest';
import { WARDEN_DENIALS, WARDEN_STATUS } from '../../../src/temporal/search-attributes.ts';
import { startPlan, useGuardWorkers } from './harness.ts';

describe('the run publishes its status attributes when they change', () => {
  const fixture = useGuardWorkers('guard-upserts');

  it('writes each value once: a run of several calls does not repeat `running` after every call', async () => {
    const handle = await startPlan(fixture.client, fixture.taskQueue, {
      calls: [
        { tool: 'ticket.get', arguments: { ticketId: 't-501' } },
        { tool: 'ticket.get', arguments: { ticketId: 't-502' } },
        { tool: 'no.such.tool', arguments: {} },
        { tool: 'ticket.get', arguments: { ticketId: 't-503' } },
      ],
    });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'executed', 'invalid', 'executed']);

    const upserted: Record<string, unknown[]> = {};
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      for (const [name, payload] of Object.entries(fields ?? {})) {
        const values = upserted[name] ?? [];
        values.push(JSON.parse(Buffer.from(payload.data ?? []).toString()));
        upserted[name] = values;
      }
    }
    // Each attribute is upserted with a new value or not at all.
    expect(upserted[WARDEN_STATUS.name]).toEqual(['running', 'completed']);
    expect(upserted[WARDEN_DENIALS.name]).toEqual([0, 1]);

    // What the server shows is still the run's state.
    const { searchAttributes } = await handle.describe();
    expect(searchAttributes[WARDEN_STATUS.name]).toEqual(['completed']);
    expect(searchAttributes[WARDEN_DENIALS.name]).toEqual([1]);
  });
});
