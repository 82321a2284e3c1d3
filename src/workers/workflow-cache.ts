import type { WorkflowHeapSetting } from './workflow-heap.ts';

/**
 * How many workflow runs a worker keeps in its sticky cache. A cached run keeps its V8 state (the
 * modules its workflow code evaluated, its closures, its pending promises) so the next task needs no
 * replay; an evicted run costs nothing on the worker and is replayed from history when it next has
 * work, e.g. when its approval arrives. Runs that wait for people are most of the runs a Warden
 * worker holds, so the cache is bounded: the SDK's default sizes it from the heap limit (about 2,300
 * runs on a 4 GiB heap), which lets paused runs alone take gigabytes. A cached tool-plan run costs
 * about 0.46 MiB of worker RSS (zod and the verifier are shared by all runs, no tracing modules
 * unless the project traces workflows), an evicted one nothing that a full collection does not free,
 * and its approval then pays a replay (about 13 ms of worker CPU). 500 keeps 1,000
 * paused runs at about 0.9 GiB of worker RSS (bench/scale-of-waiting.ts); the workflow heap setting
 * (workflow-heap.ts) keeps the garbage evicted and replayed runs leave from growing the heap.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

export class WorkflowCacheSettingError extends Error {
  override name = 'WorkflowCacheSettingError';
}

/** The worker settings a project's `warden.config.ts` may give (`worker: { … }`). */
export interface WorkerSettings {
  /**
   * Runs kept in the sticky cache, each with its V8 state; 0 disables the cache (every task
   * replays). Default {@link DEFAULT_MAX_CACHED_WORKFLOWS}; WARDEN_MAX_CACHED_WORKFLOWS overrides.
   */
  maxCachedWorkflows?: number;
  /**
   * How the workflow thread's V8 heap is sized: `bounded` (default) or `node` (V8's own sizing);
   * WARDEN_WORKFLOW_HEAP overrides. See {@link WorkflowHeapSetting}.
   */
  workflowHeap?: WorkflowHeapSetting;
  /**
   * Threads the workflow code runs on, 1 to 16 (default: workflow-threads.ts);
   * WARDEN_WORKFLOW_THREADS overrides.
   */
  workflowThreads?: number;
}

/**
 * The cache size a setting names, or why not. The SDK accepts 0 (no cache) or at least 2 and would
 * quietly turn 1 into 2, so 1 is refused here instead.
 */
export function cacheSizeProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number of runs';
  if (value < 0 || value === 1) return 'must be 0 (no cache) or at least 2';
  if (value > 1_000_000) return 'must be at most 1000000';
  return undefined;
}

/**
 * The cache size an environment value (WARDEN_MAX_CACHED_WORKFLOWS) names: undefined when unset,
 * the number, or why it is not one (digits only: "1e3", "250 runs" and "-0" are refused).
 */
export function parseCacheSize(
  text: string | undefined,
): { value: number | undefined } | { problem: string } {
  if (text === undefined || text.trim() === '') return { value: undefined };
  const trimmed = text.trim();
  if (!/^\d{1,7}$/.test(trimmed)) return { problem: 'must be a whole number of runs (digits only)' };
  const value = Number(trimmed);
  const problem = cacheSizeProblem(value);
  return problem === undefined ? { value } : { problem };
}

/** The environment wins over the project's setting, which wins over Warden's default. */
export function resolveMaxCachedWorkflows(fromEnv: number | undefined, project: WorkerSettings = {}): number {
  if (fromEnv !== undefined) return fromEnv;
  if (project.maxCachedWorkflows !== undefined) {
    const problem = cacheSizeProblem(project.maxCachedWorkflows);
    if (problem !== undefined) throw new WorkflowCacheSettingError(`worker.maxCachedWorkflows ${problem}`);
    return project.maxCachedWorkflows;
  }
  return DEFAULT_MAX_CACHED_WORKFLOWS;
}
