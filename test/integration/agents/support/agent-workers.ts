import type { Client } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';
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
import { testClient, testConfig, testServer, uniqueTaskQueue } from '../../../support/temporal.ts';

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

export interface AgentFixture {
  /** This test file's own task queue. */
  readonly taskQueue: string;
  /** Available inside tests (set by `beforeAll`). */
  readonly client: Client;
  readonly workers: AgentWorkers;
}

/**
 * Registers, in the calling `describe`, a client and agent workers on a task queue of its own,
 * started before its tests and closed after them.
 */
export function useAgentWorkers(prefix: string, options: AgentWorkerOptions = {}): AgentFixture {
  const taskQueue = uniqueTaskQueue(prefix);
  let client: Client | undefined;
  let workers: AgentWorkers | undefined;
  beforeAll(async () => {
    client = await testClient();
    workers = await startAgentWorkers(taskQueue, options);
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });
  return {
    taskQueue,
    get client() {
      if (!client) throw new Error('the agent fixture is used before its beforeAll ran');
      return client;
    },
    get workers() {
      if (!workers) throw new Error('the agent fixture is used before its beforeAll ran');
      return workers;
    },
  };
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
