import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wardenDataConverter } from '../../../src/temporal/data-converter.ts';
import { testConfig, testServer, uniqueTaskQueue } from '../../support/temporal.ts';
import { type GuardWorkers, startGuardWorkers, startPlan } from '../guard/harness.ts';
import { useTestServerEnv, warden } from './cli-harness.ts';

/** Another deployment's payload key: this test's exporter does not hold it. */
const FOREIGN_KEYS = `foreign:${Buffer.alloc(32, 7).toString('base64')}`;

describe('warden export next to a run it cannot decrypt', () => {
  const taskQueue = uniqueTaskQueue('ops-export-foreign');
  let workers: GuardWorkers;
  let client: Client;
  let foreignRun: string;

  beforeAll(async () => {
    useTestServerEnv();
    workers = await startGuardWorkers(taskQueue, { env: { WARDEN_PAYLOAD_KEYS: FOREIGN_KEYS } });
    const { address, namespace } = testServer();
    client = new Client({
      connection: await Connection.connect({ address }),
      namespace,
      dataConverter: await wardenDataConverter(testConfig({ WARDEN_PAYLOAD_KEYS: FOREIGN_KEYS })),
    });
    const handle = await startPlan(client, taskQueue, {
      calls: [{ tool: 'ticket.get', arguments: { ticketId: 't-501' } }],
    });
    await handle.result();
    foreignRun = handle.workflowId;
  });
  afterAll(async () => {
    await workers?.close();
    await client?.connection.close();
  });

  it('exports the runs it can read and names, with the reason, the one it cannot', async () => {
    const result = await warden('export', '--since', '1h');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(foreignRun);
    expect(result.stderr).toMatch(
      new RegExp(
        `skipped ${foreignRun}: no configured payload key decrypts it \\(unknown payload key "foreign"\\)`,
      ),
    );
  });
});
