import { msToNumber } from '@temporalio/common';
import { evaluateIntent } from '../../guard/intent/evaluate.ts';
import type { IntentRule, IntentVerdict, RuleFinding } from '../../guard/intent/rules.ts';
import { combineFindings } from '../../guard/intent/rules.ts';
import type { IntentInput, IntentResult } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import { callDigest } from './call-digest.ts';
import { callReservationId } from './call-window-store.ts';
import { callingWorkflow } from './calling-workflow.ts';
import type { GuardDependencies } from './dependencies.ts';
import { signGrant } from './grant.ts';
import { checkedIntentInput } from './guard-input.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/** How long an unattended grant stays valid between this check and the tool's start. */
export const UNATTENDED_GRANT_MS = 10 * 60_000;
export const DEFAULT_APPROVAL_TIMEOUT = '1 hour';

/** The longest a call can wait for people: every approval stage, plus the unattended margin. */
export function grantLifetimeMs(tool: ToolDefinition): number {
  const stage = msToNumber(tool.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT);
  const stages = tool.approval?.onTimeout === 'escalate' ? 2 : 1;
  return UNATTENDED_GRANT_MS + stage * stages;
}

/**
 * Step c: deterministic rules (the tool's and the agent's), then an optional judge model. A call that
 * is not denied gets a signed grant binding the verdict to the call's digest.
 */
export function checkToolIntentActivity(deps: GuardDependencies) {
  return async function checkToolIntent(untrusted: IntentInput): Promise<IntentResult> {
    const input = checkedIntentInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    const { workflowId, runId } = callingWorkflow();
    const now = Date.now();
    const windowKey = `${input.agent.type}:${input.agent.id}|${input.onBehalfOf.type}:${input.onBehalfOf.id}|${tool.name}`;
    const rules: IntentRule[] = [...tool.intent, ...input.rules];
    let verdict = evaluateIntent(rules, {
      tool: tool.name,
      category: tool.category,
      arguments: args,
      usage: input.usage,
      ...(input.purposeScope ? { purposeScope: input.purposeScope } : {}),
      callsInWindow: (rule) => deps.callWindows.count(windowKey, rule.windowSeconds * 1000, now),
    });
    if (verdict.verdict !== 'deny' && deps.judge) verdict = await withJudge(deps, input, tool, args, verdict);
    if (verdict.verdict !== 'deny' && rules.some((r) => r.kind === 'max_calls_per_window')) {
      deps.callWindows.reserve(windowKey, callReservationId(workflowId, runId, input.callId), now);
    }

    const policyVersion = deps.authorizer.policyVersion();
    const digest = callDigest(tool, args, input.callId, policyVersion);
    const result: IntentResult = { verdict, digest, policyVersion };
    if (verdict.verdict !== 'deny') {
      result.grant = signGrant(deps.approvalSecret, {
        workflowId,
        runId,
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

async function withJudge(
  deps: GuardDependencies,
  input: IntentInput,
  tool: ToolDefinition,
  args: unknown,
  verdict: IntentVerdict,
): Promise<IntentVerdict> {
  const judge = deps.judge;
  if (!judge) return verdict;
  let finding: RuleFinding;
  try {
    const opinion = await judge.judge({
      agent: input.agent,
      onBehalfOf: input.onBehalfOf,
      purpose: input.purpose,
      tool: tool.name,
      toolDescription: tool.description,
      arguments: args,
    });
    finding = { rule: 'judge', verdict: opinion.verdict, reason: `${judge.name}: ${opinion.reason}` };
  } catch (error) {
    // A judge that cannot answer asks a person rather than waving the call through.
    finding = {
      rule: 'judge',
      verdict: 'escalate',
      reason: `${judge.name} failed: ${(error as Error).message}`,
    };
  }
  return combineFindings([...verdict.findings, finding]);
}
