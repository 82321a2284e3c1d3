import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { isPortFree } from './ports.ts';
import { searchAttributeFlags } from './search-attributes.ts';

export interface DevServerOptions {
  binary: string;
  port: number;
  uiPort: number;
  /** SQLite file; runs survive restarts of the server. Omit for an in-memory store. */
  dbFile?: string;
  namespace: string;
  /** Disable the Web UI (tests). */
  headless?: boolean;
  /**
   * The codec server Temporal Web sends payloads to for display (`--ui-codec-endpoint`): decoded for
   * a caller the codec server lets read the run, ciphertext for anyone else.
   */
  uiCodecEndpoint?: string;
  startTimeoutMs?: number;
  /**
   * SQLite pragmas (`name=value`) for the file store; default {@link FILE_STORE_PRAGMAS}. Not used
   * for the in-memory store.
   */
  sqlitePragmas?: string[];
  /** The port of the server's Prometheus `/metrics` endpoint; default a random free one. */
  metricsPort?: number;
  /** Further dynamic config values (`key=value`), e.g. to measure the server's settings. */
  dynamicConfig?: string[];
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

/**
 * The file store's journal: SQLite's default rollback journal syncs the file on every commit, and the
 * dev server commits several times per workflow task. In WAL mode with `synchronous=normal`, a commit
 * appends to the log and syncs only at checkpoints: the store stays consistent after a crash, and a
 * power loss can lose the last commits (a development store, not a production one).
 */
export const FILE_STORE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export class DevServerError extends Error {
  override name = 'DevServerError';
}

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const last = stderr().trim().split('\n').pop() ?? '';
      throw new DevServerError(`temporal server start-dev exited with code ${child.exitCode}: ${last}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new DevServerError(
    `temporal server start-dev did not answer on ${address} within ${timeoutMs / 1000}s`,
  );
}

/** Starts `temporal server start-dev` with Warden's search attributes registered and waits until it serves. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const portsToCheck = options.headless ? [options.port] : [options.port, options.uiPort];
  for (const port of portsToCheck) {
    if (!(await isPortFree(port))) {
      const hint =
        port === options.port
          ? `set TEMPORAL_ADDRESS=localhost:${port} to use the server already there, or WARDEN_TEMPORAL_PORT to pick another port`
          : 'set WARDEN_TEMPORAL_UI_PORT to pick another port';
      throw new DevServerError(`port ${port} is already in use: ${hint}`);
    }
  }
  const args = [
    'server',
    'start-dev',
    '--port',
    String(options.port),
    '--ip',
    '127.0.0.1',
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
    // Lets a worker take the activities its own workflow schedules on its queue without a round
    // trip through matching: about half the latency of each guard step.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // The history service hands new tasks (the workflow task after each activity) to matching at
    // most 20 polls a second by default: past the burst, each dispatch waits ~50 ms. Measured by
    // bench/floor.ts: a sequential activity 53 → 9 ms per call.
    '--dynamic-config-value',
    'history.transferProcessorMaxPollRPS=1000',
    // The CLI turns this on so that search attributes added while it runs show at once; it makes
    // every read of a search attribute (each upsert, visibility task, list and count) read the
    // cluster metadata from SQLite: ~15 reads per approved call. Warden's attributes are registered
    // when the server starts (the flags below), before anything reads them.
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=false',
    ...searchAttributeFlags(),
    ...(options.dynamicConfig ?? []).flatMap((value) => ['--dynamic-config-value', value]),
  ];
  if (options.metricsPort !== undefined) args.push('--metrics-port', String(options.metricsPort));
  if (options.headless) args.push('--headless');
  else {
    args.push('--ui-port', String(options.uiPort));
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  }
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const pragma of options.sqlitePragmas ?? FILE_STORE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_192);
  });
  const address = `127.0.0.1:${options.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(address, child, options.startTimeoutMs ?? 60_000, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    uiUrl: options.headless ? undefined : `http://localhost:${options.uiPort}`,
    stop,
  };
}
