import type { Command } from 'commander';
import { type PolicyWatcher, watchPolicyDir } from '../../authz/policy-watcher.ts';
import { connectClient, createClient } from '../../temporal/connection.ts';
import { keyProviderFor, wardenDataConverter } from '../../temporal/data-converter.ts';
import { isPortFree } from '../../temporal/ports.ts';
import { type ApprovalsWeb, startApprovalsWeb } from '../../web/start-approvals-web.ts';
import { type CodecServer, codecServerUrl, startCodecServer } from '../../web/start-codec-server.ts';
import { startWardenWorkers } from '../../workers/warden-workers.ts';
import { cliConfig, requireProject } from '../project.ts';
import { openSession, untilInterrupted } from '../session.ts';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('start (or connect to) Temporal, run the Warden workers and the approvals page until Ctrl-C')
    .option('--no-web', 'do not serve the approvals page')
    .option('--no-codec-server', 'do not serve the codec endpoint for Temporal Web')
    .action(async (options: { web: boolean; codecServer: boolean }) => {
      const project = await requireProject();
      const codecUrl = codecServerUrl((await cliConfig()).WARDEN_CODEC_PORT);
      const { config, endpoint } = await openSession(
        options.codecServer ? { uiCodecEndpoint: codecUrl } : {},
      );
      let workers: Awaited<ReturnType<typeof startWardenWorkers>> | undefined;
      let web: ApprovalsWeb | undefined;
      let codec: CodecServer | undefined;
      let policyWatcher: PolicyWatcher | undefined;
      const connection = await connectClient(config, endpoint.address).catch(async (error) => {
        await endpoint.stop();
        throw error;
      });
      try {
        workers = await startWardenWorkers({ config, endpoint, project });
        const where = endpoint.source === 'cluster' ? 'connected to' : 'started';
        console.log(
          `Temporal: ${where} ${endpoint.address} (namespace ${endpoint.namespace}, ${endpoint.source})`,
        );
        if (endpoint.uiUrl) console.log(`Temporal Web: ${endpoint.uiUrl}`);
        const client = createClient(connection, endpoint.namespace, await wardenDataConverter(config));
        if (options.codecServer) {
          if (await isPortFree(config.WARDEN_CODEC_PORT)) {
            codec = await startCodecServer(config, {
              client,
              authorizer: workers.authorizer,
              keys: await keyProviderFor(config),
            });
            console.log(
              `Codec server: ${codec.url} (Temporal Web decodes through it for a signed-in reader; sign in at ${codec.url}/)`,
            );
          } else {
            console.log(
              `Codec server: not served, port ${config.WARDEN_CODEC_PORT} is in use (set WARDEN_CODEC_PORT)`,
            );
          }
        }
        if (options.web) {
          // A second `warden dev` on the same machine shares the first one's page rather than failing.
          if (await isPortFree(config.WARDEN_WEB_PORT)) {
            web = await startApprovalsWeb(config, client, {
              authorizer: workers.authorizer,
              tools: project.tools,
            });
            const signIn =
              web.tokens > 0 ? 'sign in with an approver token' : 'set WARDEN_APPROVER_TOKENS to sign in';
            console.log(`Approvals: ${web.url} (${signIn})`);
          } else {
            console.log(
              `Approvals: not served, port ${config.WARDEN_WEB_PORT} is in use (set WARDEN_WEB_PORT)`,
            );
          }
        }
        policyWatcher = watchPolicyDir(config.WARDEN_POLICY_DIR, workers.authorizer, {
          report: (line) => console.log(line),
        });
        console.log(
          `Policy: ${config.WARDEN_POLICY_DIR} (${workers.authorizer.policyVersion()}), reloaded when its files change`,
        );
        for (const queue of workers.queues) console.log(`Worker: ${queue}`);
        console.log(`Project: ${project.configFile}. Ctrl-C to stop.`);
        await untilInterrupted();
        console.log('stopping…');
      } finally {
        policyWatcher?.close();
        await codec?.close();
        await web?.close();
        await workers?.shutdown();
        await connection.close();
        await endpoint.stop();
      }
    });
}
