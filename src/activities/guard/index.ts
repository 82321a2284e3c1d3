import { authorizeToolCallActivity } from './authorize-call.ts';
import { checkToolIntentActivity } from './check-intent.ts';
import type { GuardDependencies } from './dependencies.ts';
import { executeGuardedToolActivity } from './execute-tool.ts';
import { prepareApprovalActivity } from './prepare-approval.ts';

/** The guard's decision activities; they run on the main task queue. */
export function createGuardActivities(deps: GuardDependencies) {
  return {
    authorizeToolCall: authorizeToolCallActivity(deps),
    checkToolIntent: checkToolIntentActivity(deps),
    prepareApproval: prepareApprovalActivity(deps),
  };
}

/** The tool activity of one trust zone; its worker should hold only that zone's services. */
export function createToolActivities(deps: GuardDependencies, zone: string) {
  return { executeGuardedTool: executeGuardedToolActivity(deps, zone) };
}

export type GuardActivities = ReturnType<typeof createGuardActivities> &
  ReturnType<typeof createToolActivities>;
export type { GuardDependencies } from './dependencies.ts';
