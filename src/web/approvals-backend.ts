import type { ApproverIdentity } from '../approvals/auth/approver-identity.ts';
import type { DecisionCheck, PendingApproval } from '../guard/types.ts';
import type { CallProvenance } from '../provenance/types.ts';

/** One call waiting for a human, with everything an approver needs to decide. */
export interface PendingApprovalView {
  workflowId: string;
  callId: string;
  tool: string;
  arguments: unknown;
  risk: string;
  reasons: string[];
  requester: string;
  agent: string;
  requestedAt: string;
  approvalsSoFar: string[];
  quorum: number;
  expiresAt?: string;
  /** The tool worker's provenance of the arguments, when the run recorded one. */
  provenance?: CallProvenance;
  /** The user's request text the run sent. */
  request?: string;
  /**
   * The run's report this view was made from: what a decision on the call shown signs (its digest is
   * recomputed from these arguments), so deciding needs no second read of the run.
   */
  source?: PendingApproval;
  /** Whether the tool worker's recorded decision verified; unverified calls show none of its words. */
  decisionCheck?: DecisionCheck;
}

/** A recent decision shown under the pending list (denials first among what approvers look for). */
export interface RecentDecisionView {
  at: string;
  workflowId: string;
  callId: string;
  tool: string;
  outcome: string;
  by: string;
  reason: string;
  policyVersion?: string;
}

export interface DecideRequest {
  workflowId: string;
  callId: string;
  approve: boolean;
  reason: string;
  /** The call as the approver was shown it (from `pendingCall`); otherwise the run is asked again. */
  shown?: PendingApprovalView;
}

/** Which page of the pending listing to read. */
export interface PendingPageRequest {
  /** Runs to read for this page (the backend's page size otherwise; at most 100). */
  limit?: number;
  /** A cursor an earlier page returned as `next`; one this service did not issue is refused. */
  after?: string;
}

/** One page of the pending listing: the calls of at most `limit` runs, and where the next starts. */
export interface PendingListing {
  items: PendingApprovalView[];
  /** Runs this page read (one workflow query and one history read each). */
  runs: number;
  /** The cursor of the next page, when visibility has more runs with calls waiting. */
  next?: string;
}

/** What the web page and the CLI need from the approval machinery. */
export interface ApprovalsBackend {
  /** Throws InvalidCursorError (approvals/listing-cursor.ts) for a cursor it did not issue. */
  listPending(page?: PendingPageRequest): Promise<PendingListing>;
  /** One call waiting in one run; undefined when that run has no such call waiting (or is gone). */
  pendingCall(workflowId: string, callId: string): Promise<PendingApprovalView | undefined>;
  recentDecisions(limit: number): Promise<RecentDecisionView[]>;
  /** Resolves with a one-line confirmation; rejects with a one-line reason (nothing changed). */
  decide(identity: ApproverIdentity, request: DecideRequest): Promise<string>;
}
