import type { ToolDefinition } from 'warden/workflow';

/** How long a paused call waits for a person in the evaluation, where nobody ever answers. */
export const ABSENT_HUMAN_WINDOW_MS = 1_000;

/**
 * The tool as the evaluation runs it: unchanged but for its approval window, so a call the guard
 * escalates times out (rejected, not executed) after a second instead of waiting an hour for an
 * approver who is modelled as absent. The policy, intent rules and quorum are the tool's own.
 */
export function withAbsentHuman<T extends ToolDefinition>(tool: T): T {
  return {
    ...tool,
    approval: { quorum: tool.approval?.quorum ?? 1, timeout: ABSENT_HUMAN_WINDOW_MS, onTimeout: 'reject' },
  };
}
