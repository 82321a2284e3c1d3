/**
 * `warden/testing`: run a project's agents against a real Temporal server in tests, offline, with
 * scripted models.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type WardenConfig } from './config/env.ts';
import type { WardenProject } from './project/load-project.ts';
import { wardenDataConverter } from './temporal/data-converter.ts';
import { resolveTemporal, type TemporalEndpoint } from './temporal/launcher.ts';
import { freePort } from './temporal/ports.ts';
import { startWardenWorkers, type WardenWorkers } from './workers/warden-workers.ts';

export { createModelFactory, type ModelFactory } from './models/model-factory.ts';
export { listScenarios, loadScenario } from './models/scripted/load-scenarios.ts';
export { parseScenario, type Scenario, ScenarioError, scenarioSchema } from './models/scripted/scenario.ts';
export { ScriptedModel } from './models/scripted/scripted-model.ts';

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

/**
 * A project's workers on a task queue of their own (so parallel tests never take each other's
 * tasks), with a client; `shutdown()` stops both. Start runs with `taskQueue: workers.taskQueue`.
 */
export async function startTestWorkers(
  project: WardenProject,
  endpoint: Pick<TemporalEndpoint, 'address' | 'namespace'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestWorkers> {
  const config = loadConfig(
    {
      ...env,
      TEMPORAL_ADDRESS: endpoint.address,
      TEMPORAL_NAMESPACE: endpoint.namespace,
      WARDEN_TASK_QUEUE: `test-${randomUUID().slice(0, 8)}`,
    },
    { policyDir: project.policyDir },
  );
  const dataConverter = await wardenDataConverter(config);
  const workers = await startWardenWorkers({ config, endpoint, project });
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
