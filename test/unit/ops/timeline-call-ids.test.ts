import { describe, expect, it } from 'vitest';
import type { ActivityStep, RunHistory } from '../../../src/audit/run-history.ts';
import { buildTimeline } from '../../../src/audit/timeline.ts';
import { whatIf } from '../../../src/audit/what-if.ts';
import type { Authorizer, AuthzRequest } from '../../../src/authz/types.ts';
import type { DecisionRecord } from '../../../src/guard/types.ts';

const alice = { type: 'User', id: 'alice' };
const refund = { type: 'Tool', id: 'crm.issue_refund' };

function decision(actor: string, allowed: boolean) {
  return {
    allowed,
    action: 'invoke',
    actor: { type: 'Agent', id: actor },
    onBehalfOf: alice,
    resource: refund,
    context: [],
    reason: allowed ? 'allowed' : 'denied',
    policyVersion: 'p1',
    factsVersion: 'f1',
    engine: 'embedded',
  };
}

function authorizeStep(at: string, actor: string, allowed: boolean, callId?: string): ActivityStep {
  return {
    kind: 'activity',
    eventId: 0,
    activityType: 'authorizeToolCall',
    activityId: at,
    scheduledAt: at,
    closedAt: at,
    outcome: 'completed',
    input: [{ ...(callId ? { callId } : {}), agent: { type: 'Agent', id: actor }, tool: refund.id }],
    result: { invoke: decision(actor, allowed) },
  };
}

function intentStep(at: string, callId: string): ActivityStep {
  return {
    kind: 'activity',
    eventId: 0,
    activityType: 'checkToolIntent',
    activityId: at,
    scheduledAt: at,
    closedAt: at,
    outcome: 'completed',
    input: [{ callId, tool: refund.id }],
    result: { verdict: { verdict: 'allow', reasons: [] }, digest: 'd', policyVersion: 'p1' },
  };
}

function run(steps: ActivityStep[]): RunHistory {
  return {
    workflowId: 'w',
    runId: 'r',
    workflowType: 'agentRunWorkflow',
    taskQueue: 'q',
    startedAt: '2026-01-01T00:00:00.000Z',
    status: 'running',
    input: [],
    searchAttributes: {},
    memo: {},
    steps,
    eventCount: 0,
  };
}

const denied: DecisionRecord = {
  callId: 'a',
  tool: refund.id,
  requestedAt: '2026-01-01T00:00:01.000Z',
  validation: { ok: true, errors: [] },
  authorization: {
    allowed: false,
    unattended: false,
    reason: 'denied',
    policyVersion: 'p1',
    factsVersion: 'f1',
    engine: 'embedded',
  },
  outcome: 'denied',
  reason: 'denied',
};

const authzCalls = (steps: ActivityStep[]) =>
  buildTimeline(run(steps), [denied]).flatMap((e) =>
    e.kind === 'authz_decision' ? [[e.callId, e.actor, e.allowed]] : [],
  );

describe('the audit attributes authorization decisions to calls', () => {
  it('by the call id the authorize activity names, whatever the order of the steps', () => {
    // Call a (support-bot) is denied; call b (billing-bot) of the same tool is allowed. Matching by
    // tool and order would give b's intent step a's decision.
    expect(
      authzCalls([
        authorizeStep('2026-01-01T00:00:01.000Z', 'support-bot', false, 'a'),
        authorizeStep('2026-01-01T00:00:02.000Z', 'billing-bot', true, 'b'),
        intentStep('2026-01-01T00:00:03.000Z', 'b'),
      ]),
    ).toEqual([
      ['a', 'Agent:support-bot', false],
      ['b', 'Agent:billing-bot', true],
    ]);
  });

  it('by tool and order for histories recorded before authorize activities named their call', () => {
    expect(
      authzCalls([
        authorizeStep('2026-01-01T00:00:01.000Z', 'support-bot', true),
        intentStep('2026-01-01T00:00:02.000Z', 'b'),
      ]),
    ).toEqual([['b', 'Agent:support-bot', true]]);
  });
});

describe('what-if names the call of each decision it re-takes', () => {
  it('when the history has it', async () => {
    const denyAll = {
      authorize: async (req: AuthzRequest) => ({
        ...decision(req.actor.id, false),
        reason: 'stricter',
        policyVersion: 'p2',
      }),
    } as unknown as Authorizer; // only authorize is called
    const report = await whatIf(
      run([
        authorizeStep('2026-01-01T00:00:01.000Z', 'billing-bot', true, 'b'),
        authorizeStep('2026-01-01T00:00:02.000Z', 'support-bot', true),
      ]),
      denyAll,
      // Authorize steps of the three-activity path are no guarded-call decisions: nothing to verify.
      { keys: {}, zoneOf: () => undefined },
    );
    expect(report.rows.map((r) => [r.callId, r.actor, r.changed])).toEqual([
      ['b', 'Agent:billing-bot', true],
      [undefined, 'Agent:support-bot', true],
    ]);
  });
});
