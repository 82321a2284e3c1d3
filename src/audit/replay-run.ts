import type { DataConverter } from '@temporalio/common';
import type proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
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
}

/** The SDK wraps core's reason (`[TMPRL1100] Nondeterminism error: …`) in a long debug dump. */
function coreReason(message: string): string {
  const core = /\[TMPRL\d+\] ([^"]+)/.exec(message);
  return core?.[1] ?? message.split('\n')[0] ?? message;
}

/**
 * Replays a history against a workflows module (the same bundle the project's workers run).
 * A divergence means the code changed in a way that breaks runs already in flight. The data
 * converter decrypts the history's payloads as the project's workers would (plaintext passes).
 */
export async function replayHistory(
  history: History,
  workflowId: string,
  workflowsPath: string,
  dataConverter: DataConverter,
): Promise<ReplayReport> {
  const started = performance.now();
  const events = history.events?.length ?? 0;
  try {
    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(workflowsPath),
        dataConverter,
        ...workerTracingOptions(undefined),
      },
      history,
      workflowId,
    );
    return { ok: true, workflowId, events, durationMs: performance.now() - started, nondeterminism: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      workflowId,
      events,
      durationMs: performance.now() - started,
      error: coreReason(message),
      nondeterminism: error instanceof DeterminismViolationError,
    };
  }
}
