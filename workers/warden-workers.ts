import { createToolActivities } from '../activities/guard/index.ts';
import { createActivities, createActivityDependencies } from '../activities/index.ts';
import type { Authorizer } from '../authz/types.ts';
import type { WardenConfig } from '../config/env.ts';
import type { TemporalEndpoint } from '../temporal/launcher.ts';
import { toolZones, zoneTaskQueue } from '../tools/define-tool.ts';
import { type RunningWorker, startWorker } from './start-worker.ts';

export interface WardenWorkers {
  taskQueue: string;
  /** The PDP the workers decide with; `warden dev` reloads its policy when the files change. */
  authorizer: Authorizer;
  shutdown(): Promise<void>;
}

/** Starts the workers a Warden deployment runs: workflows and general activities on the main queue. */
export async function startWardenWorkers(
  config: WardenConfig,
  endpoint: TemporalEndpoint,
): Promise<WardenWorkers> {
  const dependencies = await createActivityDependencies(config);
  const workers: RunningWorker[] = [
    await startWorker({
      config,
      address: endpoint.address,
      namespace: endpoint.namespace,
      taskQueue: config.WARDEN_TASK_QUEUE,
      activities: createActivities(dependencies),
    }),
  ];
  // One tool-only worker per trust zone. In this process they share the services; a deployment
  // that separates credentials runs each zone's worker in its own process with its own services.
  for (const zone of toolZones(dependencies.tools)) {
    workers.push(
      await startWorker({
        config,
        address: endpoint.address,
        namespace: endpoint.namespace,
        taskQueue: zoneTaskQueue(config.WARDEN_TASK_QUEUE, zone),
        activities: createToolActivities(dependencies, zone),
        workflows: false,
      }),
    );
  }
  return {
    taskQueue: config.WARDEN_TASK_QUEUE,
    authorizer: dependencies.authorizer,
    async shutdown() {
      await Promise.all(workers.map((worker) => worker.shutdown()));
      await dependencies.close();
    },
  };
}
