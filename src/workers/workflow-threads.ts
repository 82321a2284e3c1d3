/**
 * How many threads a workflow worker runs its workflow code on. The SDK keeps one V8 context per
 * thread and gives each run to one of them; its default with a reused context is one thread. Every
 * call the SDK makes into a context (several per workflow task: activate, unblock conditions,
 * conclude, sink calls) carries the deadlock timeout, and Node enforces that timeout with a watchdog
 * thread it creates and joins for that one call: about 85 µs of CPU a call, and more waiting on a
 * busy machine, while that workflow thread can serve no other run. With two threads one run's task
 * no longer holds up the next run's: with 20 approvers, 1,000 runs paused and the machine loaded,
 * approvals per second doubled (bench/scale-of-waiting.ts). Each thread costs a context, the shared
 * modules and its own heap (about 90 MiB of worker RSS).
 */
export const DEFAULT_WORKFLOW_THREADS = 1;

const MAX_WORKFLOW_THREADS = 16;

export class WorkflowThreadsSettingError extends Error {
  override name = 'WorkflowThreadsSettingError';
}

/** Why a value is not a thread count, or undefined when it is one. */
export function workflowThreadsProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number of threads';
  if (value < 1 || value > MAX_WORKFLOW_THREADS) return `must be between 1 and ${MAX_WORKFLOW_THREADS}`;
  return undefined;
}

/** The thread count an environment value (WARDEN_WORKFLOW_THREADS) names, unset, or why not. */
export function parseWorkflowThreads(
  text: string | undefined,
): { value: number | undefined } | { problem: string } {
  if (text === undefined || text.trim() === '') return { value: undefined };
  const trimmed = text.trim();
  if (!/^\d{1,2}$/.test(trimmed)) return { problem: 'must be a whole number of threads (digits only)' };
  const value = Number(trimmed);
  const problem = workflowThreadsProblem(value);
  return problem === undefined ? { value } : { problem };
}

/** The environment wins over the project's setting, which wins over Warden's default. */
export function resolveWorkflowThreads(
  fromEnv: number | undefined,
  project: { workflowThreads?: number } = {},
): number {
  if (fromEnv !== undefined) return fromEnv;
  if (project.workflowThreads !== undefined) {
    const problem = workflowThreadsProblem(project.workflowThreads);
    if (problem !== undefined) throw new WorkflowThreadsSettingError(`worker.workflowThreads ${problem}`);
    return project.workflowThreads;
  }
  return DEFAULT_WORKFLOW_THREADS;
}
