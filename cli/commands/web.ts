import type { Command } from 'commander';
import { ApproverAuthenticator } from '../../approvals/auth/authenticate.ts';
import { createApprovalsServer } from '../../web/approvals-server.ts';
import { TemporalApprovalsBackend } from '../../web/temporal-backend.ts';
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
        const authenticator = ApproverAuthenticator.fromConfig(session.config);
        const app = await createApprovalsServer({
          authenticator,
          backend: new TemporalApprovalsBackend(session.client, session.config),
        });
        const port = options.port ? Number(options.port) : session.config.WARDEN_WEB_PORT;
        const url = await app.listen({ host: options.host, port });
        console.log(`approvals page: ${url} (${authenticator.configuredTokens} approver tokens configured)`);
        await untilInterrupted();
        await app.close();
      } finally {
        await session.close();
      }
    });
}
