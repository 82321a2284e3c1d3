import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, type LogEntry, type LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

/** Expected by design: tool-only workers of a trust zone serve activities and no workflows. */
const EXPECTED_MESSAGES = ['No workflows registered, not polling for workflow tasks'];

/** Failure types that are decisions, not faults: a refused tool call is the guard working. */
const DECISION_FAILURES = new Set(['GuardRefusal', 'GuardInputError']);

/**
 * A guard refusal in one line (run, activity, reason) instead of the SDK's stack dump: it is
 * already recorded in the run's history, this line is for whoever watches the worker.
 */
export function describeDecision(entry: LogEntry): string | undefined {
  const error = entry.meta?.error;
  if (entry.message !== 'Activity failed' || !(error instanceof ApplicationFailure)) return undefined;
  if (!DECISION_FAILURES.has(error.type ?? '')) return undefined;
  return `${String(entry.meta?.activityType)} refused in ${String(entry.meta?.workflowId)}: ${error.message}`;
}

/** Quiets the SDK's per-worker INFO lines; call once, before the first worker is created. */
export function installWorkerLogging(level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const fallback = new DefaultLogger(level);
  const logger = new DefaultLogger(level, (entry: LogEntry) => {
    if (EXPECTED_MESSAGES.includes(entry.message)) return;
    const decision = describeDecision(entry);
    if (decision !== undefined) {
      fallback.warn(decision);
      return;
    }
    fallback.log(entry.level, entry.message, entry.meta);
  });
  Runtime.install({ logger });
}
