import { withoutSummary } from '../../guard/authorization-summary.ts';
import { decisionClaim } from '../../guard/decision-signature.ts';
import type { ToolResultClaim } from '../../guard/tool-result-signature.ts';
import type {
  AuthorizeCallResult,
  CallProvenance,
  GuardedCallInput,
  GuardedCallResult,
} from '../../guard/types.ts';
import { DEFAULT_ZONE } from '../../tools/define-tool.ts';
import { grantLifetimeMs } from './check-intent.ts';
import type { GuardDependencies } from './dependencies.ts';
import { enforce } from './enforce.ts';
import { executeAdmitted, executionContext, refuseAndRelease, resultSigned } from './execute-tool.ts';
import { signGrant } from './grant.ts';
import { checkedGuardedCallInput } from './guard-input.ts';
import { observationOf, report } from './observer.ts';
import { preparedApproval } from './prepare-approval.ts';

/**
 * A guarded call in one activity on the tool's worker: authorize, intent and, when the policy lets
 * it run unattended and intent allows, execute. A call that needs people comes back as
 * `needs_approval` with a grant for the wait; a denial comes back with its decisions. The result
 * carries every decision, so the history stays the audit, and each is signed with the zone's key
 * (decision-signature.ts) over the call it is about, so a poller without the key cannot answer for it.
 * A run that asks (`signOnce`) gets an executed call's result signed within its decision, one
 * signature for both; otherwise the result carries its own. A run that asks (`prepareApproval`) gets
 * a call that needs people answered with what its wait needs (digest, eligible approvers, approval
 * keys), signed with the decision, instead of asking the main worker in an activity of its own.
 */
export function guardedToolCallActivity(deps: GuardDependencies, zone?: string) {
  return async function guardedToolCall(untrusted: GuardedCallInput): Promise<GuardedCallResult> {
    // Refused before anything else: a malformed input names no call whose claim could be released.
    const input = checkedGuardedCallInput(untrusted);
    const context = executionContext();
    const decided = await enforce(deps, zone, input, undefined, context);
    // What the run derives itself is left out when it asks: the history keeps every decision.
    const recorded = (authorization: AuthorizeCallResult) =>
      input.compactResult === true ? withoutSummary(authorization) : authorization;
    const signingZone = zone ?? deps.tools.get(input.tool)?.zone ?? DEFAULT_ZONE;
    const signed = (result: GuardedCallResult, executed?: ToolResultClaim): GuardedCallResult => {
      const call = {
        zone: signingZone,
        ...context.run,
        callId: input.callId,
        tool: input.tool,
        arguments: input.arguments,
        request: input.request,
        ...(input.round !== undefined ? { round: input.round } : {}),
      };
      const decisionSignature = deps.zoneKeys
        .signer(signingZone)
        .signDecision(decisionClaim(call, result, executed));
      return { ...result, decisionSignature };
    };
    const observe = (extra: Parameters<typeof observationOf>[5] = {}) =>
      report(deps.observer, () => observationOf('decide', deps.tools, context.run, input, decided, extra));
    switch (decided.kind) {
      case 'admitted': {
        const { execution, claim } = await executeAdmitted(deps, context, decided, input).catch(
          (error: unknown) => {
            observe({ outcome: 'failed' });
            throw error;
          },
        );
        observe({ recordsRead: execution.recordsRead });
        // Asked to sign once: the decision's signature covers the result (its message's digest).
        const once = input.signOnce === true;
        return signed(
          {
            decision: 'executed',
            authorization: recorded(decided.authorization),
            intent: decided.intent,
            ...provenanceOf(decided),
            execution: once ? execution : resultSigned(deps, { execution, claim }),
            reason: 'executed (unattended)',
          },
          once ? claim : undefined,
        );
      }
      case 'needs_approval': {
        const now = Date.now();
        const grant = signGrant(deps.approvalSecret, {
          ...context.run,
          callId: decided.callId,
          tool: decided.tool.name,
          agent: input.agent,
          onBehalfOf: input.onBehalfOf,
          digest: decided.intent.digest,
          policyVersion: decided.intent.policyVersion,
          verdict: decided.intent.verdict.verdict === 'escalate' ? 'escalate' : 'allow',
          issuedAt: now,
          expiresAt: now + grantLifetimeMs(decided.tool),
        });
        observe({ grantExpiresAt: grant.expiresAt });
        // Asked for, what the wait needs comes with the answer, under its signature: no further step.
        const approval =
          input.prepareApproval === true
            ? await preparedApproval(deps, {
                tool: decided.tool,
                args: decided.args,
                callId: decided.callId,
                agent: input.agent,
                onBehalfOf: input.onBehalfOf,
              })
            : undefined;
        return signed({
          decision: 'needs_approval',
          authorization: recorded(decided.authorization),
          intent: { ...decided.intent, grant },
          ...provenanceOf(decided),
          reasons: decided.reasons,
          reason: `approval needed: ${decided.reasons.join('; ')}`,
          ...(approval ? { approval } : {}),
        });
      }
      case 'denied': {
        observe();
        // Decided and denied: a result the run records. Anything else is refused as a failure.
        if (decided.authorization === undefined)
          return refuseAndRelease(deps, context, decided, input?.callId);
        await deps.usage.release(context.run, String(input.callId), context.activityId);
        return signed({
          decision: 'denied',
          code: decided.code,
          authorization: recorded(decided.authorization),
          ...(decided.intent ? { intent: decided.intent } : {}),
          ...provenanceOf(decided),
          reason: decided.reason,
        });
      }
    }
  };
}

/** The call's provenance for its result, when the enforcement point traced it. */
function provenanceOf(decided: { provenance?: CallProvenance }): { provenance?: CallProvenance } {
  return decided.provenance ? { provenance: decided.provenance } : {};
}
