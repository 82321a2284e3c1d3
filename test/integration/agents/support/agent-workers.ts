import type { Client } from '@temporalio/client';
import { createAgentActivities } from '../../../../src/activities/agent/authorize-handoff.ts';
import { createToolActivities } from '../../../../src/activities/guard/index.ts';
import {
  type ActivityDependencies,
  createActivities,
  createActivityDependencies,
  type ProjectDependencies,
} from '../../../../src/activities/index.ts';
import { createModelActivities } from '../../../../src/activities/model/invoke-model.ts';
import { type AgentRunHandle, startAgentRun } from '../../../../src/agents/start-run.ts';
import type { Authorizer } from '../../../../src/authz/types.ts';
import { createModelFactory } from '../../../../src/models/model-factory.ts';
import type { Tracing } from '../../../../src/telemetry/tracing.ts';
import { type RunningWorker, startWorker } from '../../../../src/workers/start-worker.ts';
import { EXAMPLE_WORKFLOWS, exampleDependencies } from '../../../support/example.ts';
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
  /** Added to the example's dependencies (e.g. alert rules). */
  project?: Partial<ProjectDependencies>;
  /** The workers trace activities (and runs, with `traceWorkflows`) to it. */
  tracing?: Tracing;
  /** The project's `tracing.workflows`: the workflow bundle carries the tracing interceptors. */
  traceWorkflows?: boolean;
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
  const project = await exampleDependencies();
  const deps = await createActivityDependencies(config, {
    ...project,
    ...options.project,
    ...(options.tracing ? { tracing: options.tracing } : {}),
  });
  const { address, namespace } = testServer();
  const activities = {
    ...createActivities(deps),
    ...createModelActivities(createModelFactory(config, { scenarioDir: project.scenarioDir })),
    ...createAgentActivities(options.handoffAuthorizer ?? deps.authorizer),
  };
  const workers: RunningWorker[] = [
    await startWorker({
      config,
      address,
      namespace,
      taskQueue,
      activities,
      workflowsPath: EXAMPLE_WORKFLOWS,
      ...(options.traceWorkflows ? { traceWorkflows: true } : {}),
      ...(options.tracing ? { tracing: options.tracing } : {}),
    }),
    await startWorker({
      config,
      address,
      namespace,
      taskQueue: `${taskQueue}-tools-external`,
      activities: createToolActivities(deps, 'external'),
      ...(options.tracing ? { tracing: options.tracing } : {}),
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
