import { defaultPayloadConverter } from '@temporalio/common';
import type proto from '@temporalio/proto';

type History = proto.temporal.api.history.v1.IHistory;
type Payload = proto.temporal.api.common.v1.IPayload;
type Failure = proto.temporal.api.failure.v1.IFailure;
type Timestamp = proto.google.protobuf.ITimestamp;

export type RunStatus =
  | 'running'
  | 'completed'
  | 'failed'
  | 'terminated'
  | 'canceled'
  | 'timed_out'
  | 'continued';

export interface ActivityStep {
  kind: 'activity';
  /** The execution it ran in, when it is not the run's own (steps of earlier executions of a chain). */
  runId?: string;
  eventId: number;
  activityType: string;
  activityId: string;
  scheduledAt: string;
  closedAt?: string;
  outcome: 'pending' | 'completed' | 'failed' | 'timed_out' | 'canceled';
  input: unknown[];
  result?: unknown;
  failure?: string;
  /** The application failure the activity failed with: its type, own message and details. */
  applicationFailure?: { type: string; message: string; details: unknown[] };
}

export interface UpdateStep {
  kind: 'update';
  eventId: number;
  name: string;
  updateId: string;
  /** The client identity string Temporal recorded; informational only (self-asserted by the sender). */
  clientIdentity: string;
  acceptedAt: string;
  completedAt?: string;
  args: unknown[];
  result?: unknown;
  failure?: string;
}

export interface SignalStep {
  kind: 'signal';
  eventId: number;
  name: string;
  at: string;
  args: unknown[];
}

export type RunStep = ActivityStep | UpdateStep | SignalStep;

/** A workflow history decoded into plain JSON, in event order: what the audit trail is built from. */
export interface RunHistory {
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  startedAt: string;
  closedAt?: string;
  status: RunStatus;
  input: unknown[];
  result?: unknown;
  failure?: string;
  searchAttributes: Record<string, unknown>;
  memo: Record<string, unknown>;
  steps: RunStep[];
  eventCount: number;
  /** The execution this one continued (continue-as-new), if any. */
  continuedFromRunId?: string;
}

function decode(payload: Payload | null | undefined): unknown {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return '<undecodable payload>';
  }
}

function decodeAll(payloads: { payloads?: Payload[] | null } | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map(decode);
}

function decodeFields(fields: Record<string, Payload> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(fields ?? {})) out[key] = decode(payload);
  return out;
}

export function isoTime(ts: Timestamp | null | undefined): string {
  if (!ts) return new Date(0).toISOString();
  const ms = Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

/** The innermost message of a failure chain, with the outer one when it adds information. */
export function failureMessage(failure: Failure | null | undefined): string {
  if (!failure) return 'failed';
  let innermost: Failure = failure;
  while (innermost.cause) innermost = innermost.cause;
  const outer = failure.message ?? '';
  const inner = innermost.message ?? '';
  return outer && inner && outer !== inner ? `${outer}: ${inner}` : inner || outer || 'failed';
}

function applicationFailureOf(failure: Failure | null | undefined): Pick<ActivityStep, 'applicationFailure'> {
  const info = failure?.applicationFailureInfo;
  if (!failure || !info) return {};
  const details = decodeAll(info.details);
  return { applicationFailure: { type: info.type ?? '', message: failure.message ?? '', details } };
}

/** Decodes a fetched (or exported) history. Works for running and closed runs, without a worker. */
export function decodeRunHistory(history: History, workflowId = ''): RunHistory {
  const events = history.events ?? [];
  const run: RunHistory = {
    workflowId,
    runId: '',
    workflowType: '',
    taskQueue: '',
    startedAt: new Date(0).toISOString(),
    status: 'running',
    input: [],
    searchAttributes: {},
    memo: {},
    steps: [],
    eventCount: events.length,
  };
  const activities = new Map<number, ActivityStep>();
  const updates = new Map<string, UpdateStep>();

  for (const event of events) {
    const eventId = Number(event.eventId ?? 0);
    const at = isoTime(event.eventTime);
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      run.runId = started.originalExecutionRunId ?? '';
      run.workflowType = started.workflowType?.name ?? '';
      run.taskQueue = started.taskQueue?.name ?? '';
      run.startedAt = at;
      run.input = decodeAll(started.input);
      run.searchAttributes = decodeFields(started.searchAttributes?.indexedFields);
      run.memo = decodeFields(started.memo?.fields);
      if (started.continuedExecutionRunId) run.continuedFromRunId = started.continuedExecutionRunId;
      continue;
    }
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    if (upsert) {
      Object.assign(run.searchAttributes, decodeFields(upsert.searchAttributes?.indexedFields));
      continue;
    }
    const modified = event.workflowPropertiesModifiedEventAttributes;
    if (modified) {
      Object.assign(run.memo, decodeFields(modified.upsertedMemo?.fields));
      continue;
    }
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const step: ActivityStep = {
        kind: 'activity',
        eventId,
        activityType: scheduled.activityType?.name ?? '',
        activityId: scheduled.activityId ?? '',
        scheduledAt: at,
        outcome: 'pending',
        input: decodeAll(scheduled.input),
      };
      activities.set(eventId, step);
      run.steps.push(step);
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const step = activities.get(Number(completed.scheduledEventId ?? 0));
      if (step)
        Object.assign(step, { outcome: 'completed', closedAt: at, result: decodeAll(completed.result)[0] });
      continue;
    }
    const failed = event.activityTaskFailedEventAttributes;
    if (failed) {
      const step = activities.get(Number(failed.scheduledEventId ?? 0));
      if (step)
        Object.assign(step, {
          outcome: 'failed',
          closedAt: at,
          failure: failureMessage(failed.failure),
          ...applicationFailureOf(failed.failure),
        });
      continue;
    }
    const timedOut = event.activityTaskTimedOutEventAttributes;
    if (timedOut) {
      const step = activities.get(Number(timedOut.scheduledEventId ?? 0));
      if (step)
        Object.assign(step, {
          outcome: 'timed_out',
          closedAt: at,
          failure: failureMessage(timedOut.failure),
        });
      continue;
    }
    const canceled = event.activityTaskCanceledEventAttributes;
    if (canceled) {
      const step = activities.get(Number(canceled.scheduledEventId ?? 0));
      if (step) Object.assign(step, { outcome: 'canceled', closedAt: at });
      continue;
    }
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const request = accepted.acceptedRequest;
      const step: UpdateStep = {
        kind: 'update',
        eventId,
        name: request?.input?.name ?? '',
        updateId: request?.meta?.updateId ?? accepted.protocolInstanceId ?? '',
        clientIdentity: request?.meta?.identity ?? '',
        acceptedAt: at,
        args: decodeAll(request?.input?.args),
      };
      updates.set(step.updateId, step);
      run.steps.push(step);
      continue;
    }
    const updateDone = event.workflowExecutionUpdateCompletedEventAttributes;
    if (updateDone) {
      const step = updates.get(updateDone.meta?.updateId ?? '');
      if (step) {
        step.completedAt = at;
        if (updateDone.outcome?.failure) step.failure = failureMessage(updateDone.outcome.failure);
        else step.result = decodeAll(updateDone.outcome?.success)[0];
      }
      continue;
    }
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (signaled) {
      run.steps.push({
        kind: 'signal',
        eventId,
        name: signaled.signalName ?? '',
        at,
        args: decodeAll(signaled.input),
      });
      continue;
    }
    if (event.workflowExecutionCompletedEventAttributes) {
      Object.assign(run, {
        status: 'completed',
        closedAt: at,
        result: decodeAll(event.workflowExecutionCompletedEventAttributes.result)[0],
      });
    } else if (event.workflowExecutionFailedEventAttributes) {
      Object.assign(run, {
        status: 'failed',
        closedAt: at,
        failure: failureMessage(event.workflowExecutionFailedEventAttributes.failure),
      });
    } else if (event.workflowExecutionTerminatedEventAttributes) {
      Object.assign(run, {
        status: 'terminated',
        closedAt: at,
        failure: event.workflowExecutionTerminatedEventAttributes.reason || 'terminated',
      });
    } else if (event.workflowExecutionCanceledEventAttributes) {
      Object.assign(run, { status: 'canceled', closedAt: at });
    } else if (event.workflowExecutionTimedOutEventAttributes) {
      Object.assign(run, { status: 'timed_out', closedAt: at });
    } else if (event.workflowExecutionContinuedAsNewEventAttributes) {
      Object.assign(run, { status: 'continued', closedAt: at });
    }
  }
  return run;
}
