import { patched } from '@temporalio/workflow';
import { PREPARED_APPROVAL } from './approval-wait.ts';
import { ONE_SIGNATURE, SIGNED_DECISIONS } from './tool-worker-call.ts';

/**
 * Every guard patch up to and including the approval stage the tool worker prepares
 * (PREPARED_APPROVAL), as one. Each `patched()` a run takes costs it two history events (a marker
 * and Temporal's own `TemporalChangeVersion` upsert, a visibility write on the server); a run
 * started with this patch records this one marker and takes every patch it stands for without
 * recording theirs.
 */
export const GUARD_PATCHES = 'warden-guard-patches-2026-12d';

/**
 * Earlier markers that stood for every guard patch of their time, with the patches that came after
 * them: a run recorded under one takes those only on their own markers.
 */
const EARLIER_MARKERS: ReadonlyArray<{ id: string; after: readonly string[] }> = [
  { id: 'warden-guard-patches-2026-12c', after: [PREPARED_APPROVAL] },
  { id: 'warden-guard-patches-2026-12b', after: [ONE_SIGNATURE, PREPARED_APPROVAL] },
  { id: 'warden-guard-patches-2026-12', after: [SIGNED_DECISIONS, ONE_SIGNATURE, PREPARED_APPROVAL] },
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
