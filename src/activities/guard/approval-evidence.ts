import type { OsoValue } from '../../authz/types.ts';
import { nativeEd25519Verify } from '../../crypto/native-ed25519.ts';
import { approvalSignatureValid } from '../../guard/approval-signature.ts';
import type { ApprovalSubmission } from '../../guard/types.ts';
import type { ToolDefinition } from '../../tools/define-tool.ts';
import type { RunKey } from '../../usage/usage-store.ts';
import type { GuardDependencies } from './dependencies.ts';

export interface VerifiedApprovals {
  /** Distinct approvers whose approval of exactly this call verified and who may still approve. */
  approvers: string[];
  /** Why the other approvals do not count. */
  problems: string[];
}

/**
 * Checks every approval the call carries; none is trusted because workflow code passed it. Each must
 * be signed by one of the worker's own accepted approval keys, for this run, call and digest.
 */
export async function verifyApprovals(
  deps: GuardDependencies,
  call: RunKey & { callId: string; agent: OsoValue; onBehalfOf: OsoValue },
  tool: ToolDefinition,
  args: unknown,
  digest: string,
  approvals: readonly ApprovalSubmission[],
  now: number,
): Promise<VerifiedApprovals> {
  const problems: string[] = [];
  const approvers = new Set<string>();
  for (const approval of approvals) {
    if (approval?.decision !== 'approve') continue;
    const who = approval.approver;
    if (!approvalSignatureValid(deps.approvalKeys, approval, nativeEd25519Verify))
      problems.push(`${who}: signature invalid`);
    else if (deps.mode === 'production' && approval.authentication === 'unauthenticated-dev') {
      problems.push(`${who}: not authenticated (production)`);
    } else if (
      approval.workflowId !== call.workflowId ||
      approval.runId !== call.runId ||
      approval.callId !== call.callId ||
      approval.digest !== digest
    )
      problems.push(`${who}: other call`);
    else if (approval.expiresAt < now) problems.push(`${who}: approval expired`);
    else if (who === call.onBehalfOf.id || who === call.agent.id) problems.push(`${who}: self-approval`);
    else if (approvers.has(who)) problems.push(`${who}: counted once`);
    else {
      const may = await deps.authorizer.authorize({
        actor: { type: 'User', id: who },
        action: 'approve',
        // The resource of the validated arguments, as every other decision of this call used.
        resource: tool.resource(args),
      });
      if (may.allowed) approvers.add(who);
      else problems.push(`${who}: may no longer approve (${may.reason})`);
    }
  }
  return { approvers: [...approvers], problems };
}
