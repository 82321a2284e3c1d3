import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { smokeActivities } from '../../activities/smoke.ts';
import { connectClient, createClient } from '../../temporal/connection.ts';
import { wardenDataConverter } from '../../temporal/data-converter.ts';
import { summarizeHistory } from '../../temporal/history-summary.ts';
import { startWorker } from '../../workers/start-worker.ts';
import { confirmSmokeUpdate } from '../../workflows/smoke.ts';
import { openSession } from '../session.ts';

/** The smoke workflow's module: TypeScript in Warden's repository, JavaScript when installed. */
const SMOKE_WORKFLOWS_PATH = fileURLToPath(
  new URL(`../../workflows/smoke.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('run one small workflow end to end (activity, Update, history) to check the installation')
    .action(async () => {
      const { config, endpoint } = await openSession();
      // Warden's own smoke workflow on a queue of its own: the check needs no project.
      const taskQueue = `warden-doctor-${randomUUID().slice(0, 8)}`;
      const worker = await startWorker({
        config,
        address: endpoint.address,
        namespace: endpoint.namespace,
        taskQueue,
        activities: smokeActivities,
        workflowsPath: SMOKE_WORKFLOWS_PATH,
      });
      const connection = await connectClient(config, endpoint.address);
      try {
        const client = createClient(connection, endpoint.namespace, await wardenDataConverter(config));
        const handle = await client.workflow.start('smokeWorkflow', {
          taskQueue,
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
        await worker.shutdown();
        await endpoint.stop();
      }
    });
}
