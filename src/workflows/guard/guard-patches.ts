import { patched } from '@temporalio/workflow';

/**
 * Every guard patch up to and including the compact guarded-call result, as one. Each `patched()`
 * a run takes costs it two history events (a marker and Temporal's own `TemporalChangeVersion`
 * upsert, a visibility write on the server); a run started with this patch records this one marker
 * and takes every patch it stands for without recording theirs.
 */
export const GUARD_PATCHES = 'warden-guard-patches-2026-12';

/** Whether the run takes a guard patch: all of them from GUARD_PATCHES on, else each as recorded. */
export interface GuardPatches {
  has(patchId: string): boolean;
}

/**
 * The run's patches. Call it in the run's first activation (where the guard is created): a run
 * whose history began without the GUARD_PATCHES marker keeps deciding each patch on its own marker,
 * so histories recorded before it replay unchanged.
 */
export function guardPatches(): GuardPatches {
  const current = patched(GUARD_PATCHES);
  return { has: (patchId) => current || patched(patchId) };
}
