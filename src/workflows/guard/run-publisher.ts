import { setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { runSummary } from '../../audit/run-summary.ts';
import type { OsoValue } from '../../authz/types.ts';
import { formatValue } from '../../authz/values.ts';
import type { DecisionRecord, ToolCallOutcome } from '../../guard/types.ts';
import {
  WARDEN_AGENT,
  WARDEN_DENIALS,
  WARDEN_PENDING_APPROVALS,
  WARDEN_STATUS,
  WARDEN_USER,
} from '../../temporal/search-attributes.ts';
import type { ApprovalStore } from './approval-store.ts';
import { changedAttributesPublisher } from './changed-search-attributes.ts';
import { decisionRecordsQuery } from './definitions.ts';
import type { GuardPatches } from './guard-patches.ts';
import { PENDING_MEMO_FIELD, pendingMemo, pendingMemoKey } from './pending-memo.ts';

/**
 * What the run shows of itself: the decision records (the `decisionRecords` query), the search
 * attributes a list of runs filters on, and the memo Temporal Web shows. Nothing here decides.
 */
export interface RunPublisher {
  /** Adds a call's record, in call order; the record is updated in place as the call proceeds. */
  add(record: DecisionRecord): void;
  /** A copy of every record of the run. */
  records(): DecisionRecord[];
  /** Ends a call: its outcome goes into its record, and the run's attributes are published. */
  finish(record: DecisionRecord, outcome: ToolCallOutcome): ToolCallOutcome;
  /** Publishes the attributes after a change the records do not show (a call paused or resumed). */
  publish(): void;
  /** WardenAgent names the agent of the latest call: it changes after a handoff. */
  publishAgent(agent: OsoValue): void;
  setStatus(status: string): void;
}

/**
 * The publisher of one run. It upserts the run's first attributes at once, so call it where the
 * guard is created (before the first await). `approvals` are the run's calls waiting for people.
 */
export function createRunPublisher(
  identity: { agent: OsoValue; onBehalfOf: OsoValue },
  approvals: Pick<ApprovalStore, 'openCount' | 'view' | 'onApprovalRecorded'>,
  patches: GuardPatches,
): RunPublisher {
  const openApprovals = approvals.openCount;
  // Decided once, in the run's first activation, so a run keeps one way of publishing throughout.
  const memoPending = patches.has(PENDING_MEMO);
  const records: DecisionRecord[] = [];
  const user = formatValue(identity.onBehalfOf);
  let denials = 0;
  let status = 'running';
  let publishedStatus: string | undefined;
  let publishedAgent = formatValue(identity.agent);
  const publishAttributes = changedAttributesPublisher(patches);

  function summary(shownStatus: string): string {
    // A model may name any string as a tool: only a validated call's tool (a registry name) is shown.
    const last = records.filter((r) => r.validation.ok).pop();
    return runSummary({
      agent: publishedAgent,
      user,
      status: shownStatus,
      toolCalls: records.length,
      executed: records.filter((r) => r.outcome === 'executed').length,
      denied: denials,
      pendingApprovals: openApprovals(),
      ...(last ? { lastTool: last.tool } : {}),
    });
  }

  function statusAttributes() {
    const pending = openApprovals();
    const shownStatus = pending > 0 ? 'awaiting_approval' : status;
    return {
      shownStatus,
      pairs: [
        { key: WARDEN_STATUS, value: shownStatus },
        { key: WARDEN_PENDING_APPROVALS, value: pending },
        { key: WARDEN_DENIALS, value: denials },
      ],
    };
  }

  let publishedPending: string | undefined;

  function publishMemo(shownStatus: string): void {
    // The memo is Temporal Web's one-line view of the run; it changes with the status only. From
    // PENDING_MEMO on it also lists the waiting calls, so it changes with them too, in the same
    // upsert as the status when both change (a call pauses or is decided with nothing else waiting).
    const views = memoPending ? approvals.view() : undefined;
    const pendingKey = views === undefined ? undefined : pendingMemoKey(views);
    if (shownStatus === publishedStatus && pendingKey === publishedPending) return;
    publishedStatus = shownStatus;
    publishedPending = pendingKey;
    upsertMemo({
      summary: summary(shownStatus),
      ...(views !== undefined ? { [PENDING_MEMO_FIELD]: pendingMemo(views) } : {}),
    });
  }

  function publish(): void {
    const { shownStatus, pairs } = statusAttributes();
    publishAttributes(pairs);
    publishMemo(shownStatus);
  }

  const identityPairs = [
    { key: WARDEN_AGENT, value: publishedAgent },
    { key: WARDEN_USER, value: user },
  ];
  if (patches.has(ONE_FIRST_UPSERT)) {
    // One upsert for every first value: each upsert is a history event and a visibility write.
    const { shownStatus, pairs } = statusAttributes();
    publishAttributes([...identityPairs, ...pairs]);
    publishMemo(shownStatus);
  } else {
    upsertSearchAttributes(identityPairs);
    publish();
  }

  setHandler(decisionRecordsQuery, () => structuredClone(records));
  // An approval of a quorum changes the call's view only: the memo, never the search attributes.
  if (memoPending) approvals.onApprovalRecorded(() => publishMemo(statusAttributes().shownStatus));

  return {
    add: (record) => {
      records.push(record);
    },
    records: () => structuredClone(records),
    finish(record, outcome) {
      record.outcome = outcome.status;
      record.reason = outcome.reason;
      record.completedAt = new Date().toISOString();
      if (outcome.status === 'denied' || outcome.status === 'invalid') denials += 1;
      publish();
      return outcome;
    },
    publish,
    publishAgent(agent) {
      const value = formatValue(agent);
      if (value === publishedAgent) return;
      publishedAgent = value;
      upsertSearchAttributes([{ key: WARDEN_AGENT, value }]);
    },
    setStatus(next) {
      status = next;
      publish();
    },
  };
}

/**
 * Runs recorded before this patch upserted the agent and user, then the status attributes, as two
 * upserts; later runs upsert them together.
 */
export const ONE_FIRST_UPSERT = 'warden-one-first-upsert';

/**
 * Runs recorded before this patch keep the memo to the one-line summary, upserted when the status
 * changes; later runs list their waiting calls in it too (pending-memo.ts), upserted when those
 * change, so approval services read them without a query.
 */
export const PENDING_MEMO = 'warden-pending-memo';
