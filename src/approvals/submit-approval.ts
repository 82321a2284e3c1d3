import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { DecisionVerifier } from '../audit/recorded-decisions.ts';
import type { Authorizer } from '../authz/types.ts';
import { formatValue } from '../authz/values.ts';
import { acceptsKey } from '../guard/signatures.ts';
import type { ApprovalUpdateResult, PendingApproval } from '../guard/types.ts';
import type { ToolRegistry } from '../tools/define-tool.ts';
import { decideApprovalUpdate } from '../workflows/guard/definitions.ts';
import type { ApproverIdentity } from './auth/approver-identity.ts';
import { approvalDigest } from './digest.ts';
import { listPendingApprovals } from './list-pending.ts';
import { queriedDecision } from './queried-decision.ts';
import { shownDecision } from './recorded-provenance.ts';
import { signApproval } from './sign-approval.ts';
import type { DecisionSigner } from './signing-keys.ts';

export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;

export class ApprovalRefusedError extends Error {
  override name = 'ApprovalRefusedError';
}

/**
 * What the approval service holds: its signing key, the live policy, the tools it can show, and
 * the zone public keys it checks the tool workers' recorded decisions with.
 */
export interface ApprovalServiceContext {
  signer: DecisionSigner;
  authorizer: Pick<Authorizer, 'authorize'>;
  tools: ToolRegistry;
  decisions: DecisionVerifier;
}

export interface SubmitApprovalOptions extends ApprovalServiceContext {
  workflowId: string;
  callId: string;
  /** Established by approvals/auth (a token or an OIDC token), never typed in by the approver. */
  approver: ApproverIdentity;
  decision: 'approve' | 'reject';
  reason?: string;
  /** The pending call as the approver was shown it. Default: the one the run reports now. */
  shown?: PendingApproval;
  mode: 'development' | 'production';
  ttlMs?: number;
  now?: () => number;
}

/**
 * The approval service's side of one decision: it signs only what it can vouch for. The digest is
 * computed here from the arguments the approver is shown (a digest handed over by the run is only
 * compared, never signed), and the approver is checked against the live policy, so an approver
 * revoked while the call waited is refused here and the call stays open for the others. An approval
 * is signed only for a call whose `needs_approval` the zone's worker signed for this run, call and
 * these arguments (the signed answer the run's memo or query carries, verified here): a decision a
 * poller made up is never approved on the strength of its words. Without `shown`, the call is read
 * by a describe of the run (its memo; the query only for a run whose memo does not list its calls).
 * Throws ApprovalRefusedError with the reason, from this service or from the run's validator.
 */
export async function submitApproval(
  client: Client,
  options: SubmitApprovalOptions,
): Promise<ApprovalUpdateResult> {
  const { approver } = options;
  if (approver.user.type !== 'User') throw new ApprovalRefusedError('only users approve tool calls');
  if (options.mode === 'production' && approver.authentication === 'unauthenticated-dev') {
    throw new ApprovalRefusedError('production mode accepts only authenticated approvers (a token)');
  }
  const pending = options.shown ?? (await findPending(client, options.workflowId, options.callId));
  if (pending.workflowId !== options.workflowId || pending.callId !== options.callId) {
    throw new ApprovalRefusedError(`the call shown is not call ${options.callId} of ${options.workflowId}`);
  }
  const tool = options.tools.get(pending.tool);
  if (tool === undefined) {
    throw new ApprovalRefusedError(`this approval service does not know tool ${pending.tool}: not signed`);
  }
  const digest = approvalDigest({
    tool: tool.name,
    toolVersion: tool.version,
    arguments: pending.arguments,
    workflowId: pending.workflowId,
    runId: pending.runId,
    callId: pending.callId,
    policyVersion: pending.policyVersion,
  });
  if (digest !== pending.digest) {
    throw new ApprovalRefusedError(
      `what is shown for call ${pending.callId} (${tool.name} ${tool.version} with these arguments) is not what the run asks to sign: not signed`,
    );
  }
  if (pending.approvalKeys !== undefined && !acceptsKey(pending.approvalKeys, options.signer.keyId)) {
    throw new ApprovalRefusedError(
      `this approval service signs with key ${options.signer.keyId} but the run's workers accept ${Object.keys(pending.approvalKeys).join(', ') || 'none'}: add its public key to the workers' WARDEN_APPROVAL_PUBLIC_KEYS (in development: use the same WARDEN_DATA_DIR)`,
    );
  }
  const who = formatValue(approver.user);
  if (who === formatValue(pending.requester.onBehalfOf)) {
    throw new ApprovalRefusedError(`${approver.user.id} requested this call and cannot approve it`);
  }
  if (who === formatValue(pending.requester.agent)) {
    throw new ApprovalRefusedError('the agent cannot approve its own call');
  }
  await checkLivePolicy(options, pending, tool);
  if (options.decision === 'approve') checkRecordedDecision(options.decisions, pending);

  const issuedAt = (options.now ?? Date.now)();
  const submission = signApproval(options.signer, {
    workflowId: pending.workflowId,
    runId: pending.runId,
    callId: pending.callId,
    digest,
    approver: approver.user.id,
    authentication: approver.authentication,
    decision: options.decision,
    issuedAt,
    expiresAt: issuedAt + (options.ttlMs ?? DEFAULT_APPROVAL_TTL_MS),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  });
  // Addressed to the run the decision is signed for: a run that continued as new (or was reset) is
  // not sent it, and the server need not look the current run up first.
  const handle = client.workflow.getHandle(options.workflowId, pending.runId);
  try {
    return await handle.executeUpdate(decideApprovalUpdate, { args: [submission] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      throw new ApprovalRefusedError(error.cause?.message ?? error.message);
    }
    if (error instanceof WorkflowNotFoundError) {
      throw new ApprovalRefusedError(
        `run ${options.workflowId} is not running: no call ${options.callId} is waiting`,
      );
    }
    throw error;
  }
}

async function findPending(client: Client, workflowId: string, callId: string): Promise<PendingApproval> {
  let all: PendingApproval[];
  try {
    all = await listPendingApprovals(client, { workflowId });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new ApprovalRefusedError(`run ${workflowId} is not running: no call ${callId} is waiting`);
    }
    throw error;
  }
  const pending = all.find((p) => p.callId === callId);
  if (pending === undefined) {
    throw new ApprovalRefusedError(`no call ${callId} is waiting for approval in ${workflowId}`);
  }
  return pending;
}

/** The policy as it is now, not the eligible list taken when the call paused. */
async function checkLivePolicy(
  options: SubmitApprovalOptions,
  pending: PendingApproval,
  tool: NonNullable<ReturnType<ToolRegistry['get']>>,
): Promise<void> {
  let resource: ReturnType<typeof tool.resource>;
  try {
    resource = tool.resource(pending.arguments as never);
  } catch {
    throw new ApprovalRefusedError(`the arguments shown for call ${pending.callId} do not name a resource`);
  }
  const decision = await options.authorizer.authorize({
    actor: options.approver.user,
    action: 'approve',
    resource,
  });
  if (!decision.allowed) {
    throw new ApprovalRefusedError(
      `${options.approver.user.id} may not approve ${tool.name} under the current policy (${decision.reason}); nothing was sent, the call stays open for the other approvers`,
    );
  }
}

/**
 * The tool worker's own decision to ask a person, verified on the signed answer the pending call
 * carries, for the run the pending call names (no describe, no history read), or a refusal. The
 * pending call may have come back from the approver's browser, so its run id is the claim checked
 * here: the zone's signature binds the answer to one run, the approval is signed for that run, and
 * the Update is addressed to it, which the server delivers only while that run is the running
 * execution of the workflow (a finished, reset or continued run refuses it, nothing recorded).
 */
function checkRecordedDecision(verifier: DecisionVerifier, pending: PendingApproval): void {
  const run = { workflowId: pending.workflowId, runId: pending.runId };
  const shown = shownDecision(pending, queriedDecision(pending, run, verifier));
  if ('problem' in shown) {
    throw new ApprovalRefusedError(
      `the tool worker's decision on call ${pending.callId} does not verify: ${shown.problem}; not signed`,
    );
  }
}
