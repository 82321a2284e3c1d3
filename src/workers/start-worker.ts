import { Worker } from '@temporalio/worker';
import type { WardenConfig } from '../config/env.ts';
import { type Tracing, workerTracingOptions } from '../telemetry/tracing.ts';
import { connectWorker } from '../temporal/connection.ts';
import { workerDataConverter } from '../temporal/data-converter.ts';
import { installWorkerLogging } from './runtime-logging.ts';
import { workflowBundle } from './workflow-bundle.ts';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from './workflow-cache.ts';
import { applyWorkflowHeap, DEFAULT_WORKFLOW_HEAP, type WorkflowHeapSetting } from './workflow-heap.ts';
import { DEFAULT_WORKFLOW_THREADS } from './workflow-threads.ts';

export interface WorkerOptions {
  config: WardenConfig;
  address: string;
  namespace: string;
  taskQueue: string;
  /** Activity implementations this worker hosts (and the credentials they close over). */
  activities: object;
  /** The workflows module to serve; tool-only workers of a trust zone serve activities alone. */
  workflowsPath?: string;
  /** Traces activities (and runs, in a bundle with the interceptors) to an endpoint; else spans are dropped. */
  tracing?: Tracing;
  /**
   * The project's `tracing.workflows`: the workflow bundle carries the tracing interceptors. Workflow
   * code: every worker of a deployment is given the same. Default false.
   */
  traceWorkflows?: boolean;
  /** Sticky cache size of a workflow worker; default {@link DEFAULT_MAX_CACHED_WORKFLOWS}. */
  maxCachedWorkflows?: number;
  /** How the workflow thread's heap is sized; default {@link DEFAULT_WORKFLOW_HEAP}. */
  workflowHeap?: WorkflowHeapSetting;
  /** Threads the workflow code runs on; default {@link DEFAULT_WORKFLOW_THREADS}. */
  workflowThreads?: number;
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves when the worker has stopped; rejects if it crashed. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** Creates and runs a Warden worker; `shutdown()` drains in-flight tasks and closes the connection. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  installWorkerLogging();
  const dataConverter = await workerDataConverter(options.config);
  const connection = await connectWorker(options.config, options.address);
  // Before Worker.create: it starts the workflow thread, whose heap V8 configures as it starts.
  if (options.workflowsPath) applyWorkflowHeap(options.workflowHeap ?? DEFAULT_WORKFLOW_HEAP);
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter,
    ...workerTracingOptions(options.tracing),
    ...(options.workflowsPath
      ? {
          workflowBundle: await workflowBundle(options.workflowsPath, {
            traceWorkflows: options.traceWorkflows === true,
          }),
          maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
          workflowThreadPoolSize: options.workflowThreads ?? DEFAULT_WORKFLOW_THREADS,
        }
      : {}),
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
