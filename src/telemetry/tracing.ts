import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { GuardObserver } from '../activities/guard/observer.ts';
import { packageVersion } from '../config/version.ts';
import { AsyncLocalContextManager } from './async-context.ts';

/**
 * The project's tracing: where traces go (this section's `endpoint` or OTEL_EXPORTER_OTLP_ENDPOINT,
 * per process) and whether runs are traced from inside the workflow (`workflows`, deployment-wide).
 */
export interface TracingConfig {
  /** OTLP/HTTP base URL, e.g. `http://localhost:4318` (spans go to `<endpoint>/v1/traces`). */
  endpoint?: string;
  serviceName?: string;
  headers?: Record<string, string>;
  /**
   * `true`: the workflow bundle carries Temporal's OpenTelemetry workflow interceptors, so a traced
   * run has a RunWorkflow span with its activities, timers, signals and updates beneath it, and each
   * activity's span joins the run's trace. Default `false`: no workflow interceptors, and a run
   * evaluates no OpenTelemetry module (2 to 4 ms of CPU per run and per replay of an evicted run,
   * measured, and its spans' cost on every activation); an endpoint still traces activities and
   * model calls, each as a trace of its own.
   *
   * This is workflow code, not a process setting: the interceptors add promise hops around activity
   * results, updates, signals and timers, so every worker of the deployment bundles the same way
   * whatever its environment (an endpoint only decides where spans go). Changing it for runs in
   * flight is a workflow code change (a run recorded with the interceptors that took an approval
   * Update does not replay without them): drain the task queue first, or deploy it as a new version.
   * `warden replay` bundles each history the way its deployment did (it sees it in the history).
   */
  workflows?: boolean;
}

/** Whether the project's workflow code carries the workflow tracing interceptors (its `tracing.workflows`). */
export function tracesWorkflows(config: TracingConfig | undefined): boolean {
  const choice: unknown = config?.workflows;
  if (choice !== undefined && typeof choice !== 'boolean')
    throw new TypeError(`tracing.workflows must be true or false, not ${JSON.stringify(choice)}`);
  return choice === true;
}

/**
 * The one line a worker prints when it exports spans but its project's workflow code has no
 * tracing interceptors: whoever set the endpoint expects run spans they will not get.
 */
export function untracedWorkflowsNotice(
  tracing: Tracing | undefined,
  config: TracingConfig | undefined,
): string | undefined {
  if (tracing === undefined || tracesWorkflows(config)) return undefined;
  return (
    'tracing: activity and model-call spans are exported, runs have no workflow spans ' +
    '(set tracing: { workflows: true } in warden.config.ts; it is workflow code, the same for every worker)'
  );
}

/** The process's tracing: the worker options that trace runs and activities, and the guard's span attributes. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Sets the guard's decision on the span of the activity that took it. */
  readonly observer: GuardObserver;
  workerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * The decision attributes of a guarded call: what was decided, under which policy, by whom. Never
 * an argument value or an output.
 */
const decisionObserver: GuardObserver = {
  observe(o) {
    const span = trace.getActiveSpan();
    if (span === undefined) return;
    span.setAttributes({
      'warden.guard.step': o.step,
      'warden.guard.outcome': o.outcome,
      ...(o.tool ? { 'warden.tool': o.tool } : {}),
      ...(o.callId ? { 'warden.call_id': o.callId } : {}),
      ...(o.agent ? { 'warden.agent': o.agent.id } : {}),
      ...(o.onBehalfOf ? { 'warden.user': o.onBehalfOf.id } : {}),
      ...(o.allowed !== undefined ? { 'warden.decision.allowed': o.allowed } : {}),
      ...(o.policyVersion ? { 'warden.policy.version': o.policyVersion } : {}),
      ...(o.code ? { 'warden.decision.refusal': o.code } : {}),
      ...(o.approvers.length > 0 ? { 'warden.approvers': o.approvers } : {}),
      ...(o.recordsRead !== undefined ? { 'warden.records_read': o.recordsRead } : {}),
      'warden.tainted': o.tainted,
    });
  },
};

/** The endpoint tracing is configured with, if any: the project's, else OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracingEndpoint(config: TracingConfig | undefined, env: NodeJS.ProcessEnv = process.env) {
  return config?.endpoint ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined);
}

/**
 * Tracing of model calls and guarded tool calls (activity spans) and, when the project's workflow
 * code carries the tracing interceptors, of runs (workflow spans), exported by OTLP/HTTP. Undefined
 * when no endpoint is configured: then nothing is traced or exported.
 */
export function startTracing(
  config: TracingConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
  processor?: SpanProcessor,
): Tracing | undefined {
  const endpoint = tracingEndpoint(config, env);
  if (endpoint === undefined && processor === undefined) return undefined;
  const resource = new Resource({
    [ATTR_SERVICE_NAME]: config?.serviceName ?? env.OTEL_SERVICE_NAME ?? 'warden',
    [ATTR_SERVICE_VERSION]: packageVersion(),
  });
  const spans =
    processor ??
    new BatchSpanProcessor(
      new OTLPTraceExporter({
        url: `${String(endpoint).replace(/\/+$/, '')}/v1/traces`,
        ...(config?.headers ? { headers: config.headers } : {}),
      }),
    );
  // Activity spans find their workflow's span in the W3C trace context the workflow interceptors
  // put in each activity's headers, and are active while the activity runs: both are global
  // settings of the OpenTelemetry API, made only when tracing is on.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalContextManager());
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spans);
  const tracer = provider.getTracer('warden');
  return {
    tracer,
    observer: decisionObserver,
    workerOptions: () => ({
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: makeWorkflowExporter(spans, resource) },
    }),
    shutdown: async () => {
      await provider.shutdown();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * A bundle of a project that traces workflows holds the workflow tracing interceptors whether this
 * process exports spans or not; a worker without tracing gives them a sink that drops their spans.
 */
const droppedWorkflowSpans: InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> = {
  exporter: { export: { fn: () => {}, callDuringReplay: false } },
};

export function workerTracingOptions(
  tracing: Tracing | undefined,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return tracing ? tracing.workerOptions() : { sinks: droppedWorkflowSpans };
}
