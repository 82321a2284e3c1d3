import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { WardenConfig } from '../config/env.ts';

export class TemporalUnreachableError extends Error {
  override name = 'TemporalUnreachableError';
}

type SharedConnectionOptions = Pick<
  ConnectionOptions & NativeConnectionOptions,
  'address' | 'tls' | 'apiKey'
>;

/** Address, mTLS and API key as both the client and the worker connections take them. */
export function connectionOptions(config: WardenConfig, address: string): SharedConnectionOptions {
  const options: SharedConnectionOptions = { address };
  if (config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY) {
    options.tls = {
      clientCertPair: {
        crt: readFileSync(config.TEMPORAL_TLS_CERT),
        key: readFileSync(config.TEMPORAL_TLS_KEY),
      },
    };
  } else if (config.TEMPORAL_API_KEY) {
    options.tls = true;
  }
  if (config.TEMPORAL_API_KEY) options.apiKey = config.TEMPORAL_API_KEY;
  return options;
}

function unreachable(address: string, error: unknown): TemporalUnreachableError {
  const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
  return new TemporalUnreachableError(
    `cannot reach Temporal at ${address} (${reason}); check TEMPORAL_ADDRESS, or unset it to start a local server`,
  );
}

/** A client connection that has proven it can talk to the server. */
export async function connectClient(
  config: WardenConfig,
  address: string,
  timeoutMs = 5_000,
): Promise<Connection> {
  try {
    const connection = await Connection.connect({
      ...connectionOptions(config, address),
      connectTimeout: timeoutMs,
    });
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (error) {
    throw unreachable(address, error);
  }
}

export async function connectWorker(config: WardenConfig, address: string): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(config, address));
  } catch (error) {
    throw unreachable(address, error);
  }
}

/** A client with Warden's data converter (`wardenDataConverter(config)`): payloads are encrypted. */
export function createClient(
  connection: Connection,
  namespace: string,
  dataConverter: DataConverter,
): Client {
  return new Client({ connection, namespace, dataConverter });
}
