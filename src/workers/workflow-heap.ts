import { setFlagsFromString } from 'node:v8';

/**
 * How the V8 heap of the workflow thread is sized. The SDK runs every workflow run of a worker in
 * one V8 context on a worker thread of its own, and each run evaluates its workflow modules afresh:
 * a run that starts, pauses, is evicted or replays leaves its modules' objects behind as garbage.
 * V8 sizes a heap from the machine's memory (about 4 GiB here) and, with that much room, grows it
 * to up to four times what is live before a full collection, and keeps 64 MiB semi-spaces: with
 * 200 tool-plan runs paused and 100 cached, the workflow thread held about 180 MiB live in a heap
 * of 440 MiB, the rest garbage and young-generation space (bench/scale-of-waiting.ts).
 *
 * `bounded` (the default) lets the heap grow to 1.5 times what is live (`--heap-growing-percent=50`)
 * and keeps 16 MiB semi-spaces (`--max-semi-space-size=16`): neither is a limit, so a worker whose
 * cached runs need more memory still gets it, and no run fails for want of heap. `node` leaves V8's
 * own sizing. Either way, a flag the process was started with (in its arguments or NODE_OPTIONS)
 * is left as given.
 */
export type WorkflowHeapSetting = 'bounded' | 'node';

export const DEFAULT_WORKFLOW_HEAP: WorkflowHeapSetting = 'bounded';

const BOUNDED_FLAGS: Record<string, string> = {
  'max-semi-space-size': '16',
  'heap-growing-percent': '50',
};

export class WorkflowHeapSettingError extends Error {
  override name = 'WorkflowHeapSettingError';
}

/** Why a value is not a heap setting, or undefined when it is one. */
export function workflowHeapProblem(value: unknown): string | undefined {
  return value === 'bounded' || value === 'node' ? undefined : 'must be "bounded" or "node"';
}

/** The V8 flag names a process was started with: `--max_semi_space_size=8` names max-semi-space-size. */
function givenFlags(args: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const arg of args) {
    const match = /^--(?:no-)?([a-z0-9_-]+)/i.exec(arg);
    if (match?.[1]) names.add(match[1].toLowerCase().replaceAll('_', '-'));
  }
  return names;
}

/**
 * The V8 flags a setting adds, given the arguments the process was started with (its `execArgv`
 * and the words of NODE_OPTIONS): none for `node`, and none that the process already names.
 */
export function workflowHeapFlags(setting: WorkflowHeapSetting, processArgs: readonly string[]): string[] {
  if (setting === 'node') return [];
  const given = givenFlags(processArgs);
  return Object.entries(BOUNDED_FLAGS)
    .filter(([name]) => !given.has(name))
    .map(([name, value]) => `--${name}=${value}`);
}

/** The arguments this process was started with: its Node flags and those NODE_OPTIONS gives. */
export function processNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)];
}

const applied = new Set<string>();

/**
 * Sets the flags before the SDK creates the workflow thread, whose heap V8 configures when the
 * thread starts (the semi-space size); the growing factor V8 reads at each full collection, so it
 * holds for the process's other heaps too, where it costs no more than a few more collections.
 */
export function applyWorkflowHeap(setting: WorkflowHeapSetting): string[] {
  const flags = workflowHeapFlags(setting, processNodeArgs()).filter((flag) => !applied.has(flag));
  for (const flag of flags) {
    setFlagsFromString(flag);
    applied.add(flag);
  }
  return [...applied];
}

/** The environment (WARDEN_WORKFLOW_HEAP) wins over the project's setting, which wins over the default. */
export function resolveWorkflowHeap(
  fromEnv: WorkflowHeapSetting | undefined,
  project: { workflowHeap?: WorkflowHeapSetting } = {},
): WorkflowHeapSetting {
  if (fromEnv !== undefined) return fromEnv;
  if (project.workflowHeap !== undefined) {
    const problem = workflowHeapProblem(project.workflowHeap);
    if (problem !== undefined) throw new WorkflowHeapSettingError(`worker.workflowHeap ${problem}`);
    return project.workflowHeap;
  }
  return DEFAULT_WORKFLOW_HEAP;
}
