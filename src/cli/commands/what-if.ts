import type { Command } from 'commander';
import { loadRun, RunNotFoundError } from '../../audit/load-run.ts';
import { whatIf } from '../../audit/what-if.ts';
import { createAuthorizer } from '../../authz/create-authorizer.ts';
import { CliError } from '../errors.ts';
import { printJson, progress, withOpsSession } from './ops-session.ts';

export function registerWhatIf(program: Command): void {
  program
    .command('what-if')
    .description("re-take a past run's authorization decisions under another policy and show what changes")
    .argument('<run>', 'workflow id of the run')
    .requiredOption('--policy <dir>', 'policy directory (*.polar + facts) to evaluate against')
    .option('--json', 'print the report as JSON')
    .action(async (workflowId: string, options: { policy: string; json?: boolean }) => {
      await withOpsSession(async ({ config, client }) => {
        const run = await loadRun(client, workflowId).catch((error: unknown) => {
          if (error instanceof RunNotFoundError) throw new CliError(error.message, 1);
          throw error;
        });
        const authorizer = await createAuthorizer({ ...config, WARDEN_POLICY_DIR: options.policy }).catch(
          (error: unknown) => {
            throw new CliError(
              `cannot load policy ${options.policy}: ${error instanceof Error ? error.message : error}`,
            );
          },
        );
        try {
          progress(
            `re-taking the decisions of ${workflowId} under ${options.policy} (policy ${authorizer.policyVersion()})…`,
          );
          const report = await whatIf(run, authorizer);
          if (options.json) {
            printJson(report);
            return;
          }
          for (const row of report.rows) {
            const was = row.recorded.allowed ? 'allow' : 'deny';
            const now = row.replayed.allowed ? 'allow' : 'deny';
            const mark = row.changed ? 'CHANGED' : 'same   ';
            console.log(
              `${mark} ${row.action} ${row.tool} by ${row.actor}${row.onBehalfOf ? ` for ${row.onBehalfOf}` : ''}: ${was} → ${now}${row.changed ? ` (${row.replayed.reason})` : ''}`,
            );
          }
          console.log(`${report.decisions} decisions re-taken, ${report.changed} would change`);
        } finally {
          await authorizer.close();
        }
      });
    });
}
