import { msToNumber } from '@temporalio/common';
import { combineFindings } from '../../guard/intent/rules.ts';
import type { IntentInput, IntentResult } from '../../guard/types.ts';
import { DEFAULT_APPROVAL_TIMEOUT, type ToolDefinition } from '../../tools/define-tool.ts';
import { agentRules } from './agent-rules.ts';
import { callDigest } from './call-digest.ts';
import { callRules, decideIntent, windowKey, windowsOf } from './call-intent.ts';
import { callingWorkflow } from './calling-workflow.ts';
import type { GuardDependencies } from './dependencies.ts';
import { signGrant } from './grant.ts';
import { checkedIntentInput } from './guard-input.ts';
import { judgeFinding } from './judge-call.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/** How long an unattended grant stays valid between this check and the tool's start. */
export const UNATTENDED_GRANT_MS = 10 * 60_000;

/** The longest a call can wait for people: every approval stage, plus the unattended margin. */
export function grantLifetimeMs(tool: ToolDefinition): number {
  const stage = msToNumber(tool.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT);
  const stages = tool.approval?.onTimeout === 'escalate' ? 2 : 1;
  return UNATTENDED_GRANT_MS + stage * stages;
}

/**
 * Step c, advisory: the tool's rules and the agent's (from the worker's catalog, never from the
 * input) on the usage the workers counted, then an optional judge. It tells the workflow whether to
 * ask people; the tool worker decides again at execution, and takes the call's window places then.
 */
export function checkToolIntentActivity(deps: GuardDependencies) {
  return async function checkToolIntent(untrusted: IntentInput): Promise<IntentResult> {
    const input = checkedIntentInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    const run = callingWorkflow();
    const now = Date.now();
    const policyVersion = deps.authorizer.policyVersion();
    const digest = callDigest(tool, args, input.callId, policyVersion);
    const agent = agentRules(deps.agents, input.agent);
    if (agent === undefined) {
      const reason = `${input.agent?.type}:${input.agent?.id} is not an agent of this deployment`;
      return {
        verdict: combineFindings([{ rule: 'purpose', verdict: 'deny', reason }]),
        digest,
        policyVersion,
      };
    }
    const rules = callRules(tool, agent, input);
    const key = windowKey(input.agent, input.onBehalfOf, tool);
    const counts = new Map<number, number>();
    for (const ms of windowsOf(rules)) counts.set(ms, await deps.usage.windowCount(key, ms, now));
    const judged = await judgeFinding(deps, input, tool, args, input);
    const verdict = decideIntent(
      rules,
      {
        tool,
        args,
        usage: await deps.usage.runUsage(run, input.callId),
        callsInWindow: (ms) => counts.get(ms) ?? 0,
      },
      judged,
    );
    const result: IntentResult = { verdict, digest, policyVersion };
    if (verdict.verdict !== 'deny') {
      result.grant = signGrant(deps.approvalSecret, {
        ...run,
        callId: input.callId,
        tool: tool.name,
        agent: input.agent,
        onBehalfOf: input.onBehalfOf,
        digest,
        policyVersion,
        verdict: verdict.verdict,
        issuedAt: now,
        expiresAt: now + grantLifetimeMs(tool),
      });
    }
    return result;
  };
}
