import type { Client } from '@temporalio/client';
import { createAgentActivities } from '../../../../activities/agent/authorize-handoff.ts';
import { createToolActivities } from '../../../../activities/guard/index.ts';
import {
  type ActivityDependencies,
  createActivities,
  createActivityDependencies,
} from '../../../../activities/index.ts';
import { createModelActivities } from '../../../../activities/model/invoke-model.ts';
import { type AgentRunHandle, startAgentRun } from '../../../../agents/start-run.ts';
import type { Authorizer } from '../../../../authz/types.ts';
import { createModelFactory } from '../../../../models/model-factory.ts';
import { type RunningWorker, startWorker } from '../../../../workers/start-worker.ts';
import { testConfig, testServer, useWorkers, type WorkerFixture } from '../../../support/temporal.ts';

export const TEST_SECRET = 'agent-test-approval-secret-0123456789abcdef';

export interface AgentWorkers {
  deps: ActivityDependencies;
  close(): Promise<void>;
}

export interface AgentWorkerOptions {
  config?: Record<string, string | undefined>;
  /** Replaces the PDP for handoff decisions only (the guard keeps the real one). */
  handoffAuthorizer?: Pick<Authorizer, 'authorize'>;
}

/** The workers a deployment runs, on test queues: workflows + guard + models, and the external zone. */
export async function startAgentWorkers(
  taskQueue: string,
  options: AgentWorkerOptions = {},
): Promise<AgentWorkers> {
  const config = testConfig({
    WARDEN_APPROVAL_SECRET: TEST_SECRET,
    WARDEN_MODE: 'development',
    ...options.config,
  });
  const deps = await createActivityDependencies(config);
  const { address, namespace } = testServer();
  const activities = {
    ...createActivities(deps),
    ...createModelActivities(createModelFactory(config)),
    ...createAgentActivities(options.handoffAuthorizer ?? deps.authorizer),
  };
  const workers: RunningWorker[] = [
    await startWorker({ config, address, namespace, taskQueue, activities }),
    await startWorker({
      config,
      address,
      namespace,
      taskQueue: `${taskQueue}-tools-external`,
      activities: createToolActivities(deps, 'external'),
      workflows: false,
    }),
  ];
  return {
    deps,
    async close() {
      await Promise.all(workers.map((w) => w.shutdown()));
      await deps.close();
    },
  };
}

export type AgentFixture = WorkerFixture<AgentWorkers>;

/** A client and agent workers on a task queue of their own, for the tests of the calling `describe`. */
export function useAgentWorkers(prefix: string, options: AgentWorkerOptions = {}): AgentFixture {
  return useWorkers(prefix, (taskQueue) => startAgentWorkers(taskQueue, options));
}

export function startScenario(
  client: Client,
  taskQueue: string,
  scenario: string,
  input: string,
  extra: { limits?: { maxTurns?: number; maxTokens?: number; turnsPerRun?: number } } = {},
): Promise<AgentRunHandle> {
  return startAgentRun(client, {
    agent: 'support-copilot',
    onBehalfOf: 'alice',
    input,
    scenario,
    taskQueue,
    ...extra,
  });
}
