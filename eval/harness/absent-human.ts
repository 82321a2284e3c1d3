import type { ToolDefinition } from 'warden/workflow';

/** How long a paused call waits for a person in the evaluation, where nobody ever answers. */
export const ABSENT_HUMAN_WINDOW_MS = 1_000;

/**
 * How long a paused call waits in the approval pass, where a scripted approver answers within a
 * second or two: long enough under load, short enough that a call nobody answers fails the pass in
 * a minute rather than holding it for the tool's hour.
 */
export const APPROVER_WINDOW_MS = 60_000;

/** Who answers a call that waits for a person: nobody (the scored pass) or the scripted approver. */
export type Human = 'absent' | 'approver';

/**
 * The tool as the evaluation runs it: unchanged but for its approval window, so a call the guard
 * escalates times out (rejected, not executed) after a second instead of waiting an hour for an
 * approver who is modelled as absent, or waits a minute for the scripted approver. The policy,
 * intent rules and quorum are the tool's own.
 */
export function withHuman<T extends ToolDefinition>(tool: T, human: Human): T {
  const timeout = human === 'absent' ? ABSENT_HUMAN_WINDOW_MS : APPROVER_WINDOW_MS;
  return { ...tool, approval: { quorum: tool.approval?.quorum ?? 1, timeout, onTimeout: 'reject' } };
}
