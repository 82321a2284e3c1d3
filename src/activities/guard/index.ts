import { authorizeToolCallActivity } from './authorize-call.ts';
import { checkToolIntentActivity } from './check-intent.ts';
import type { GuardDependencies } from './dependencies.ts';
import { executeGuardedToolActivity } from './execute-tool.ts';
import { guardedToolCallActivity } from './guarded-call.ts';
import { heartbeating } from './heartbeat.ts';
import { prepareApprovalActivity } from './prepare-approval.ts';
import { signingFailures } from './signed-failures.ts';
import { zoneResultKeysActivity } from './zone-result-keys.ts';

/** The guard's activities of the main task queue (the ones before execution only advise). */
export function createGuardActivities(deps: GuardDependencies, zones: readonly string[]) {
  return {
    authorizeToolCall: authorizeToolCallActivity(deps),
    checkToolIntent: checkToolIntentActivity(deps),
    prepareApproval: prepareApprovalActivity(deps),
    zoneResultKeys: zoneResultKeysActivity(deps, zones),
  };
}

/** The tool activities of one trust zone; its worker should hold only that zone's services and key. */
export function createToolActivities(deps: GuardDependencies, zone: string) {
  // Read now, so a worker without its zone's key fails at start rather than at its first call.
  deps.zoneKeys.signer(zone);
  return {
    executeGuardedTool: heartbeating(signingFailures(deps, zone, executeGuardedToolActivity(deps, zone))),
    guardedToolCall: heartbeating(signingFailures(deps, zone, guardedToolCallActivity(deps, zone))),
  };
}

export type GuardActivities = ReturnType<typeof createGuardActivities> &
  ReturnType<typeof createToolActivities>;
export type { GuardDependencies } from './dependencies.ts';
