import type { Command } from 'commander';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import { startApprovalsWeb } from '../../web/start-approvals-web.ts';
import { requireProject } from '../project.ts';
import { untilInterrupted } from '../session.ts';
import { openOpsSession } from './ops-session.ts';

export function registerWeb(program: Command): void {
  program
    .command('web')
    .description('serve the approvals page (port WARDEN_WEB_PORT) until Ctrl-C')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (default WARDEN_WEB_PORT)')
    .action(async (options: { host: string; port?: string }) => {
      const project = await requireProject();
      const session = await openOpsSession();
      // The page signs decisions only after checking the approver against this live policy.
      const authorizer = await createAuthorizer(session.config);
      try {
        const web = await startApprovalsWeb(session.config, session.client, {
          host: options.host,
          ...(options.port ? { port: Number(options.port) } : {}),
          tools: project.tools,
        });
        console.log(`approvals page: ${web.url} (${web.tokens} approver tokens configured; Ctrl-C to stop)`);
        console.log(
          `  answers to ${web.hosts}; session cookies ${web.secureCookies ? 'Secure' : 'not Secure (plain HTTP)'}`,
        );
        await untilInterrupted();
        await web.close();
      } finally {
        await authorizer.close();
        await session.close();
      }
    });
}
