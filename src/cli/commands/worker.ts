import type { Command } from 'commander';
import { startWardenWorkers } from '../../workers/warden-workers.ts';
import { requireProject } from '../project.ts';
import { openSession, untilInterrupted } from '../session.ts';

interface WorkerOptions {
  zone?: string[];
  workflows: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      "run the project's workers alone (production, or one process per trust zone with its own services)",
    )
    .option('--zone <zone...>', 'run only the tool workers of these trust zones')
    .option('--no-workflows', 'on the main queue, serve activities only (another process runs the workflows)')
    .action(async (options: WorkerOptions) => {
      const project = await requireProject();
      const { config, endpoint } = await openSession();
      try {
        const workers = await startWardenWorkers({
          config,
          endpoint,
          project,
          only: options.zone ? { main: false, zones: options.zone } : { workflows: options.workflows },
        });
        console.log(`Temporal: ${endpoint.address} (namespace ${endpoint.namespace}, ${endpoint.source})`);
        for (const queue of workers.queues) console.log(`Worker: ${queue}`);
        console.log(
          `Policy: ${config.WARDEN_POLICY_DIR} (${workers.authorizer.policyVersion()}). Ctrl-C to stop.`,
        );
        await untilInterrupted();
        console.log('stopping…');
        await workers.shutdown();
      } finally {
        await endpoint.stop();
      }
    });
}
