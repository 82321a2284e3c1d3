import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { requestDelta, scrapeRequests } from '../../../bench/server-metrics.ts';
import { findTemporalCli } from '../../../src/temporal/cli-binary.ts';
import { type DevServer, startDevServer } from '../../../src/temporal/dev-server.ts';
import { freePort } from '../../../src/temporal/ports.ts';
import { WARDEN_STATUS } from '../../../src/temporal/search-attributes.ts';
import { eventually } from '../../support/waiting.ts';

const binary = findTemporalCli(process.env.TEMPORAL_CLI_PATH);

/** A dev server as Warden starts it, with its metrics on a known port. */
async function devServer(extra: { dbFile?: string; dynamicConfig?: string[] } = {}) {
  if (binary === undefined) throw new Error('no temporal binary (the test setup builds one)');
  const port = await freePort();
  const metricsPort = await freePort();
  const server = await startDevServer({
    binary,
    port,
    uiPort: port + 1000,
    metricsPort,
    namespace: 'default',
    headless: true,
    ...extra,
  });
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  return { server, client, metrics: `http://127.0.0.1:${metricsPort}/metrics` };
}

/**
 * Cluster-metadata reads from SQLite per run started with a Warden search attribute (the server
 * validates it, and its visibility task writes it, as for every upsert of a run).
 */
async function metadataReadsPerRun(started: Awaited<ReturnType<typeof devServer>>, runs: number) {
  const before = await scrapeRequests(started.metrics);
  for (let i = 0; i < runs; i++) {
    const handle = await started.client.workflow.start('noSuchWorkflow', {
      taskQueue: 'nobody',
      workflowId: `attributes-${i}`,
      typedSearchAttributes: [{ key: WARDEN_STATUS, value: 'running' }],
    });
    await handle.terminate('test done');
  }
  // The server reports its metrics every second or so, and writes visibility from a background
  // queue: scrape until every run's terminate and visibility write are counted.
  let delta: Array<[string, number]> = [];
  for (let i = 0; i < 100; i++) {
    delta = requestDelta(before, await scrapeRequests(started.metrics));
    const count = (key: string) => delta.find(([k]) => k === key)?.[1] ?? 0;
    if (count('frontend:TerminateWorkflowExecution') >= runs && count('persistence:GetVisibilityTasks') > 0) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return (delta.find(([key]) => key === 'persistence:GetCurrentClusterMetadata')?.[1] ?? 0) / runs;
}

describe('the dev server Warden starts', () => {
  const servers: DevServer[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    for (const client of clients) await client.connection.close();
    for (const server of servers) await server.stop();
  });

  it('reads its search attributes from cache, not from SQLite on every read (the CLI default does)', async () => {
    const warden = await devServer();
    const cliDefault = await devServer({
      dynamicConfig: ['system.forceSearchAttributesCacheRefreshOnRead=true'],
    });
    servers.push(warden.server, cliDefault.server);
    clients.push(warden.client, cliDefault.client);
    const withCache = await metadataReadsPerRun(warden, 10);
    const refreshOnRead = await metadataReadsPerRun(cliDefault, 10);
    console.log(
      `[dev server] cluster-metadata reads per run: ${withCache} (Warden's setting), ${refreshOnRead} (the CLI's default)`,
    );
    expect(withCache).toBeLessThan(0.25);
    expect(refreshOnRead).toBeGreaterThanOrEqual(1);
    // The attributes registered at start are usable at once: the runs are found by their value.
    // (Visibility is written by a background queue: it may take a moment.)
    const found = await eventually(async () => {
      const { count } = await warden.client.workflow.count('WardenStatus = "running"');
      return count === 10 ? count : undefined;
    });
    expect(found).toBe(10);
  });

  it('keeps a file store in WAL mode, which syncs at checkpoints rather than on every commit', async () => {
    const dbFile = path.join(mkdtempSync(path.join(tmpdir(), 'warden-devdb-')), 'temporal.sqlite');
    const started = await devServer({ dbFile });
    servers.push(started.server);
    clients.push(started.client);
    await started.client.workflow.start('noSuchWorkflow', { taskQueue: 'nobody', workflowId: 'stored' });
    const db = new DatabaseSync(dbFile, { readOnly: true });
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    } finally {
      db.close();
    }
    await started.client.workflow.getHandle('stored').terminate('test done');
  });
});
