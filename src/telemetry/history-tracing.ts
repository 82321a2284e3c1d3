import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation.js';
import type proto from '@temporalio/proto';
import { SdkFlags } from '@temporalio/workflow/lib/flags.js';

type History = proto.temporal.api.history.v1.IHistory;
type Header = proto.temporal.api.common.v1.IHeader | null | undefined;

/**
 * SDK flags only the OpenTelemetry workflow interceptors ask about: a worker records each in the
 * workflow task where its code first asked (the run's first task, for the inbound interceptor).
 */
const INTERCEPTOR_FLAGS = new Set(
  [
    SdkFlags.OpenTelemetryInterceptorsTracesInboundSignals,
    SdkFlags.OpenTelemetryInterceptorsTracesLocalActivities,
    SdkFlags.OpenTelemetryInterceporsAvoidsExtraYields,
    SdkFlags.OpenTelemetryInterceptorsInstrumentsAllMethods,
  ].map((flag) => flag.id),
);

/** How a history's workflow code was bundled, as far as the history shows it. */
export interface RecordedWorkflowTracing {
  /** The recording workers' bundle carried the workflow tracing interceptors. */
  traceWorkflows: boolean;
  /** What shows it: an interceptor's SDK flag or trace header, or no completed workflow task with either. */
  evidence: 'sdk-flag' | 'trace-header' | 'none-recorded';
}

/** The header the workflow interceptors put the run's trace context in. */
const carriesTrace = (header: Header) => header?.fields?.[TRACE_HEADER] !== undefined;

/**
 * Whether the workers that recorded a history ran workflow code with the tracing interceptors.
 * Their code records it twice: the interceptors' SDK flags in the first workflow task's completion,
 * and the trace context in the header of every activity, child workflow and external signal it
 * started. Undefined when no workflow task completed (nothing in the history shows either way).
 * Headers a client set (the workflow's start, signals, updates) are the client's, not the code's.
 */
export function recordedWorkflowTracing(history: History): RecordedWorkflowTracing | undefined {
  let completedTasks = 0;
  for (const event of history.events ?? []) {
    const completed = event.workflowTaskCompletedEventAttributes;
    if (completed) {
      completedTasks++;
      if (completed.sdkMetadata?.langUsedFlags?.some((id) => INTERCEPTOR_FLAGS.has(id)))
        return { traceWorkflows: true, evidence: 'sdk-flag' };
    }
    if (
      carriesTrace(event.activityTaskScheduledEventAttributes?.header) ||
      carriesTrace(event.startChildWorkflowExecutionInitiatedEventAttributes?.header) ||
      carriesTrace(event.signalExternalWorkflowExecutionInitiatedEventAttributes?.header)
    )
      return { traceWorkflows: true, evidence: 'trace-header' };
  }
  return completedTasks > 0 ? { traceWorkflows: false, evidence: 'none-recorded' } : undefined;
}
