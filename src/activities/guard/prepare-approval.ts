import { authorizedActors } from '../../authz/authorized-actors.ts';
import type { PrepareApprovalInput, PreparedApproval } from '../../guard/types.ts';
import { callDigest } from './call-digest.ts';
import type { GuardDependencies } from './dependencies.ts';
import { checkedPrepareInput } from './guard-input.ts';
import { resolveCallOrFail } from './tool-lookup.ts';

/**
 * Step d, before the wait: the digest approvers sign, who may sign it, and the public keys that
 * verify their signatures. The Update validator cannot call the PDP or read configuration, so these
 * come from the worker's own state and are kept in workflow state.
 */
export function prepareApprovalActivity(deps: GuardDependencies) {
  return async function prepareApproval(untrusted: PrepareApprovalInput): Promise<PreparedApproval> {
    const input = checkedPrepareInput(untrusted);
    const { tool, args } = resolveCallOrFail(deps.tools, input.tool, input.arguments);
    const policyVersion = deps.authorizer.policyVersion();
    const approvers = await authorizedActors(deps.authorizer, 'User', 'approve', tool.resource(args));
    const group = input.group === undefined ? undefined : new Set(input.group);
    const eligibleApprovers = approvers
      .map((a) => a.id)
      .filter((id) => id !== input.onBehalfOf.id && id !== input.agent.id)
      .filter((id) => group === undefined || group.has(id))
      .sort();
    return {
      digest: callDigest(tool, args, input.callId, policyVersion),
      policyVersion,
      eligibleApprovers,
      approvalKeys: deps.approvalKeys,
    };
  };
}
