import { describe, expect, it } from 'vitest';
import type { PendingApproval } from '../../../src/guard/types.ts';
import {
  MAX_MEMO_BYTES,
  MAX_MEMO_CALLS,
  memoPendingCalls,
  pendingMemo,
  pendingMemoKey,
} from '../../../src/workflows/guard/pending-memo.ts';

const view = (callId: string, args: unknown = { amount: 250 }): PendingApproval => ({
  workflowId: 'wf',
  runId: 'run',
  callId,
  tool: 'crm.issue_refund',
  toolVersion: '1',
  arguments: args,
  risk: 'high',
  reasons: ['over the limit'],
  requester: { agent: { type: 'Agent', id: 'a' }, onBehalfOf: { type: 'User', id: 'alice' } },
  purpose: 'p',
  requestedAt: '2026-12-01T00:00:00.000Z',
  expiresAt: 1,
  digest: 'sha256:00',
  policyVersion: 'v',
  eligibleApprovers: ['bob'],
  quorum: 1,
  stage: 1,
  approvals: [],
  signedDecision: { answer: { decision: 'needs_approval' }, arguments: args },
});

describe('the memo of waiting calls', () => {
  it('lists every view untouched while they fit, and readers take them back as they were', () => {
    const views = [view('a'), view('b')];
    const memo = pendingMemo(views);
    expect(memo).toEqual({ calls: views, complete: true });
    expect(memoPendingCalls(JSON.parse(JSON.stringify(memo)))).toEqual(views);
    expect(memoPendingCalls(pendingMemo([]))).toEqual([]);
  });

  it('past its caps lists none and says so, so readers ask the query rather than miss a call', () => {
    const many = Array.from({ length: MAX_MEMO_CALLS + 1 }, (_, i) => view(`c${i}`));
    expect(pendingMemo(many)).toEqual({ calls: [], complete: false });
    // Non-ASCII text counts in UTF-8 bytes, as the server measures it.
    const large = view('big', { reason: 'é'.repeat(MAX_MEMO_BYTES / 2) });
    expect(pendingMemo([large])).toEqual({ calls: [], complete: false });
    expect(memoPendingCalls({ calls: [], complete: false })).toBeUndefined();
  });

  it('a view that cannot be measured is not listed, and nothing throws in the run', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(pendingMemo([view('x', cyclic)])).toEqual({ calls: [], complete: false });
  });

  it('readers fall back to the query for a memo without the field or in another shape', () => {
    for (const value of [undefined, null, 'calls', [], { calls: 'x', complete: true }, { calls: [] }]) {
      expect(memoPendingCalls(value)).toBeUndefined();
    }
  });

  it('readers drop entries a page could not show (no call id, tool, requester or approvals)', () => {
    const { requester: _r, ...noRequester } = view('r');
    const entries = [null, 7, { callId: 'x' }, noRequester, { ...view('s'), approvals: 'none' }, view('ok')];
    expect(memoPendingCalls({ calls: entries, complete: true })?.map((c) => c.callId)).toEqual(['ok']);
  });

  it('its key changes with the calls, their stage and their approvals so far', () => {
    const base = pendingMemoKey([view('a')]);
    expect(pendingMemoKey([view('a')])).toBe(base);
    expect(pendingMemoKey([{ ...view('a'), stage: 2 }])).not.toBe(base);
    expect(
      pendingMemoKey([
        {
          ...view('a'),
          approvals: [
            { approver: 'bob', authentication: 'token', decision: 'approve', at: 't', expiresAt: 1 },
          ],
        },
      ]),
    ).not.toBe(base);
    expect(pendingMemoKey([view('a'), view('b')])).not.toBe(base);
  });
});
