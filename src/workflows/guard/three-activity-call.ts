import type { GuardActivities } from '../../activities/guard/index.ts';
import { callHosts } from '../../guard/intent/call-hosts.ts';
import type {
  ApprovalSubmission,
  DecisionRecord,
  Redecision,
  RunUsage,
  ToolCallOutcome,
} from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { ApprovalWaiter } from './approval-wait.ts';
import { MAX_DECISION_ROUNDS } from './decision-rounds.ts';
import { failureText, refusalCode, summarize } from './failures.ts';
import type { ResolvedCall } from './resolved-call.ts';
import type { RunGuardOptions, RunIdentity } from './run-guard.ts';

/** What the three-activity path uses of the run. */
export interface ThreeActivityGuard {
  guardActivities: Pick<GuardActivities, 'authorizeToolCall' | 'checkToolIntent'>;
  activities(tool: ToolDefinition): Pick<GuardActivities, 'executeGuardedTool'>;
  /** What the run's executed calls used; the intent step of these runs is sent it. */
  usage: RunUsage;
  waitForApproval: ApprovalWaiter;
  finish(record: DecisionRecord, outcome: ToolCallOutcome): ToolCallOutcome;
}

function countCall(usage: RunUsage, toolName: string, delta: 1 | -1): void {
  usage.calls += delta;
  usage.callsByTool[toolName] = (usage.callsByTool[toolName] ?? 0) + delta;
}

/**
 * How runs recorded before `PEP_SINGLE_ACTIVITY` decide a call: authorize, then intent, then (after
 * an approval wait when needed) execute with the re-check at activity start, three activities.
 * Kept so that their histories replay; new runs ask the tool worker in one (tool-worker-call.ts).
 */
export async function decideInThreeActivities(
  guard: ThreeActivityGuard,
  identity: RunIdentity,
  options: RunGuardOptions,
  record: DecisionRecord,
  call: ResolvedCall,
): Promise<ToolCallOutcome> {
  const { tool, args, callId } = call;
  const base = { callId, tool: tool.name };
  const { usage } = guard;
  for (let round = 1; ; round++) {
    // b. authorize
    let authz: Awaited<ReturnType<GuardActivities['authorizeToolCall']>>;
    try {
      authz = await guard.guardActivities.authorizeToolCall({
        callId,
        agent: identity.agent,
        onBehalfOf: identity.onBehalfOf,
        tool: tool.name,
        arguments: args,
      });
    } catch (error) {
      return guard.finish(record, {
        ...base,
        status: 'denied',
        reason: `authorization failed, fail closed: ${failureText(error)}`,
      });
    }
    record.authorization = authz.summary;
    if (!authz.summary.allowed) {
      return guard.finish(record, { ...base, status: 'denied', reason: authz.summary.reason });
    }

    // c. validate intent
    let intent: Awaited<ReturnType<GuardActivities['checkToolIntent']>>;
    try {
      intent = await guard.guardActivities.checkToolIntent({
        callId,
        agent: identity.agent,
        onBehalfOf: identity.onBehalfOf,
        purpose: identity.purpose,
        ...(options.purposeScope ? { purposeScope: options.purposeScope } : {}),
        tool: tool.name,
        arguments: args,
        rules: options.rules ?? [],
        usage: structuredClone(usage),
      });
    } catch (error) {
      return guard.finish(record, {
        ...base,
        status: 'denied',
        reason: `intent check failed, fail closed: ${failureText(error)}`,
      });
    }
    record.intent = intent.verdict;
    record.argsDigest = intent.digest;
    if (intent.verdict.verdict === 'deny' || !intent.grant) {
      return guard.finish(record, {
        ...base,
        status: 'denied',
        reason: `intent denied: ${intent.verdict.reasons.join('; ')}`,
      });
    }

    // d. approval gate
    const reasons: string[] = [];
    if (!authz.summary.unattended) reasons.push(`policy: ${authz.summary.reason}`);
    if (intent.verdict.verdict === 'escalate')
      reasons.push(...intent.verdict.reasons.map((r) => `intent: ${r}`));
    let approvals: ApprovalSubmission[] = [];
    if (reasons.length > 0) {
      const approval = await guard.waitForApproval(record, tool, args, intent.grant, reasons);
      if (approval.state !== 'approved') {
        return guard.finish(record, { ...base, status: approval.state, reason: approval.reason });
      }
      approvals = approval.approvals;
    } else {
      delete record.approval;
    }

    // e. execute, with the re-check at activity start
    record.outcome = 'executing';
    // Reserved before the call runs, so concurrent calls see it; released if the re-check refuses.
    countCall(usage, tool.name, 1);
    try {
      const result = await guard.activities(tool).executeGuardedTool({
        callId,
        tool: tool.name,
        arguments: args,
        agent: identity.agent,
        onBehalfOf: identity.onBehalfOf,
        authority: { grant: intent.grant, approvals },
        ...(identity.requester ? { requester: identity.requester } : {}),
      });
      usage.recordsRead += result.recordsRead;
      for (const host of callHosts(tool, args)) if (!usage.hosts.includes(host)) usage.hosts.push(host);
      record.attempts = result.attempt;
      record.outputSummary = summarize(result.output);
      const how =
        approvals.length > 0 ? `approved by ${approvals.map((a) => a.approver).join(', ')}` : 'unattended';
      return guard.finish(record, {
        ...base,
        status: 'executed',
        output: result.output,
        reason: `executed (${how})`,
      });
    } catch (error) {
      const code = refusalCode(error);
      // A refusal at activity start means the tool never ran: it does not count towards volume.
      if (code !== undefined) countCall(usage, tool.name, -1);
      if (code === 'policy_changed' && round < MAX_DECISION_ROUNDS) {
        const redecision: Redecision = {
          at: new Date().toISOString(),
          reason: failureText(error),
          previousPolicyVersion: intent.grant.policyVersion,
          previousOutcome: approvals.length > 0 ? 'approved' : 'unattended',
        };
        if (approvals.length > 0) redecision.previousApprovers = approvals.map((a) => a.approver);
        record.redecisions = [...(record.redecisions ?? []), redecision];
        record.reason = `decided again: ${redecision.reason}`;
        continue;
      }
      if (code !== undefined) {
        return guard.finish(record, {
          ...base,
          status: 'denied',
          reason: `refused at execution: ${failureText(error)}`,
        });
      }
      return guard.finish(record, {
        ...base,
        status: 'failed',
        reason: `tool failed: ${failureText(error)}`,
      });
    }
  }
}
