import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WardenConfig } from '../config/env.ts';
import { ensureTemporalCli, findTemporalCli, hasGoToolchain, TemporalCliMissingError } from './cli-binary.ts';
import { connectClient } from './connection.ts';
import { startDevServer } from './dev-server.ts';
import { registerSearchAttributes } from './register-search-attributes.ts';

export type TemporalSource = 'cluster' | 'dev-server' | 'sdk-download';

export interface TemporalEndpoint {
  address: string;
  namespace: string;
  source: TemporalSource;
  /** Temporal Web, when Warden started the server. */
  uiUrl?: string;
  /** Stops the server if Warden started it; a no-op for an existing cluster. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  log: (line: string) => void;
  /**
   * Start a server with no persistence and no UI on the given port (tests); `metricsPort` fixes the
   * port of its Prometheus `/metrics` endpoint (benchmarks count the server's requests there).
   */
  ephemeral?: { port: number; metricsPort?: number };
  /** Temporal Web's codec endpoint, when Warden starts a dev server with its UI. */
  uiCodecEndpoint?: string;
}

/**
 * Finds the Temporal server Warden should use, in this order: TEMPORAL_ADDRESS (an existing cluster);
 * a local `temporal` binary, started as a dev server with a SQLite file under the data dir; a binary
 * built with Go; the SDK's own download (needs internet).
 */
export async function resolveTemporal(
  config: WardenConfig,
  options: LaunchOptions,
): Promise<TemporalEndpoint> {
  const namespace = config.TEMPORAL_NAMESPACE;
  if (config.TEMPORAL_ADDRESS) {
    const connection = await connectClient(config, config.TEMPORAL_ADDRESS);
    await registerSearchAttributes(connection, namespace, options.log);
    await connection.close();
    return { address: config.TEMPORAL_ADDRESS, namespace, source: 'cluster', stop: async () => {} };
  }

  let binary = findTemporalCli(config.TEMPORAL_CLI_PATH);
  if (!binary && hasGoToolchain()) binary = await ensureTemporalCli(options.log);
  if (binary) {
    const server = await startDevServer({
      binary,
      namespace,
      port: options.ephemeral?.port ?? config.WARDEN_TEMPORAL_PORT,
      uiPort: config.WARDEN_TEMPORAL_UI_PORT,
      headless: options.ephemeral !== undefined,
      ...(options.ephemeral?.metricsPort !== undefined ? { metricsPort: options.ephemeral.metricsPort } : {}),
      dbFile: options.ephemeral ? undefined : path.join(config.WARDEN_DATA_DIR, 'temporal.sqlite'),
      ...(options.uiCodecEndpoint ? { uiCodecEndpoint: options.uiCodecEndpoint } : {}),
    });
    return { ...server, namespace, source: 'dev-server' };
  }

  if (config.WARDEN_TEMPORAL_DOWNLOAD === '0') {
    throw new TemporalCliMissingError(
      'no Temporal server available: no temporal binary, no Go toolchain, and WARDEN_TEMPORAL_DOWNLOAD=0; install Go, set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS',
    );
  }
  options.log('no temporal binary and no Go toolchain: trying the Temporal SDK download (needs internet)');
  try {
    const env = await TestWorkflowEnvironment.createLocal({ server: { namespace } });
    return {
      address: env.address,
      namespace,
      source: 'sdk-download',
      stop: () => env.teardown(),
    };
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    // The SDK nests the same URL several times; its innermost cause is the useful part.
    const reason = detail.split(': ').slice(-2).join(': ');
    throw new TemporalCliMissingError(
      `no Temporal server available: no temporal binary, no Go toolchain, and the SDK download failed (${reason}); install Go, set TEMPORAL_CLI_PATH, or set TEMPORAL_ADDRESS`,
    );
  }
}
