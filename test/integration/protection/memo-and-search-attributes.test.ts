import { describe, expect, it } from 'vitest';
import { rawClient } from '../../support/temporal.ts';
import { startPlan, useGuardWorkers } from '../guard/harness.ts';

const CRAFTED_TOOL = 'dana@whitfield.example balance 420';
const SECRET_ARGUMENT = 'Dana Whitfield, premium, balance 420';

describe('memo and search attributes carry ids and counts only', () => {
  const fixture = useGuardWorkers('protection-memo');

  it('a crafted tool name and the arguments reach neither the memo nor the search attributes', async () => {
    const handle = await startPlan(fixture.client, fixture.taskQueue, {
      calls: [
        { tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'read' },
        { tool: CRAFTED_TOOL, arguments: { note: SECRET_ARGUMENT }, callId: 'crafted' },
      ],
    });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'invalid']);

    // Through Warden's codec: the memo names the last validated tool, not the model's string.
    const description = await handle.describe();
    const summary = String(description.memo?.summary ?? '');
    expect(summary).toMatch(/2 tool calls, 1 executed/);
    expect(summary).toContain('last: ticket.get');
    expect(summary).not.toContain('dana@');

    // As the server stores them: search attributes are plain (ids, a status, counts); the memo is ciphertext.
    const raw = await rawClient();
    try {
      const stored = await raw.workflowService.describeWorkflowExecution({
        namespace: raw.options.namespace,
        execution: { workflowId: handle.workflowId },
      });
      const info = stored.workflowExecutionInfo;
      const values = Object.values(info?.searchAttributes?.indexedFields ?? {}).map((p) =>
        Buffer.from(p.data ?? []).toString(),
      );
      expect(values).toEqual(expect.arrayContaining(['"User:alice"', '"completed"']));
      expect(values.join(' ')).not.toMatch(/dana|Dana|ticket\.get|t-501|balance/);
      const memo = info?.memo?.fields?.summary;
      expect(Buffer.from(memo?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
      expect(Buffer.from(memo?.data ?? []).toString('latin1')).not.toContain('tool call');
    } finally {
      await raw.connection.close();
    }
  });
});
