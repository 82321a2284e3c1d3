import { createToolActivities } from '../activities/guard/index.ts';
import {
  type ActivityDependencies,
  createActivities,
  createActivityDependencies,
} from '../activities/index.ts';
import type { Authorizer } from '../authz/types.ts';
import type { WardenConfig } from '../config/env.ts';
import type { ModelFactory } from '../models/model-factory.ts';
import type { WardenProject } from '../project/load-project.ts';
import { startTracing, tracesWorkflows, untracedWorkflowsNotice } from '../telemetry/tracing.ts';
import { DEFAULT_ZONE, toolZones, zoneTaskQueue } from '../tools/define-tool.ts';
import type { ToolServices } from '../tools/tool-services.ts';
import { type RunningWorker, startWorker } from './start-worker.ts';
import { resolveMaxCachedWorkflows } from './workflow-cache.ts';
import { resolveWorkflowHeap } from './workflow-heap.ts';
import { resolveWorkflowThreads } from './workflow-threads.ts';

export interface WardenWorkersOptions {
  config: WardenConfig;
  /** Where Temporal is: `resolveTemporal(config)` finds or starts it. */
  endpoint: { address: string; namespace: string };
  project: WardenProject;
  /**
   * Which workers to run. Default: the main queue (workflows, guard, model and default-zone tool
   * activities) and one tool worker per trust zone of the project's tools.
   */
  only?: { main?: boolean; workflows?: boolean; zones?: string[] };
  /**
   * Which model answers agent turns. Default: the one WARDEN_MODEL names (scenario files or OpenAI);
   * tests and evaluations pass their own, e.g. a model that obeys instructions in tool outputs.
   */
  models?: ModelFactory;
  /** Where the workers' start-up notices go (one line each). Default: standard error. */
  log?: (line: string) => void;
}

export interface WardenWorkers {
  taskQueue: string;
  /** The PDP the workers decide with; `warden dev` reloads its policy when the files change. */
  authorizer: Authorizer;
  /** What the workers serve, in words: `warden (workflows, guard)`, `warden-tools-external`. */
  queues: string[];
  shutdown(): Promise<void>;
}

/**
 * Starts the workers of a Warden deployment for a project. Each trust zone's tool worker gets the
 * services the project's factory creates for that zone; a deployment that separates credentials
 * runs each zone in its own process (`warden worker --zone <zone>`) with its own services.
 */
export async function startWardenWorkers(options: WardenWorkersOptions): Promise<WardenWorkers> {
  const { config, endpoint, project } = options;
  const main = options.only?.main ?? true;
  const serveWorkflows = options.only?.workflows ?? true;
  const zones = options.only?.zones ?? toolZones(project.tools);
  const unknown = zones.filter((zone) => !toolZones(project.tools).includes(zone));
  if (unknown.length > 0)
    throw new Error(
      `no tool of the project runs in zone ${unknown.join(', ')}; zones: ${toolZones(project.tools).join(', ') || 'none'}`,
    );
  // The project's choice, never this process's: checked before anything starts.
  const traceWorkflows = tracesWorkflows(project.tracing);
  const tracing = startTracing(project.tracing);
  const notice = main && serveWorkflows ? untracedWorkflowsNotice(tracing, project.tracing) : undefined;
  if (notice !== undefined) (options.log ?? console.warn)(notice);
  const base = await createActivityDependencies(config, {
    tools: project.tools,
    agents: project.agents,
    ...(project.alerts ? { alerts: project.alerts } : {}),
    ...(tracing ? { tracing } : {}),
    // Without the main worker no default-zone tool runs here, so its services are never created.
    services: main ? await project.services({ zone: DEFAULT_ZONE, config }) : ({} as ToolServices),
    scenarioDir: project.scenarioDir,
    ...(project.judge ? { judge: project.judge } : {}),
    ...(options.models ? { models: options.models } : {}),
  });
  const workers: RunningWorker[] = [];
  const queues: string[] = [];
  const common = {
    config,
    address: endpoint.address,
    namespace: endpoint.namespace,
    ...(tracing ? { tracing } : {}),
  };
  try {
    if (main) {
      workers.push(
        await startWorker({
          ...common,
          taskQueue: config.WARDEN_TASK_QUEUE,
          activities: createActivities(base),
          ...(serveWorkflows
            ? {
                workflowsPath: project.workflowsPath,
                traceWorkflows,
                maxCachedWorkflows: resolveMaxCachedWorkflows(
                  config.WARDEN_MAX_CACHED_WORKFLOWS,
                  project.worker,
                ),
                workflowHeap: resolveWorkflowHeap(config.WARDEN_WORKFLOW_HEAP, project.worker),
                workflowThreads: resolveWorkflowThreads(config.WARDEN_WORKFLOW_THREADS, project.worker),
              }
            : {}),
        }),
      );
      queues.push(
        `${config.WARDEN_TASK_QUEUE} (${serveWorkflows ? 'workflows, ' : ''}guard, models, default-zone tools)`,
      );
    }
    for (const zone of zones) {
      const deps: ActivityDependencies = { ...base, services: await project.services({ zone, config }) };
      const taskQueue = zoneTaskQueue(config.WARDEN_TASK_QUEUE, zone);
      workers.push(await startWorker({ ...common, taskQueue, activities: createToolActivities(deps, zone) }));
      queues.push(`${taskQueue} (tools of zone ${zone})`);
    }
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.shutdown()));
    await base.close();
    await tracing?.shutdown();
    throw error;
  }
  return {
    taskQueue: config.WARDEN_TASK_QUEUE,
    authorizer: base.authorizer,
    queues,
    async shutdown() {
      await Promise.all(workers.map((worker) => worker.shutdown()));
      await base.close();
      await tracing?.shutdown();
    },
  };
}
