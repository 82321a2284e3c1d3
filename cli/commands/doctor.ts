import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { connectClient, createClient } from '../../temporal/connection.ts';
import { summarizeHistory } from '../../temporal/history-summary.ts';
import { startWardenWorkers } from '../../workers/warden-workers.ts';
import { confirmSmokeUpdate } from '../../workflows/smoke.ts';
import { openSession } from '../session.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('run one small workflow end to end (activity, Update, history) to check the installation')
    .action(async () => {
      const { config, endpoint } = await openSession();
      const workers = await startWardenWorkers(config, endpoint);
      const connection = await connectClient(config, endpoint.address);
      try {
        const client = createClient(connection, endpoint.namespace);
        const handle = await client.workflow.start('smokeWorkflow', {
          taskQueue: workers.taskQueue,
          workflowId: `warden-doctor-${randomUUID()}`,
          args: ['warden'],
        });
        await handle.executeUpdate(confirmSmokeUpdate, { args: ['warden doctor'] });
        console.log(`result: ${await handle.result()}`);
        console.log(`history of ${handle.workflowId}:`);
        for (const { type, count } of summarizeHistory(await handle.fetchHistory())) {
          console.log(`  ${String(count).padStart(3)} × ${type}`);
        }
        console.log(
          `Temporal: ${endpoint.address} (${endpoint.source})${endpoint.uiUrl ? `, Web UI ${endpoint.uiUrl}` : ''}`,
        );
      } finally {
        await connection.close();
        await workers.shutdown();
        await endpoint.stop();
      }
    });
}
