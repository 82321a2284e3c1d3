import { describe, expect, it } from 'vitest';
import { checkCallRequest, runApprovalTimeout } from '../../../src/workflows/guard/call-request.ts';

describe('tool-call requests are type-checked before use', () => {
  it('accepts a well-formed request and hands on its arguments untouched', () => {
    expect(checkCallRequest({ tool: 'ticket.get', arguments: '{"ticketId":"t-1"}', callId: 'a-1' })).toEqual({
      ok: true,
      tool: 'ticket.get',
      callId: 'a-1',
      arguments: '{"ticketId":"t-1"}',
    });
    expect(checkCallRequest({ tool: 'ticket.get' })).toEqual({
      ok: true,
      tool: 'ticket.get',
      arguments: undefined,
    });
  });

  it('refuses tool names that are not strings, without coercing them or calling their methods', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: Array<[unknown, string]> = [
      [['crm.issue_refund'], '(array)'],
      [{ toString: 'x' }, '(object)'],
      [{ toString: () => 'crm.issue_refund' }, '(object)'],
      [42, '(number)'],
      [10n, '(bigint)'],
      [null, '(null)'],
      [undefined, '(undefined)'],
      [cyclic, '(object)'],
    ];
    for (const [tool, label] of cases) {
      const checked = checkCallRequest({ tool, arguments: {} });
      expect(checked).toMatchObject({ ok: false, tool: label });
      if (!checked.ok) expect(checked.errors[0]).toMatch(/the tool name is a string/);
    }
    expect(checkCallRequest({ tool: '' })).toMatchObject({ ok: false });
    expect(checkCallRequest({ tool: 'x'.repeat(500) })).toMatchObject({ ok: false, tool: 'x'.repeat(128) });
  });

  it('refuses call ids that are not short printable strings', () => {
    for (const callId of [
      7,
      ['a'],
      { toString: 'x' },
      '',
      'has space',
      'tab\t',
      'é',
      'x'.repeat(129),
      null,
    ]) {
      const checked = checkCallRequest({ tool: 'ticket.get', callId });
      expect(checked.ok, JSON.stringify(callId) ?? String(callId)).toBe(false);
      expect(checked.callId).toBeUndefined();
    }
  });

  it('refuses requests that are not objects, and reads own fields only', () => {
    for (const request of [null, 'ticket.get', ['ticket.get'], 5]) {
      expect(checkCallRequest(request)).toMatchObject({ ok: false });
    }
    const inherited = Object.create({ tool: 'crm.issue_refund' });
    expect(checkCallRequest(inherited)).toMatchObject({ ok: false, tool: '(undefined)' });
  });

  it("checks a run's approval timeouts: positive durations only, own keys only", () => {
    expect(runApprovalTimeout(undefined, 'crm.issue_refund')).toEqual({});
    expect(runApprovalTimeout({ 'crm.issue_refund': '2 seconds' }, 'crm.issue_refund')).toEqual({ ms: 2000 });
    expect(runApprovalTimeout({ 'crm.issue_refund': 1500 }, 'crm.issue_refund')).toEqual({ ms: 1500 });
    expect(runApprovalTimeout({}, 'constructor')).toEqual({});
    for (const bad of ['soon', -5, 0, Number.NaN, Infinity, ['1s'], { ms: 1 }, true]) {
      expect(runApprovalTimeout({ t: bad }, 't').problem).toMatch(/not a positive duration/);
    }
    expect(runApprovalTimeout('1 hour', 't').problem).toMatch(/is an object/);
  });
});
