import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { Fact } from '../../../src/authz/types.ts';
import type { ToolCallRequest } from '../../../src/guard/types.ts';
import { decide, startPlan, type ToolPlanWorkflow, useGuardWorkers, waitForPending } from './harness.ts';

/** The activities a run scheduled, in order, from its history (what the server saw, not what it said). */
async function scheduled(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string');
}

const refund = (amount: unknown) => ({ customerId: 'c-1001', amount, currency: 'EUR', reason: 'duplicate' });
const hostile = (calls: unknown[]) => calls as ToolCallRequest[];

describe('hostile input never stalls or confuses the guard', () => {
  const fixture = useGuardWorkers('guard-hostile');
  const { taskQueue } = fixture;

  it('makes tool names that are not strings, and malformed call ids and arguments, invalid calls; the run completes', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = { refunds: crm.refunds.length, effects: crm.sideEffects };
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: hostile([
        // Coerced by String() to "crm.issue_refund" and executed, before.
        { tool: ['crm.issue_refund'], arguments: refund(20), callId: 'array-name' },
        // Threw inside workflow code (String() finds no callable toString): the task failed forever.
        { tool: { toString: 'x' }, arguments: refund(20), callId: 'object-name' },
        { tool: 42, arguments: refund(20), callId: 'number-name' },
        { tool: null, arguments: refund(20), callId: 'null-name' },
        'crm.issue_refund',
        { tool: 'crm.issue_refund', arguments: refund(20), callId: 17 },
        { tool: 'crm.issue_refund', arguments: refund(20), callId: { toString: 'x' } },
        { tool: 'crm.issue_refund', arguments: refund(20), callId: 'x'.repeat(500) },
        { tool: 'crm.issue_refund', arguments: 42, callId: 'number-args' },
        { tool: 'crm.issue_refund', arguments: ['c-1001', 20], callId: 'array-args' },
        { tool: 'crm.issue_refund', arguments: true, callId: 'boolean-args' },
        { tool: 'crm.issue_refund', arguments: refund({ value: { deep: 20 } }), callId: 'nested-args' },
        { tool: 'crm.issue_refund', arguments: refund(1.2e19), callId: 'huge-number' },
        { tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'after' },
      ]),
    });
    const { outcomes, records } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual([...Array(13).fill('invalid'), 'executed']);
    expect(outcomes.slice(0, 4).map((o) => o.tool)).toEqual(['(array)', '(object)', '(number)', '(null)']);
    for (const o of outcomes.slice(0, 4)) expect(o.reason).toMatch(/the tool name is a string, not/);
    expect(outcomes[4]?.reason).toMatch(/a tool call is an object, not string/);
    for (const o of outcomes.slice(5, 8)) expect(o.reason).toMatch(/the call id (is a string|has 1 to 128)/);
    // Unusable call ids are replaced in the record, so every call keeps a distinct, readable id.
    expect(new Set(records.map((r) => r.callId)).size).toBe(records.length);
    for (const o of outcomes.slice(8, 12)) expect(o.reason).toMatch(/invalid call: /);
    expect(outcomes[12]?.reason).toMatch(/amount: an amount is at most 10000/);
    // Every bad call is in the decision record, with its validation errors.
    expect(records.slice(0, 13).every((r) => r.outcome === 'invalid' && r.validation.errors.length > 0)).toBe(
      true,
    );
    expect(crm.refunds.length).toBe(before.refunds);
    expect(crm.sideEffects).toBe(before.effects);
    // Only the last, well-formed call reached an activity: the tool worker's, which decides and runs it.
    expect(await scheduled(handle)).toEqual(['guardedToolCall']);
  });

  it('makes a malformed run approval timeout an invalid call instead of a failed workflow task', async () => {
    const handle = await startPlan(fixture.client, taskQueue, {
      approvalTimeouts: { 'crm.issue_refund': 'soon', 'ticket.get': -5, constructor: 'x' } as never,
      calls: [
        { tool: 'crm.issue_refund', arguments: refund(20), callId: 'refund' },
        { tool: 'ticket.get', arguments: { ticketId: 't-501' }, callId: 'read' },
        { tool: 'crm.get_customer', arguments: { customerId: 'c-1001' }, callId: 'other' },
      ],
    });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual(['invalid', 'invalid', 'executed']);
    expect(outcomes[0]?.reason).toMatch(/approvalTimeouts\["crm.issue_refund"\] is not a positive duration/);
  });

  it('fails a plan that is not a plan with a clear error, never a workflow task retried forever', async () => {
    const handle = await startPlan(fixture.client, taskQueue, { calls: { tool: 'ticket.get' } as never });
    await expect(handle.result()).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/invalid plan: calls is an array, not object/) },
    });
  });

  it('refuses amounts outside the declared decimals, non-finite and NaN-like amounts; executes a valid one', async () => {
    const crm = fixture.workers.deps.services.crm;
    const before = crm.refunds.length;
    const text = (amount: string) =>
      `{"customerId":"c-1001","amount":${amount},"currency":"EUR","reason":"duplicate"}`;
    const handle = await startPlan(fixture.client, taskQueue, {
      calls: [
        // Passes z.number().multipleOf(0.01).
        { tool: 'crm.issue_refund', arguments: text('5e-324'), callId: 'denormal' },
        { tool: 'crm.issue_refund', arguments: text('1e309'), callId: 'infinity' },
        { tool: 'crm.issue_refund', arguments: text('0.001'), callId: 'mills' },
        { tool: 'crm.issue_refund', arguments: text('NaN'), callId: 'nan' },
        { tool: 'crm.issue_refund', arguments: text('-0'), callId: 'negative-zero' },
        { tool: 'crm.issue_refund', arguments: text('"80"'), callId: 'string' },
        { tool: 'crm.issue_refund', arguments: text('19.99'), callId: 'valid' },
      ],
    });
    const { outcomes } = await handle.result();
    expect(outcomes.map((o) => o.status)).toEqual([...Array(6).fill('invalid'), 'executed']);
    expect(outcomes[0]?.reason).toMatch(/at most 2 decimal places/);
    expect(outcomes[1]?.reason).toMatch(/amount: /);
    expect(outcomes[2]?.reason).toMatch(/at most 2 decimal places/);
    expect(outcomes[3]?.reason).toMatch(/not valid JSON/);
    expect(outcomes[4]?.reason).toMatch(/negative zero/);
    expect(crm.refunds.length - before).toBe(1);
    expect(crm.refunds.at(-1)).toMatchObject({ amount: 19.99 });
  });

  describe('with the external tools granted to the agent', () => {
    const grant: Fact = [
      'has_role',
      { type: 'Agent', id: 'support-bot' },
      'user',
      { type: 'Toolset', id: 'external' },
    ];

    async function withExternal<T>(work: () => Promise<T>): Promise<T> {
      await fixture.workers.deps.authorizer.insertFacts([grant]);
      try {
        return await work();
      } finally {
        await fixture.workers.deps.authorizer.deleteFacts([grant]);
      }
    }

    it('refuses URL confusion: what the intent rule checks is what the tool would contact; nothing is sent', async () => {
      const egress = fixture.workers.deps.services.egress;
      const sent = egress.sent.length;
      const exportTo = (destinationUrl: string) => ({
        tool: 'crm.export_customers',
        arguments: { destinationUrl },
      });
      const postTo = (url: string) => ({ tool: 'http.post', arguments: { url, body: { customers: 'all' } } });
      // Refused by the URL schema: the call never reaches the policy.
      const unreadable = [
        'https://evil.example\\@api.acme.example/x',
        'https://user:pw@api.acme.example/x',
        'https://api.acme.example@evil.example/x',
        'https://api.acme.example./x',
        'https://аpi.acme.example/x',
        'https://api.acme。example/x',
      ];
      // Parsed fine, and denied by allowed_hosts *.acme.example on the host WHATWG URL finds.
      const elsewhere = [
        'https://api.acme.example.evil.example/x',
        'HTTPS://EVIL.EXAMPLE/api.acme.example',
        'https://xn--acm-bla.example/x',
        'https://127.0.0.1/x',
        'https://2130706433/x',
        'https://[::1]/x',
      ];
      const { outcomes, records, handle } = await withExternal(async () => {
        const handle = await startPlan(fixture.client, taskQueue, {
          calls: [
            ...unreadable.map(exportTo),
            ...elsewhere.map(exportTo),
            postTo('https://hooks.partner.example\\@api.acme.example/x'),
            postTo('https://10.0.0.1/hook'),
            postTo('https://0x7f.1/hook'),
          ],
        });
        return { handle, ...(await handle.result()) };
      });
      const statuses = outcomes.map((o) => o.status);
      expect(statuses).toEqual([
        ...Array(unreadable.length).fill('invalid'),
        ...Array(elsewhere.length).fill('denied'),
        'invalid',
        'denied',
        'denied',
      ]);
      expect(outcomes[0]?.reason).toMatch(/backslash/);
      expect(outcomes[1]?.reason).toMatch(/credentials/);
      expect(outcomes[3]?.reason).toMatch(/ending in a dot/);
      expect(outcomes[4]?.reason).toMatch(/printable ASCII/);
      const denied = records.filter((r) => r.outcome === 'denied');
      expect(denied.map((r) => r.intent?.verdict)).toEqual(Array(denied.length).fill('deny'));
      expect(outcomes[6]?.reason).toMatch(
        /host api\.acme\.example\.evil\.example is not among the allowed hosts/,
      );
      expect(outcomes[7]?.reason).toMatch(/host evil\.example is not among/);
      expect(outcomes[10]?.reason).toMatch(/IP address 127\.0\.0\.1/);
      expect(outcomes.at(-1)?.reason).toMatch(/IP address 127\.0\.0\.1/);
      expect(egress.sent.length).toBe(sent);
      // The tool worker decided every call and denied it there: no approved execution was asked for.
      const activities = await scheduled(handle);
      expect(activities).not.toContain('executeGuardedTool');
      expect(new Set(activities)).toEqual(new Set(['guardedToolCall']));
    });

    it('sends to the normalized URL the rule checked: the approver sees it, the egress receives it', async () => {
      const egress = fixture.workers.deps.services.egress;
      await withExternal(async () => {
        const handle = await startPlan(fixture.client, taskQueue, {
          calls: [
            {
              tool: 'crm.export_customers',
              callId: 'export',
              arguments: { destinationUrl: 'HTTPS://Exports.ACME.example:443/a/../dump' },
            },
          ],
        });
        const [pending] = await waitForPending(handle);
        expect(pending?.arguments).toEqual({ destinationUrl: 'https://exports.acme.example/dump' });
        await decide(fixture, handle, 'export', 'bob');
        await decide(fixture, handle, 'export', 'carol');
        const { outcomes } = await (handle as WorkflowHandle<ToolPlanWorkflow>).result();
        expect(outcomes[0]).toMatchObject({ status: 'executed' });
      });
      expect(egress.sent.at(-1)).toMatchObject({
        url: 'https://exports.acme.example/dump',
        host: 'exports.acme.example',
      });
    });
  });

  it('applies a rule on an optional argument only when present, unless it says required', async () => {
    const status = { kind: 'allowed_values' as const, argument: 'status', values: ['pending'] };
    const calls = [
      { tool: 'crm.update_ticket', arguments: { ticketId: 't-501', note: 'looked at it' }, callId: 'absent' },
      { tool: 'crm.update_ticket', arguments: { ticketId: 't-501', status: 'closed' }, callId: 'over' },
      { tool: 'crm.update_ticket', arguments: { ticketId: 't-501', status: 'pending' }, callId: 'within' },
    ];
    const optional = await startPlan(fixture.client, taskQueue, { rules: [status], calls });
    const result = await optional.result();
    expect(result.outcomes.map((o) => o.status)).toEqual(['executed', 'denied', 'executed']);
    expect(result.records[0]?.intent?.findings).toContainEqual({
      rule: 'allowed_values',
      verdict: 'allow',
      reason: 'status is absent; the rule does not apply',
    });
    const required = await startPlan(fixture.client, taskQueue, {
      rules: [{ ...status, required: true }],
      calls: calls.slice(0, 1),
    });
    const strict = await required.result();
    expect(strict.outcomes[0]).toMatchObject({ status: 'denied' });
    expect(strict.outcomes[0]?.reason).toMatch(/status is required and missing/);
  });

  it("refuses malformed run rules in the tool worker's activity once (non-retryable), failing the call closed", async () => {
    const handle = await startPlan(fixture.client, taskQueue, {
      rules: [{ kind: 'max_amount', argument: 5, max: 'lots' }] as never,
      calls: [{ tool: 'ticket.get', arguments: { ticketId: 't-501' } }],
    });
    const { outcomes } = await handle.result();
    expect(outcomes[0]).toMatchObject({ status: 'denied' });
    expect(outcomes[0]?.reason).toMatch(
      /refused at execution: refused \(invalid_input\): malformed input: rules\.0\.argument/,
    );
    const history = await handle.fetchHistory();
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    // guardedToolCall once: no retries of an input that cannot improve, and nothing ran.
    expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
    expect(await scheduled(handle)).toEqual(['guardedToolCall']);
  });
});
