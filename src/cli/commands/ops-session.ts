import type { Client } from '@temporalio/client';
import type { WardenConfig } from '../../config/env.ts';
import { connectClient, createClient, TemporalUnreachableError } from '../../temporal/connection.ts';
import { wardenDataConverter } from '../../temporal/data-converter.ts';
import { CliError } from '../errors.ts';
import { cliConfig } from '../project.ts';

export interface OpsSession {
  config: WardenConfig;
  client: Client;
  close(): Promise<void>;
}

/**
 * A client for the ops commands. They never start a server: they talk to TEMPORAL_ADDRESS, or to the
 * local server `warden dev` runs (WARDEN_TEMPORAL_PORT).
 */
export async function openOpsSession(env: NodeJS.ProcessEnv = process.env): Promise<OpsSession> {
  const config = await cliConfig(env);
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.WARDEN_TEMPORAL_PORT}`;
  const dataConverter = await wardenDataConverter(config);
  try {
    const connection = await connectClient(config, address);
    return {
      config,
      client: createClient(connection, config.TEMPORAL_NAMESPACE, dataConverter),
      close: () => connection.close(),
    };
  } catch (error) {
    if (error instanceof TemporalUnreachableError && config.TEMPORAL_ADDRESS === undefined) {
      throw new CliError(
        `no Temporal server at ${address}: start one with \`warden dev\`, or set TEMPORAL_ADDRESS`,
      );
    }
    throw error;
  }
}

/** Runs `body` with an ops session and always closes it. */
export async function withOpsSession<T>(body: (session: OpsSession) => Promise<T>): Promise<T> {
  const session = await openOpsSession();
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}

/** Writes to stdout and waits for the pipe to drain (large exports into a slow consumer). */
export function writeOut(text: string): Promise<void> | void {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress for long work goes to stderr, so stdout stays clean for pipes. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
