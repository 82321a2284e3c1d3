import type { Command } from 'commander';
import { startApprovalsWeb } from '../../web/start-approvals-web.ts';
import { untilInterrupted } from '../session.ts';
import { openOpsSession } from './ops-session.ts';

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description('serve the approvals page (port WARDEN_WEB_PORT) until Ctrl-C')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (default WARDEN_WEB_PORT)')
    .action(async (options: { host: string; port?: string }) => {
      const session = await openOpsSession();
      try {
        const web = await startApprovalsWeb(session.config, session.client, {
          host: options.host,
          ...(options.port ? { port: Number(options.port) } : {}),
        });
        console.log(`approvals page: ${web.url} (${web.tokens} approver tokens configured; Ctrl-C to stop)`);
        await untilInterrupted();
        await web.close();
      } finally {
        await session.close();
      }
    });
}
