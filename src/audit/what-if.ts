import { z } from 'zod';
import { HANDOFF_ACTION } from '../activities/agent/authorize-handoff.ts';
import type { Authorizer, AuthzDecision, AuthzRequest, ContextFact } from '../authz/types.ts';
import { formatValue } from '../authz/values.ts';
import { recordedDecision as checkedDecisionOf, type DecisionVerifier } from './recorded-decisions.ts';
import type { RunHistory } from './run-history.ts';

const osoValue = z.object({ type: z.string(), id: z.string() });
const recordedDecision = z.object({
  allowed: z.boolean(),
  action: z.string(),
  actor: osoValue,
  onBehalfOf: osoValue.optional(),
  resource: osoValue,
  context: z.array(z.array(z.unknown())).default([]),
  reason: z.string(),
  policyVersion: z.string(),
});
const authorizeResult = z.object({ invoke: recordedDecision, unattended: recordedDecision.optional() });
const handoffDecision = recordedDecision.extend({ action: z.literal(HANDOFF_ACTION) });
const handoffInput = z.object({ from: osoValue, to: osoValue });

export interface WhatIfRow {
  at: string;
  /** A tool call's authorization, or a handoff of the conversation to another agent. */
  kind: 'tool_call' | 'handoff';
  /** The call the decision was for; absent in histories whose authorize inputs did not name it. */
  callId?: string;
  /** The tool; for a handoff, the agent it goes to (`Agent:billing-bot`). */
  tool: string;
  action: string;
  actor: string;
  onBehalfOf?: string;
  recorded: { allowed: boolean; reason: string; policyVersion: string };
  replayed: { allowed: boolean; reason: string; policyVersion: string; error?: string };
  changed: boolean;
}

/** A guarded call whose recorded decision did not verify with its zone's key: not re-taken. */
export interface UnverifiedDecisionRow {
  at: string;
  callId: string;
  tool: string;
  /** Why the decision is not re-taken (decisionSignatureProblem's words); none of its own words. */
  problem: string;
}

export interface WhatIfReport {
  workflowId: string;
  decisions: number;
  changed: number;
  rows: WhatIfRow[];
  /** Guarded calls whose recorded authorization was not re-taken: their decision did not verify. */
  unverified: UnverifiedDecisionRow[];
}

/** The request behind a recorded decision; the derived `acts_for` fact is re-derived from onBehalfOf. */
export function requestOf(decision: z.infer<typeof recordedDecision>): AuthzRequest {
  const context = decision.context.filter(
    (fact) =>
      !(
        decision.onBehalfOf &&
        fact[0] === 'acts_for' &&
        JSON.stringify(fact.slice(1)) === JSON.stringify([decision.actor, decision.onBehalfOf])
      ),
  ) as ContextFact[];
  return {
    actor: decision.actor,
    action: decision.action,
    resource: decision.resource,
    ...(decision.onBehalfOf ? { onBehalfOf: decision.onBehalfOf } : {}),
    ...(context.length ? { context } : {}),
  };
}

/**
 * Takes every authorization decision recorded in a run (tool calls and handoffs) again, under another
 * policy, and reports which ones would have gone the other way ("would the new policy have stopped that?").
 * A guarded call's decisions are re-taken only from a decision its zone's worker signed, checked with
 * `verifier` (recorded-decisions.ts): a poller's made-up answer could name any actor, resource and
 * context, and re-taking it would say what a policy does to a call nobody decided. Such a call is
 * listed in `unverified`, in none of its words.
 */
export async function whatIf(
  run: RunHistory,
  authorizer: Authorizer,
  verifier: DecisionVerifier,
): Promise<WhatIfReport> {
  const rows: WhatIfRow[] = [];
  const unverified: UnverifiedDecisionRow[] = [];
  const retake = async (
    at: string,
    kind: WhatIfRow['kind'],
    tool: string,
    recorded: z.infer<typeof recordedDecision>,
    callId?: unknown,
  ) => {
    const again: AuthzDecision = await authorizer.authorize(requestOf(recorded));
    rows.push({
      at,
      kind,
      ...(typeof callId === 'string' ? { callId } : {}),
      tool,
      action: recorded.action,
      actor: formatValue(recorded.actor),
      ...(recorded.onBehalfOf ? { onBehalfOf: formatValue(recorded.onBehalfOf) } : {}),
      recorded: {
        allowed: recorded.allowed,
        reason: recorded.reason,
        policyVersion: recorded.policyVersion,
      },
      replayed: {
        allowed: again.allowed,
        reason: again.reason,
        policyVersion: again.policyVersion,
        ...(again.error ? { error: again.error } : {}),
      },
      changed: again.allowed !== recorded.allowed,
    });
  };
  for (const step of run.steps) {
    if (step.kind !== 'activity') continue;
    const at = step.closedAt ?? step.scheduledAt;
    const handoff = handoffDecision.safeParse(step.result);
    if (handoff.success && handoffInput.safeParse(step.input[0]).success) {
      await retake(at, 'handoff', formatValue(handoff.data.resource), handoff.data);
      continue;
    }
    const checked = checkedDecisionOf(step, run, verifier);
    if (checked !== undefined && !checked.verified) {
      unverified.push({ at, callId: checked.callId, tool: checked.tool, problem: checked.problem });
      continue;
    }
    // A guarded call decided in one activity keeps its PDP decisions under `authorization`.
    const recorded = (step.result as { authorization?: unknown } | undefined)?.authorization ?? step.result;
    const parsed = authorizeResult.safeParse(recorded);
    if (!parsed.success) continue;
    const callId = (step.input[0] as { callId?: unknown } | undefined)?.callId;
    for (const recorded of [parsed.data.invoke, parsed.data.unattended]) {
      if (recorded) await retake(at, 'tool_call', recorded.resource.id, recorded, callId);
    }
  }
  return {
    workflowId: run.workflowId,
    decisions: rows.length,
    changed: rows.filter((r) => r.changed).length,
    rows,
    unverified,
  };
}
