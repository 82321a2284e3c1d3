import { msToNumber } from '@temporalio/common';
import type { ActivityOptions } from '@temporalio/workflow';
import { GUARD_REFUSAL } from '../../guard/types.ts';
import {
  DEFAULT_TOOL_HEARTBEAT_TIMEOUT,
  TOOL_START_TO_CLOSE_MS,
  type ToolDefinition,
  zoneTaskQueue,
} from '../../tools/define-tool.ts';
import type { GuardPatches } from './guard-patches.ts';

/**
 * Runs recorded before this patch scheduled tool activities without a heartbeat timeout; later runs
 * give one, so that a call whose worker was killed is retried within seconds.
 */
export const TOOL_HEARTBEAT_TIMEOUT = 'warden-tool-heartbeat-timeout';

/**
 * The activity options of a tool's guarded call: its zone's queue, the start-to-close bound, retries
 * of lost attempts and, from the patch on, the tool's heartbeat timeout. Returns the options and a
 * key naming them, for callers that keep one activity proxy per distinct set.
 */
export function toolActivityOptions(
  mainTaskQueue: string,
  tool: ToolDefinition,
  patches: GuardPatches,
): { key: string; options: ActivityOptions } {
  const taskQueue = zoneTaskQueue(mainTaskQueue, tool.zone);
  const options: ActivityOptions = {
    taskQueue,
    startToCloseTimeout: TOOL_START_TO_CLOSE_MS,
    retry: { maximumAttempts: 3, initialInterval: '1 second', nonRetryableErrorTypes: [GUARD_REFUSAL] },
  };
  if (!patches.has(TOOL_HEARTBEAT_TIMEOUT)) return { key: taskQueue, options };
  const heartbeatTimeout = msToNumber(tool.heartbeatTimeout ?? DEFAULT_TOOL_HEARTBEAT_TIMEOUT);
  return { key: `${taskQueue}\u0000${heartbeatTimeout}`, options: { ...options, heartbeatTimeout } };
}
