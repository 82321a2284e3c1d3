import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../../src/authz/create-authorizer.ts';
import type { Authorizer, AuthzDecision } from '../../../src/authz/types.ts';
import { policyApprovalWords } from '../../../src/guard/approval-words.ts';

const POLICY_DIR = path.resolve(import.meta.dirname, '../../../examples/support-copilot/policies');

const agent = { type: 'Agent', id: 'support-bot' };
const alice = { type: 'User', id: 'alice' };
const refundTool = { type: 'Tool', id: 'crm.issue_refund' };

function decision(action: string, allowed: boolean, context: AuthzDecision['context']): AuthzDecision {
  return {
    allowed,
    action,
    actor: agent,
    onBehalfOf: alice,
    resource: refundTool,
    context: [['acts_for', agent, alice], ...context],
    engine: 'embedded',
    policyVersion: 'sha256:0000000000000000',
    factsVersion: 'sha256:0000000000000000',
    durationMs: 0.1,
    reason: `${allowed ? 'allowed' : 'denied'}: no rule in policy sha256:0000000000000000 grants Agent:support-bot acting for User:alice ${action} Tool:crm.issue_refund`,
  };
}

describe('why the policy asks for a person, in words', () => {
  let authz: Authorizer;
  beforeAll(async () => {
    authz = await createAuthorizer({
      WARDEN_PDP: 'embedded',
      WARDEN_POLICY_DIR: POLICY_DIR,
      OSO_URL: undefined,
      OSO_AUTH: undefined,
    });
  });
  afterAll(() => authz.close());

  it("says the shipped policy's decision on a 250 EUR refund without its rule text or version", async () => {
    const context: AuthzDecision['context'] = [['refund_amount', refundTool, 250]];
    const asked = { actor: agent, resource: refundTool, onBehalfOf: alice, context };
    const invoke = await authz.authorize({ ...asked, action: 'invoke' });
    const unattended = await authz.authorize({ ...asked, action: 'invoke_unattended' });
    expect([invoke.allowed, unattended.allowed]).toEqual([true, false]);
    const words = policyApprovalWords({ invoke, unattended });
    expect(words).toBe(
      "the policy lets support-bot, acting for alice, use crm.issue_refund only with a person's approval: no rule allows it unattended with refund amount 250",
    );
    expect(unattended.reason).toMatch(/sha256:/);
    expect(words).not.toMatch(/sha256|grants|Agent:|User:/);
  });

  it('keeps every fact but the tool itself, strings quoted as given', () => {
    const facts: AuthzDecision['context'] = [
      ['tainted_argument', refundTool, 'customerId'],
      ['clear_argument', refundTool, 'onBehalfOf', 'c-1001'],
    ];
    const words = policyApprovalWords({
      invoke: decision('invoke', true, facts),
      unattended: decision('invoke_unattended', false, facts),
    });
    expect(words).toMatch(/with tainted argument "customerId"; clear argument "onBehalfOf", "c-1001"$/);
  });

  it('says nothing more than the tool and the people when no fact was sent', () => {
    const words = policyApprovalWords({
      invoke: decision('invoke', true, []),
      unattended: decision('invoke_unattended', false, []),
    });
    expect(words).toMatch(/no rule allows it unattended$/);
  });
});
