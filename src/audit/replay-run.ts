import type { DataConverter } from '@temporalio/common';
import type proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { type RecordedWorkflowTracing, recordedWorkflowTracing } from '../telemetry/history-tracing.ts';
import { workerTracingOptions } from '../telemetry/tracing.ts';
import { workflowBundle } from '../workers/workflow-bundle.ts';

type History = proto.temporal.api.history.v1.IHistory;

export interface ReplayReport {
  ok: boolean;
  workflowId: string;
  events: number;
  durationMs: number;
  /** The nondeterminism (or other replay failure) message when `ok` is false. */
  error?: string;
  nondeterminism: boolean;
  /** Whether the replay's bundle carried the workflow tracing interceptors, and why. */
  workflowTracing: {
    traceWorkflows: boolean;
    from: RecordedWorkflowTracing['evidence'] | 'project' | 'asked';
  };
}

/** Which workflow code a replay bundles: the history's own unless asked otherwise. */
export interface ReplayWorkflowCode {
  /** The project's `tracing.workflows`: decides when the history does not show how it was bundled. */
  projectTracesWorkflows: boolean;
  /**
   * With (true) or without (false) the workflow tracing interceptors whatever the history shows:
   * whether turning workflow tracing on or off would break a run in flight.
   */
  traceWorkflows?: boolean;
}

function replayTracing(history: History, code: ReplayWorkflowCode): ReplayReport['workflowTracing'] {
  if (code.traceWorkflows !== undefined) return { traceWorkflows: code.traceWorkflows, from: 'asked' };
  const recorded = recordedWorkflowTracing(history);
  if (recorded) return { traceWorkflows: recorded.traceWorkflows, from: recorded.evidence };
  return { traceWorkflows: code.projectTracesWorkflows, from: 'project' };
}

/** The SDK wraps core's reason (`[TMPRL1100] Nondeterminism error: …`) in a long debug dump. */
function coreReason(message: string): string {
  const core = /\[TMPRL\d+\] ([^"]+)/.exec(message);
  return core?.[1] ?? message.split('\n')[0] ?? message;
}

/**
 * Replays a history against a workflows module, bundled as the project's workers bundle it but with
 * the workflow tracing interceptors exactly when the history's deployment had them (the history
 * shows it; the project's choice decides when it cannot). A divergence means the code changed in
 * a way that breaks runs already in flight. The data converter decrypts the history's payloads as
 * the project's workers would (plaintext passes).
 */
export async function replayHistory(
  history: History,
  workflowId: string,
  workflowsPath: string,
  dataConverter: DataConverter,
  code: ReplayWorkflowCode = { projectTracesWorkflows: false },
): Promise<ReplayReport> {
  const started = performance.now();
  const events = history.events?.length ?? 0;
  const workflowTracing = replayTracing(history, code);
  const done = { workflowId, events, workflowTracing };
  try {
    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(workflowsPath, workflowTracing),
        dataConverter,
        ...workerTracingOptions(undefined),
      },
      history,
      workflowId,
    );
    return { ok: true, ...done, durationMs: performance.now() - started, nondeterminism: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      ...done,
      durationMs: performance.now() - started,
      error: coreReason(message),
      nondeterminism: error instanceof DeterminismViolationError,
    };
  }
}
