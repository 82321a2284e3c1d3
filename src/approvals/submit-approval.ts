import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApprovalSubmission, ApprovalUpdateResult } from '../guard/types.ts';
import { decideApprovalUpdate, pendingApprovalsQuery } from '../workflows/guard/definitions.ts';
import { approvalKeyId, attestApproval } from './attestation.ts';
import type { ApproverIdentity } from './auth/approver-identity.ts';

export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;

export class ApprovalRefusedError extends Error {
  override name = 'ApprovalRefusedError';
}

export interface SubmitApprovalOptions {
  workflowId: string;
  callId: string;
  /** Established by approvals/auth (a token), never typed in by the approver. */
  approver: ApproverIdentity;
  decision: 'approve' | 'reject';
  reason?: string;
  /** The digest of the call the approver was shown. Default: the one pending now. */
  digest?: string;
  /** WARDEN_APPROVAL_SECRET, or the development secret (approvals/approval-secret.ts). */
  secret: string;
  mode: 'development' | 'production';
  ttlMs?: number;
  now?: () => number;
}

/**
 * Signs an approver's decision on one pending call and sends it as the `decideApproval` Update.
 * Throws ApprovalRefusedError with the workflow validator's reason when the run refuses it.
 */
export async function submitApproval(
  client: Client,
  options: SubmitApprovalOptions,
): Promise<ApprovalUpdateResult> {
  if (options.approver.user.type !== 'User') throw new ApprovalRefusedError('only users approve tool calls');
  if (options.mode === 'production' && options.approver.authentication !== 'token') {
    throw new ApprovalRefusedError('production mode accepts only token-authenticated approvers');
  }
  const handle = client.workflow.getHandle(options.workflowId);
  const keyId = approvalKeyId(options.secret);
  let digest = options.digest;
  if (digest === undefined) {
    const pending = (await handle.query(pendingApprovalsQuery)).find((p) => p.callId === options.callId);
    if (pending === undefined) {
      throw new ApprovalRefusedError(
        `no call ${options.callId} is waiting for approval in ${options.workflowId}`,
      );
    }
    if (pending.approvalKeyId !== undefined && pending.approvalKeyId !== keyId) {
      throw new ApprovalRefusedError(
        `this approval service signs with key ${keyId} but the run's workers verify key ${pending.approvalKeyId}: use the workers' WARDEN_APPROVAL_SECRET (in development: the same WARDEN_DATA_DIR)`,
      );
    }
    digest = pending.digest;
  }
  const issuedAt = (options.now ?? Date.now)();
  const unsigned: Omit<ApprovalSubmission, 'attestation'> = {
    callId: options.callId,
    digest,
    approver: options.approver.user.id,
    authentication: options.approver.authentication,
    decision: options.decision,
    issuedAt,
    expiresAt: issuedAt + (options.ttlMs ?? DEFAULT_APPROVAL_TTL_MS),
  };
  if (options.reason !== undefined) unsigned.reason = options.reason;
  const submission: ApprovalSubmission = {
    ...unsigned,
    attestation: attestApproval(options.secret, options.workflowId, unsigned),
    keyId,
  };
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
