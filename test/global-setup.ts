import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config/env.ts';
import { resolveTemporal } from '../src/temporal/launcher.ts';
import { freePort } from '../src/temporal/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

/**
 * Starts one real Temporal dev server (in memory, random port) for the whole test run.
 * Integration tests connect to it; nothing in the suite mocks Temporal.
 */
export default async function setup(project: TestProject) {
  const config = loadConfig({ ...process.env, TEMPORAL_ADDRESS: undefined });
  const started = Date.now();
  const endpoint = await resolveTemporal(config, {
    log: (line) => console.log(`[temporal] ${line}`),
    ephemeral: { port: await freePort() },
  });
  console.log(
    `[temporal] real Temporal server (${endpoint.source}) at ${endpoint.address}, ready in ${Date.now() - started} ms`,
  );
  project.provide('temporalAddress', endpoint.address);
  project.provide('temporalNamespace', endpoint.namespace);
  return async () => {
    await endpoint.stop();
  };
}
