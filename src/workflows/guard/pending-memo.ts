import type { PendingApproval } from '../../guard/types.ts';

/**
 * The memo field a run lists its calls waiting for people in, so that approval services read them
 * from visibility or a describe instead of querying the run (a query is a workflow task: an evicted
 * run is replayed from history just to be looked at). Sandbox-safe: the run writes it, hosts read it.
 */
export const PENDING_MEMO_FIELD = 'wardenPending';

/** The most calls the memo lists; a run with more waiting leaves the others to its query. */
export const MAX_MEMO_CALLS = 8;
/**
 * The most bytes of JSON the listed calls take. Each memo upsert is a history event and a
 * visibility write and the server refuses an oversized memo (failing the workflow task), so the
 * memo stays far below Temporal's limits: a call's arguments alone may be 32 KiB. A refund call's
 * view, its signed answer included, is about 5 KB: six such calls fit.
 */
export const MAX_MEMO_BYTES = 32 * 1024;

/**
 * What the memo field holds: the pending calls' views exactly as the `pendingApprovals` query
 * returns them (the zone-signed answer untouched), and whether those are all of them. When they
 * are not (more calls than the cap, or larger), `complete` is false and readers ask the run's
 * query instead. Readers trust none of it: each call is verified by its signature, bound to the run
 * the server named (approvals/queried-decision.ts).
 */
export interface PendingMemo {
  calls: PendingApproval[];
  complete: boolean;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * The memo of these pending views: all of them when they fit the caps, otherwise none (a partial
 * list would make readers believe the missing calls are not waiting). Never throws: a view that
 * cannot be measured is treated as one that does not fit.
 */
export function pendingMemo(views: readonly PendingApproval[]): PendingMemo {
  if (views.length > MAX_MEMO_CALLS) return { calls: [], complete: false };
  try {
    if (utf8Length(JSON.stringify(views)) > MAX_MEMO_BYTES) return { calls: [], complete: false };
  } catch {
    return { calls: [], complete: false };
  }
  return { calls: views.map((view) => structuredClone(view)), complete: true };
}

/**
 * What changes a pending call's view after it paused: a new stage, an approval of a quorum. Two
 * lists of views with the same key publish the same memo.
 */
export function pendingMemoKey(views: readonly PendingApproval[]): string {
  return views.map((v) => `${v.callId}\u0000${v.stage}\u0000${v.approvals.length}`).join('\u0001');
}

/**
 * The pending calls a memo field lists, as a reader takes them: undefined when the field is absent
 * (a run that does not publish its calls, recorded before the memo held them) or not complete, so
 * the caller falls back to the run's query. Entries without the shape a page reads (a call id, a
 * tool, a requester, the approvals so far) are dropped; everything else is checked by the caller as
 * it checks a query's answer.
 */
export function memoPendingCalls(value: unknown): PendingApproval[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { calls, complete } = value as Partial<Record<keyof PendingMemo, unknown>>;
  if (complete !== true || !Array.isArray(calls)) return undefined;
  return calls.filter(
    (call): call is PendingApproval =>
      typeof call === 'object' &&
      call !== null &&
      typeof (call as PendingApproval).callId === 'string' &&
      typeof (call as PendingApproval).tool === 'string' &&
      typeof (call as PendingApproval).requester === 'object' &&
      (call as PendingApproval).requester !== null &&
      Array.isArray((call as PendingApproval).approvals),
  );
}
