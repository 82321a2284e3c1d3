import { authorizedActors } from '../../authz/authorized-actors.ts';
import type { OsoValue } from '../../authz/types.ts';
import type { PrepareApprovalInput, PreparedApproval } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import { callDigest } from './call-digest.ts';
import type { GuardDependencies } from './dependencies.ts';
import { checkedPrepareInput } from './guard-input.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/** A call about to wait for people, as the worker resolved it from its own registry. */
export interface ApprovalCall {
  tool: ToolDefinition;
  args: unknown;
  callId: string;
  agent: OsoValue;
  onBehalfOf: OsoValue;
  /** Restricts the eligible approvers to these user ids (an escalation group). */
  group?: readonly string[];
}

/**
 * Step d, before the wait: the digest approvers sign, who may sign it, and the public keys that
 * verify their signatures. The Update validator cannot call the PDP or read configuration, so these
 * come from the worker's own state and are kept in workflow state. The tool worker answers a call
 * that needs people with this in its signed answer (guarded-call.ts); the activity below serves the
 * escalation stages and runs recorded before that.
 */
export async function preparedApproval(
  deps: GuardDependencies,
  call: ApprovalCall,
): Promise<PreparedApproval> {
  const policyVersion = deps.authorizer.policyVersion();
  const approvers = await authorizedActors(deps.authorizer, 'User', 'approve', call.tool.resource(call.args));
  const group = call.group === undefined ? undefined : new Set(call.group);
  const eligibleApprovers = approvers
    .map((a) => a.id)
    .filter((id) => id !== call.onBehalfOf.id && id !== call.agent.id)
    .filter((id) => group === undefined || group.has(id))
    .sort();
  return {
    digest: callDigest(call.tool, call.args, call.callId, policyVersion),
    policyVersion,
    eligibleApprovers,
    approvalKeys: deps.approvalKeys,
  };
}

export function prepareApprovalActivity(deps: GuardDependencies) {
  return async function prepareApproval(untrusted: PrepareApprovalInput): Promise<PreparedApproval> {
    const input = checkedPrepareInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    return preparedApproval(deps, {
      tool,
      args,
      callId: input.callId,
      agent: input.agent,
      onBehalfOf: input.onBehalfOf,
      ...(input.group ? { group: input.group } : {}),
    });
  };
}
