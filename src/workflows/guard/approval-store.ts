import { ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { OsoValue } from '../../authz/types.ts';
import type { ApprovalSubmission, PendingApproval, RecordedApproval } from '../../guard/types.ts';
import { approvalProblem, type PendingState } from './approval-validator.ts';
import { decideApprovalUpdate, pendingApprovalsQuery } from './definitions.ts';

/**
 * The run's calls waiting for people: their state, the `pendingApprovals` query and the
 * `decideApproval` Update, whose validator refuses a bad approval before it enters history.
 */
export interface ApprovalStore {
  /** How many calls wait for a decision now. */
  openCount(): number;
  /** The waiting calls as approvers see them (no submissions, no decision). */
  view(): PendingApproval[];
  /**
   * Makes `state` the pending call of its call id until people decide it or `timeoutMs` passes;
   * `changed` runs when it starts and stops waiting. True when people decided it in time.
   */
  wait(state: PendingState, timeoutMs: number, changed: () => void): Promise<boolean>;
  /**
   * `listener` runs when an accepted approval leaves its call waiting (one of a quorum): the
   * call's view changed (its approvals so far) while the set of waiting calls did not.
   */
  onApprovalRecorded(listener: () => void): void;
}

/**
 * The approvals of one run. Create it before the first await, so that an Update arriving early
 * finds its handler. `identity` is the run's requester, for calls that recorded none of their own.
 */
export function createApprovalStore(identity: { agent: OsoValue; onBehalfOf: OsoValue }): ApprovalStore {
  const pending = new Map<string, PendingState>();
  /** Nonces of every approval accepted in this run: a signed decision is used once. */
  const usedNonces = new Set<string>();
  let approvalRecorded: (() => void) | undefined;
  const open = () => [...pending.values()].filter((p) => p.decision === undefined);
  const view = (): PendingApproval[] =>
    open().map(({ submissions: _s, decision: _d, ...shown }) => structuredClone(shown));

  setHandler(pendingApprovalsQuery, view);
  setHandler(
    decideApprovalUpdate,
    (submission) => {
      const call = pending.get(submission.callId);
      if (!call) throw ApplicationFailure.nonRetryable(`no call ${submission.callId} is pending`);
      call.submissions.push(submission);
      if (typeof submission.nonce === 'string') usedNonces.add(submission.nonce);
      call.approvals.push(recorded(submission));
      const approvals = call.submissions.filter((s) => s.decision === 'approve').length;
      if (submission.decision === 'reject') call.decision = 'rejected';
      else if (approvals >= call.quorum) call.decision = 'approved';
      if (call.decision === undefined) approvalRecorded?.();
      return {
        callId: call.callId,
        state: call.decision ?? 'waiting',
        approvals,
        quorum: call.quorum,
      };
    },
    {
      validator: (submission) => {
        const call = pending.get(submission?.callId);
        // The requester is whoever made that call, which after a handoff is not the run's first agent.
        const { workflowId, runId } = workflowInfo();
        const problem = approvalProblem(call, submission, call?.requester ?? identity, Date.now(), {
          workflowId,
          runId,
          usedNonces,
        });
        if (problem !== undefined) throw new Error(problem);
      },
    },
  );

  return {
    openCount: () => open().length,
    view,
    async wait(state, timeoutMs, changed) {
      pending.set(state.callId, state);
      changed();
      const decided = await condition(() => state.decision !== undefined, timeoutMs);
      if (!decided) state.decision = 'rejected';
      pending.delete(state.callId);
      changed();
      return decided;
    },
    onApprovalRecorded(listener) {
      approvalRecorded = listener;
    },
  };
}

function recorded(s: ApprovalSubmission): RecordedApproval {
  const r: RecordedApproval = {
    approver: s.approver,
    authentication: s.authentication,
    decision: s.decision,
    at: new Date().toISOString(),
    expiresAt: s.expiresAt,
  };
  if (s.reason !== undefined) r.reason = s.reason;
  return r;
}
