/**
 * `warden/testing`: run a project's agents against a real Temporal server in tests, offline, with
 * scripted models.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { loadConfig, type WardenConfig } from './config/env.ts';
import type { PendingApproval } from './guard/types.ts';
import type { ModelFactory } from './models/model-factory.ts';
import type { WardenProject } from './project/load-project.ts';
import { wardenDataConverter } from './temporal/data-converter.ts';
import { resolveTemporal, type TemporalEndpoint } from './temporal/launcher.ts';
import { freePort } from './temporal/ports.ts';
import { startWardenWorkers, type WardenWorkers } from './workers/warden-workers.ts';
import { pendingApprovalsQuery } from './workflows/guard/definitions.ts';

export { createModelFactory, type ModelFactory } from './models/model-factory.ts';
export type { ModelInvocation } from './models/model-invocation.ts';
export { listScenarios, loadScenario } from './models/scripted/load-scenarios.ts';
export { parseScenario, type Scenario, ScenarioError, scenarioSchema } from './models/scripted/scenario.ts';
export { ScriptedModel } from './models/scripted/scripted-model.ts';
export { modelToolName } from './models/tool-names.ts';

/**
 * A Temporal server for a test run: TEMPORAL_ADDRESS when set, otherwise a local dev server in
 * memory on a free port (the `temporal` CLI, built with Go when missing). `stop()` ends it.
 */
export async function startTestServer(
  options: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<TemporalEndpoint> {
  const config = loadConfig(options.env ?? process.env);
  return resolveTemporal(config, { log: options.log ?? (() => {}), ephemeral: { port: await freePort() } });
}

export interface TestWorkers extends WardenWorkers {
  client: Client;
  config: WardenConfig;
}

export interface TestWorkersOptions {
  /** Which model answers agent turns; default the one WARDEN_MODEL names (scenario files). */
  models?: ModelFactory;
}

/**
 * A project's workers on a task queue of their own (so parallel tests never take each other's
 * tasks), with a client; `shutdown()` stops both. Start runs with `taskQueue: workers.taskQueue`.
 */
export async function startTestWorkers(
  project: WardenProject,
  endpoint: Pick<TemporalEndpoint, 'address' | 'namespace'>,
  env: NodeJS.ProcessEnv = process.env,
  options: TestWorkersOptions = {},
): Promise<TestWorkers> {
  const config = loadConfig(
    {
      ...env,
      TEMPORAL_ADDRESS: endpoint.address,
      TEMPORAL_NAMESPACE: endpoint.namespace,
      WARDEN_TASK_QUEUE: `test-${randomUUID().slice(0, 8)}`,
      // Keys, secrets and usage counts of their own, so parallel test files never share state.
      WARDEN_DATA_DIR: env.WARDEN_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'warden-test-')),
    },
    { policyDir: project.policyDir },
  );
  const dataConverter = await wardenDataConverter(config);
  const workers = await startWardenWorkers({
    config,
    endpoint,
    project,
    ...(options.models ? { models: options.models } : {}),
  });
  const connection = await Connection.connect({ address: endpoint.address }).catch(async (error) => {
    await workers.shutdown();
    throw error;
  });
  return {
    ...workers,
    client: new Client({ connection, namespace: endpoint.namespace, dataConverter }),
    config,
    async shutdown() {
      await connection.close();
      await workers.shutdown();
    },
  };
}

/**
 * Polls a run until `count` calls wait for approval and returns them (the pause is durable state in
 * the run, so a poll of its query is the way to see it).
 */
export async function waitForPendingApprovals(
  handle: WorkflowHandle,
  count = 1,
  timeoutMs = 30_000,
): Promise<PendingApproval[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await handle.query(pendingApprovalsQuery);
    if (pending.length >= count) return pending;
    if (Date.now() > deadline)
      throw new Error(`expected ${count} pending approvals, found ${pending.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
