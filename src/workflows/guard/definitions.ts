import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  ApprovalSubmission,
  ApprovalUpdateResult,
  DecisionRecord,
  PendingApproval,
} from '../../guard/types.ts';

/** An approver's decision on one pending call; its validator rejects bad ones before they enter history. */
export const decideApprovalUpdate = defineUpdate<ApprovalUpdateResult, [ApprovalSubmission]>(
  'decideApproval',
);
/** Calls of this run waiting for people. */
export const pendingApprovalsQuery = defineQuery<PendingApproval[]>('pendingApprovals');
/** One compact decision record per call, in call order: the audit view of this run. */
export const decisionRecordsQuery = defineQuery<DecisionRecord[]>('decisionRecords');
