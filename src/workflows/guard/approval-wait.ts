import { msToNumber as durationMs } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';
import type { GuardActivities } from '../../activities/guard/index.ts';
import type {
  ApprovalSubmission,
  DecisionRecord,
  GuardGrant,
  PreparedApproval,
  RecordedApproval,
  SignedDecisionCopy,
} from '../../guard/types.ts';
import { DEFAULT_APPROVAL_TIMEOUT, type ToolDefinition } from '../../tools/define-tool.ts';
import type { ApprovalStore } from './approval-store.ts';
import type { PendingState } from './approval-validator.ts';
import { runApprovalTimeout } from './call-request.ts';
import type { RunGuardOptions, RunIdentity } from './run-guard.ts';
import type { RunPublisher } from './run-publisher.ts';

export type Approval =
  | { state: 'approved'; approvals: ApprovalSubmission[] }
  | { state: 'rejected' | 'expired'; reason: string };

/** A call's approval wait, as the decide loop's call paths see it (the caller is bound). */
export type ApprovalWaiter = (
  record: DecisionRecord,
  tool: ToolDefinition,
  args: unknown,
  grant: GuardGrant,
  reasons: string[],
  /** The zone-signed answer that asked for people, carried by the query for hosts to verify. */
  signed?: SignedDecisionCopy,
  /**
   * The first stage as the tool worker prepared it within that verified answer, when the run asked
   * for it (PREPARED_APPROVAL): the wait then asks the main worker only for escalation stages.
   */
  prepared?: unknown,
) => Promise<Approval>;

/**
 * Runs recorded before this patch prepare every approval stage in an activity of the main worker;
 * later runs ask the tool worker to answer a call that needs people with its first stage prepared,
 * signed within the decision the run verifies: one activity and one workflow task fewer for each
 * pause, and fewer events for each replay of a paused run.
 */
export const PREPARED_APPROVAL = 'warden-prepared-approval';

const isText = (value: unknown): value is string => typeof value === 'string';

/**
 * The prepared stage an answer carries, or undefined when it carries none in the expected shape
 * (the wait then prepares the stage itself, as runs before the patch do): read defensively, though
 * signed, as everything a worker answers.
 */
export function carriedPreparation(value: unknown): PreparedApproval | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { digest, policyVersion, eligibleApprovers, approvalKeys } = value as Record<string, unknown>;
  if (!isText(digest) || !isText(policyVersion)) return undefined;
  if (!Array.isArray(eligibleApprovers) || !eligibleApprovers.every(isText)) return undefined;
  if (typeof approvalKeys !== 'object' || approvalKeys === null || Array.isArray(approvalKeys))
    return undefined;
  if (!Object.values(approvalKeys).every(isText)) return undefined;
  return {
    digest,
    policyVersion,
    eligibleApprovers: [...eligibleApprovers],
    approvalKeys: { ...(approvalKeys as Record<string, string>) },
  };
}

/** What an approval wait uses of the run: its approvals, its publisher, the prepare step. */
export interface ApprovalWaitContext {
  store: ApprovalStore;
  publisher: RunPublisher;
  prepareApproval: GuardActivities['prepareApproval'];
}

/**
 * Pauses one call for people: stage by stage (the tool's approvers, then its escalation group),
 * each stage prepared by a worker (digest, eligible approvers, the keys the Update validator
 * verifies with): the first by the tool worker within its signed answer when the run asked for it,
 * the others (and every stage of older runs) by the main worker. Fails closed: nobody eligible, a rejection or no quorum in time is not approved.
 */
export async function waitForApproval(
  context: ApprovalWaitContext,
  caller: { identity: RunIdentity; options: RunGuardOptions },
  record: DecisionRecord,
  tool: ToolDefinition,
  args: unknown,
  grant: GuardGrant,
  reasons: string[],
  signed?: SignedDecisionCopy,
  prepared?: unknown,
): Promise<Approval> {
  const config = tool.approval ?? {};
  const groups: Array<string[] | undefined> = [undefined];
  if (config.onTimeout === 'escalate' && config.escalateTo) groups.push(config.escalateTo);
  const quorum = config.quorum ?? 1;
  const toolTimeout = durationMs(config.timeout ?? DEFAULT_APPROVAL_TIMEOUT);
  // Checked when the call was validated: a bad value made the call invalid before it got here.
  const runTimeout = runApprovalTimeout(caller.options.approvalTimeouts, tool.name).ms;
  const { identity } = caller;
  const timeoutMs = runTimeout === undefined ? toolTimeout : Math.min(toolTimeout, runTimeout);

  let unstaffed = 0;
  for (const [index, group] of groups.entries()) {
    const stage = index + 1;
    const carried = index === 0 ? carriedPreparation(prepared) : undefined;
    const stagePrepared =
      carried ??
      (await context.prepareApproval({
        callId: grant.callId,
        tool: tool.name,
        arguments: args,
        agent: identity.agent,
        onBehalfOf: identity.onBehalfOf,
        ...(group ? { group } : {}),
      }));
    const approval = {
      required: true,
      reasons,
      quorum,
      stage,
      eligibleApprovers: stagePrepared.eligibleApprovers,
      approvals: [] as RecordedApproval[],
      expiresAt: Date.now() + timeoutMs,
    };
    record.approval = approval;
    record.argsDigest = stagePrepared.digest;
    if (stagePrepared.eligibleApprovers.length < quorum) {
      approval.reasons = [
        ...reasons,
        `stage ${stage}: fewer eligible approvers than the quorum of ${quorum}`,
      ];
      unstaffed += 1;
      continue;
    }
    const state: PendingState = {
      workflowId: workflowInfo().workflowId,
      runId: workflowInfo().runId,
      callId: grant.callId,
      tool: tool.name,
      toolVersion: tool.version,
      arguments: args,
      risk: tool.risk,
      reasons,
      requester: { agent: identity.agent, onBehalfOf: identity.onBehalfOf },
      purpose: identity.purpose,
      requestedAt: record.requestedAt,
      expiresAt: approval.expiresAt,
      digest: stagePrepared.digest,
      policyVersion: stagePrepared.policyVersion,
      eligibleApprovers: stagePrepared.eligibleApprovers,
      quorum,
      stage,
      approvals: approval.approvals,
      submissions: [],
      ...(stagePrepared.approvalKeys ? { approvalKeys: stagePrepared.approvalKeys } : {}),
      ...(record.provenance ? { provenance: record.provenance } : {}),
      ...(identity.request !== undefined ? { request: identity.request } : {}),
      // Runs that decide in three activities have no signed answer: their calls show unverified.
      ...(signed !== undefined ? { signedDecision: signed } : {}),
    };
    record.outcome = 'awaiting_approval';
    const decided = await context.store.wait(state, timeoutMs, context.publisher.publish);
    if (decided && state.decision === 'approved') {
      return { state: 'approved', approvals: state.submissions.filter((s) => s.decision === 'approve') };
    }
    if (decided) {
      const rejection = state.submissions.find((s) => s.decision === 'reject');
      return {
        state: 'rejected',
        reason: `rejected by ${rejection?.approver ?? 'an approver'}${rejection?.reason ? `: ${rejection.reason}` : ''}`,
      };
    }
  }
  if (unstaffed === groups.length) {
    return {
      state: 'rejected',
      reason: `nobody may approve this call (quorum ${quorum}); not executed (fail closed)`,
    };
  }
  const stages = groups.length > 1 ? ` after ${groups.length} approval stages` : '';
  return {
    state: 'expired',
    reason: `no approval within ${timeoutMs} ms${stages}; not executed (fail closed)`,
  };
}
