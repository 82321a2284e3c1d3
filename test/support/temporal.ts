import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { wardenDataConverter } from '../../src/temporal/data-converter.ts';
import { type RunningWorker, startWorker } from '../../src/workers/start-worker.ts';
import { EXAMPLE_POLICY_DIR } from './example.ts';
import { TEST_KEY_CONFIG } from './keys.ts';

/** The shared test server started by test/global-setup.ts. */
export function testServer() {
  return { address: inject('temporalAddress'), namespace: inject('temporalNamespace') };
}

let dataDir: string | undefined;

/** A data directory of this test file's own (usage store, zone keys), so files never share counts. */
export function testDataDir(): string {
  dataDir ??= mkdtempSync(path.join(tmpdir(), 'warden-test-data-'));
  return dataDir;
}

export function testConfig(overrides: Record<string, string | undefined> = {}) {
  const { address, namespace } = testServer();
  return loadConfig(
    {
      ...process.env,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      WARDEN_DATA_DIR: testDataDir(),
      ...TEST_KEY_CONFIG,
      ...overrides,
    },
    { policyDir: EXAMPLE_POLICY_DIR },
  );
}

/** A client with Warden's data converter and the keys of `testConfig()`, as the workers use them. */
export async function testClient(): Promise<Client> {
  const { address, namespace } = testServer();
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, dataConverter: await wardenDataConverter(testConfig()) });
}

/** A client without Warden's data converter: it sees what the server stores. */
export async function rawClient(): Promise<Client> {
  const { address, namespace } = testServer();
  return new Client({ connection: await Connection.connect({ address }), namespace });
}

/** A task queue no other test uses, so workers of parallel test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Warden's own smoke workflow, which needs no project. */
export const SMOKE_WORKFLOWS = path.resolve(import.meta.dirname, '../../src/workflows/smoke.ts');

export async function testWorker(
  taskQueue: string,
  activities: object,
  workflowsPath = SMOKE_WORKFLOWS,
): Promise<RunningWorker> {
  const { address, namespace } = testServer();
  return startWorker({ config: testConfig(), address, namespace, taskQueue, activities, workflowsPath });
}

/** A client and workers on a task queue of their own, available inside the tests of one `describe`. */
export interface WorkerFixture<W> {
  taskQueue: string;
  readonly client: Client;
  readonly workers: W;
}

/**
 * Registers, in the calling `describe`, a client and workers (started by `start` on a fresh task
 * queue) before its tests, and closes both after them.
 */
export function useWorkers<W extends { close(): Promise<void> }>(
  prefix: string,
  start: (taskQueue: string) => Promise<W>,
): WorkerFixture<W> {
  const taskQueue = uniqueTaskQueue(prefix);
  let client: Client | undefined;
  let workers: W | undefined;
  beforeAll(async () => {
    client = await testClient();
    workers = await start(taskQueue);
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${prefix} fixture is used before its beforeAll ran`);
    return value;
  };
  return {
    taskQueue,
    get client() {
      return started(client);
    },
    get workers() {
      return started(workers);
    },
  };
}
