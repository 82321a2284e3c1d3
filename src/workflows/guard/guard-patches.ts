import { patched } from '@temporalio/workflow';
import { PREPARED_APPROVAL } from './approval-wait.ts';
import { PENDING_MEMO } from './run-publisher.ts';
import { ONE_SIGNATURE, SIGNED_DECISIONS, SIGNED_ROUNDS } from './tool-worker-call.ts';

/**
 * The agent loop's own patches (src/workflows/agent/run-agent.ts), asked through the run's guard: a
 * new run takes them behind the guard's one marker instead of recording a marker (and a
 * `TemporalChangeVersion` upsert) for each.
 */
export const AGENT_PATCHES = {
  /** Runs recorded before it continue as new on turn count only. */
  historyBudget: 'warden-history-budget',
  /** Runs recorded before it ran the calls of one model turn one at a time. */
  parallelToolCalls: 'warden-parallel-tool-calls',
  /** Runs recorded before it left a failed run's status as it was. */
  failedStatus: 'warden-failed-status',
} as const;
const AGENT_PATCH_IDS = Object.values(AGENT_PATCHES);

/**
 * Every guard patch (up to and including decision rounds bound into what the zone signs,
 * SIGNED_ROUNDS, the approval stage the tool worker prepares, PREPARED_APPROVAL, and the waiting
 * calls listed in the memo, PENDING_MEMO) and the agent loop's (AGENT_PATCHES), as one. Each
 * `patched()` a run takes costs it two history events (a marker and Temporal's own
 * `TemporalChangeVersion` upsert, a visibility write on the server); a run started with this patch
 * records this one marker and takes every patch it stands for without recording theirs.
 */
export const GUARD_PATCHES = 'warden-guard-patches-2026-12e';

/**
 * Earlier markers that stood for every guard patch of their time, with the patches that came after
 * them: a run recorded under one takes those only on their own markers.
 */
/** The patches that came after the 12d marker, which runs recorded under it take on their own. */
const AFTER_12D = [PENDING_MEMO];
/** The patches that came after the 12c marker, which runs recorded under it take on their own. */
const AFTER_12C = [SIGNED_ROUNDS, PREPARED_APPROVAL, ...AGENT_PATCH_IDS, ...AFTER_12D];

const EARLIER_MARKERS: ReadonlyArray<{ id: string; after: readonly string[] }> = [
  { id: 'warden-guard-patches-2026-12d', after: AFTER_12D },
  { id: 'warden-guard-patches-2026-12c', after: AFTER_12C },
  { id: 'warden-guard-patches-2026-12b', after: [ONE_SIGNATURE, ...AFTER_12C] },
  { id: 'warden-guard-patches-2026-12', after: [SIGNED_DECISIONS, ONE_SIGNATURE, ...AFTER_12C] },
];

/** Whether the run takes a guard patch: all of them from GUARD_PATCHES on, else each as recorded. */
export interface GuardPatches {
  has(patchId: string): boolean;
}

/**
 * The run's patches. Call it in the run's first activation (where the guard is created): a run
 * whose history began without the GUARD_PATCHES marker keeps deciding each patch on its own marker
 * (or on an earlier marker's), so histories recorded before it replay unchanged. A new run records
 * only GUARD_PATCHES: the earlier markers are asked about only when it is absent.
 */
export function guardPatches(): GuardPatches {
  if (patched(GUARD_PATCHES)) return { has: () => true };
  const earlier = EARLIER_MARKERS.find((marker) => patched(marker.id));
  return {
    has: (patchId) => (earlier !== undefined && !earlier.after.includes(patchId)) || patched(patchId),
  };
}
