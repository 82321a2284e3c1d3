import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { loadConfig } from '../../config/env.ts';
import { type RunningWorker, startWorker } from '../../workers/start-worker.ts';

/** The shared test server started by test/global-setup.ts. */
export function testServer() {
  return { address: inject('temporalAddress'), namespace: inject('temporalNamespace') };
}

export function testConfig(overrides: Record<string, string | undefined> = {}) {
  const { address, namespace } = testServer();
  return loadConfig({
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    ...overrides,
  });
}

export async function testClient(): Promise<Client> {
  const { address, namespace } = testServer();
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/** A task queue no other test uses, so workers of parallel test files never steal each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function testWorker(taskQueue: string, activities: object): Promise<RunningWorker> {
  const { address, namespace } = testServer();
  return startWorker({ config: testConfig(), address, namespace, taskQueue, activities });
}
