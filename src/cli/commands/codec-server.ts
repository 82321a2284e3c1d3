import type { Command } from 'commander';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import { keyProviderFor } from '../../temporal/data-converter.ts';
import { startCodecServer } from '../../web/start-codec-server.ts';
import { untilInterrupted } from '../session.ts';
import { openOpsSession } from './ops-session.ts';

export function registerCodecServer(program: Command): void {
  program
    .command('codec-server')
    .description(
      "serve Temporal's /encode and /decode for Warden's encrypted payloads (port WARDEN_CODEC_PORT) until Ctrl-C",
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (default WARDEN_CODEC_PORT)')
    .action(async (options: { host: string; port?: string }) => {
      const session = await openOpsSession();
      const authorizer = await createAuthorizer(session.config);
      try {
        const codec = await startCodecServer(
          session.config,
          { client: session.client, authorizer, keys: await keyProviderFor(session.config) },
          {
            host: options.host,
            ...(options.port ? { port: Number(options.port) } : {}),
            log: (line) => console.log(line),
          },
        );
        console.log(
          `codec server: ${codec.url} (${codec.tokens} approver tokens configured; Ctrl-C to stop)\n` +
            `  Temporal Web: codec endpoint ${codec.url}, "include cross-origin credentials" on, sign in at ${codec.url}/\n` +
            `  Temporal CLI: --codec-endpoint ${codec.url} --codec-auth "Bearer <approver token>"`,
        );
        await untilInterrupted();
        await codec.close();
      } finally {
        await authorizer.close();
        await session.close();
      }
    });
}
