import type { Command } from 'commander';
import { startWardenWorkers } from '../../workers/warden-workers.ts';
import { openSession, untilInterrupted } from '../session.ts';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('start (or connect to) Temporal and run the Warden workers until Ctrl-C')
    .action(async () => {
      const { config, endpoint } = await openSession();
      let workers: Awaited<ReturnType<typeof startWardenWorkers>> | undefined;
      try {
        workers = await startWardenWorkers(config, endpoint);
        const where = endpoint.source === 'cluster' ? 'connected to' : 'started';
        console.log(
          `Temporal: ${where} ${endpoint.address} (namespace ${endpoint.namespace}, ${endpoint.source})`,
        );
        if (endpoint.uiUrl) console.log(`Temporal Web: ${endpoint.uiUrl}`);
        console.log(`Workers: task queue ${workers.taskQueue}. Ctrl-C to stop.`);
        await untilInterrupted();
        console.log('stopping…');
      } finally {
        await workers?.shutdown();
        await endpoint.stop();
      }
    });
}
